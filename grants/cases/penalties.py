"""加算金 and 延滞金 of a 返還命令, in exact arithmetic (補助金等に係る予算の執行の適正化に関する法律第19条 and
its 施行令; the rates are data of the programme-year, e.g. the national 10.95 % a year).

- 加算金 runs on the refunded amount from the day each part was received (受領の日) to the day it is paid back
  (納付の日), both days counted. When advances came in several payments, the refund is taken from the latest
  receipt first, going back until the refunded amount is reached (施行令第11条第1項).
- 延滞金 runs on the principal still unpaid after the due date (納期限の翌日から納付の日まで).
- Payments go to the principal first (第19条第3項 and 施行令); once the principal is paid, nothing accrues.
- The yearly rate applies per 365 days, leap years included; each total is rounded down to the rule's unit
  (``penalty_rounding_unit``, whole yen) once, at the end.
"""
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from grants.core.money import floor_to


@dataclass(frozen=True)
class Charges:
    """What is owed on ``on``: principal unpaid, 加算金 and 延滞金 accrued so far (whole yen, rounded down)."""

    principal_unpaid: int
    surcharge: int
    late: int

    @property
    def total(self) -> int:
        return self.principal_unpaid + self.surcharge + self.late


def attribute_to_receipts(principal: int, receipts: list[tuple[dt.date, int]]) -> list[tuple[dt.date, int]]:
    """Split ``principal`` over the advances ``receipts`` (date, yen), latest first (施行令第11条第1項).

    Returns (received on, part) pairs, latest first. Raises ``ValueError`` when the receipts do not cover it."""
    parts, left = [], principal
    for received_on, amount in sorted(receipts, key=lambda r: r[0], reverse=True):
        if left <= 0:
            break
        part = min(left, amount)
        parts.append((received_on, part))
        left -= part
    if left > 0:
        raise ValueError("返還額が受領した額を超えています。")
    return parts


@dataclass
class _Segment:
    """A part of the principal attributed to one receipt, and how much of it is still not paid back."""

    received_on: dt.date
    left: int


def _rate(percent: Decimal) -> Fraction:
    return Fraction(percent) / 100


def charges(
    *,
    principal: int,
    advances: list[tuple[dt.date, int]],
    due_on: dt.date,
    surcharge_rate: Decimal,
    late_rate: Decimal,
    repayments: list[tuple[dt.date, int]],
    on: dt.date,
    rounding_unit: int = 1,
) -> Charges:
    """Principal unpaid, 加算金 and 延滞金 accrued up to and including ``on`` (whole yen).

    ``advances`` are the payments received (date, yen); ``repayments`` the principal parts paid back so far
    (date, yen), only those on or before ``on`` count. Raises ``ValueError`` when repayments exceed the
    principal."""
    paid_back = sorted((d, a) for d, a in repayments if d <= on)
    if sum(a for _, a in paid_back) > principal:
        raise ValueError("元金への充当額の合計が返還を命じた額を超えています。")
    segments = [_Segment(received_on, part) for received_on, part in attribute_to_receipts(principal, advances)]
    surcharge = Fraction(0)
    r1, r2 = _rate(surcharge_rate), _rate(late_rate)
    # 加算金: each repayment settles the latest-received segments first.
    for paid_on, amount in paid_back:
        for segment in segments:
            if amount <= 0:
                break
            take = min(segment.left, amount)
            if take:
                days = (paid_on - segment.received_on).days + 1
                surcharge += take * r1 * max(days, 0) / 365
                segment.left -= take
                amount -= take
    for segment in segments:
        if segment.left:
            surcharge += segment.left * r1 * max((on - segment.received_on).days + 1, 0) / 365
    # 延滞金: the unpaid principal, day by day after the due date, falling with each repayment.
    late = Fraction(0)
    unpaid = principal
    cursor = due_on  # interest runs from the day after cursor
    for paid_on, amount in paid_back:
        if paid_on > cursor:
            late += unpaid * r2 * (paid_on - cursor).days / 365
            cursor = paid_on
        unpaid -= amount
    if on > cursor and unpaid:
        late += unpaid * r2 * (on - cursor).days / 365
    return Charges(
        principal_unpaid=unpaid,
        surcharge=floor_to(surcharge, rounding_unit),
        late=floor_to(late, rounding_unit),
    )
