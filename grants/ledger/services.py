"""Writing to the ledger: the only code that moves budget totals."""
import datetime as dt
from typing import Protocol

from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone

from grants.accounts.models import User
from grants.core.fiscal import fiscal_year_bounds, fiscal_year_label, wareki
from grants.core.money import yen
from grants.core.workflow import ActionRefused
from grants.programmes.models import ProgrammeYear

from .models import TOTAL_OF_KIND, BudgetAccount, EntryKind, LedgerEntry


class LedgerError(ActionRefused):
    """A posting would break an invariant of the ledger; the message is in Japanese for the user."""


class LedgerCase(Protocol):
    """What the ledger reads of a grant case (``grants.cases.models.GrantCase``, a layer above it): the key its
    entries point at, and the programme-year whose budget the case draws on."""

    @property
    def pk(self) -> int: ...

    @property
    def programme_year(self) -> ProgrammeYear: ...


def _check_posting_date(programme_year: ProgrammeYear, kind: str, day: dt.date) -> None:
    """A commitment (支出負担行為) belongs inside its 年度; a payment may settle it up to the end of the
    出納整理期間 (May 31 after the year), never later (地方自治法第235条の5; CONVENTIONS.md)."""
    first, last = fiscal_year_bounds(programme_year.fiscal_year)
    label = fiscal_year_label(programme_year.fiscal_year)
    if kind == EntryKind.COMMITMENT and not first <= day <= last:
        raise LedgerError(
            f"{label}の交付決定（支出負担行為）は、その年度中（{wareki(first)}〜{wareki(last)}）にしか行えません。"
        )
    closing = dt.date(programme_year.fiscal_year + 1, 5, 31)
    if kind == EntryKind.PAYMENT and day > closing:
        raise LedgerError(f"{label}の支出は、出納整理期間の末日（{wareki(closing)}）を過ぎているため行えません。")


def case_totals(case: LedgerCase) -> dict[str, int]:
    """Net totals of a case's entries, whole yen: commitment, payment and refund, reversed entries left out."""
    totals: dict[str, int] = dict(
        LedgerEntry.objects.filter(case_id=case.pk,
                                   kind__in=[EntryKind.COMMITMENT, EntryKind.PAYMENT, EntryKind.REFUND],
                                   reversed_by__isnull=True)
        .values_list("kind").annotate(total=Sum("amount"))
    )
    return {kind: totals.get(kind, 0) for kind in (EntryKind.COMMITMENT, EntryKind.PAYMENT, EntryKind.REFUND)}


def _check_case_payment(case: LedgerCase, amount: int) -> None:
    """paid − refunded ≤ committed for the case itself, counting only entries that were not reversed."""
    totals = case_totals(case)
    committed = totals[EntryKind.COMMITMENT]
    paid = totals[EntryKind.PAYMENT] - totals[EntryKind.REFUND]
    if paid + amount > committed:
        raise LedgerError(
            f"この案件の交付決定額（{yen(committed)}）を超える支出はできません"
            f"（支出済 {yen(paid)}、今回 {yen(amount)}）。"
        )


def _check_limits(account: BudgetAccount, kind: str, amount: int) -> None:
    if kind == EntryKind.COMMITMENT and account.committed + amount > account.budget:
        raise LedgerError(
            f"予算額を超えるため交付決定できません（予算額 {yen(account.budget)}、"
            f"決定済 {yen(account.committed)}、今回 {yen(amount)}）。"
        )
    if kind == EntryKind.PAYMENT and account.paid - account.refunded + amount > account.committed:
        raise LedgerError("支出額が交付決定額の合計を超えます。")
    if kind == EntryKind.REFUND and account.refunded + amount > account.paid:
        raise LedgerError("返還額が支出済額を超えます。")


def _floor_of(account: BudgetAccount, total: str) -> int:
    """How far a total may fall: the total that must stay below it (committed ≥ paid − refunded)."""
    return {
        "budget": account.committed,
        "committed": account.paid - account.refunded,
        "paid": account.refunded,
    }.get(total, 0)


def _check_reversal_limits(account: BudgetAccount, total: str, amount: int) -> None:
    if getattr(account, total) - amount < _floor_of(account, total):
        raise LedgerError("この仕訳を取り消すと、台帳の合計が矛盾します（先に後続の仕訳を取り消してください）。")


def _reversal_target(reverses: LedgerEntry | None, account: BudgetAccount) -> LedgerEntry:
    if reverses is None:
        raise LedgerError("取消仕訳には取り消す仕訳を指定してください。")
    target = LedgerEntry.objects.select_for_update().get(pk=reverses.pk)
    if target.account_id != account.pk or target.kind == EntryKind.REVERSAL:
        raise LedgerError("この仕訳は取り消せません。")
    if LedgerEntry.objects.filter(reverses=target).exists():
        raise LedgerError("この仕訳はすでに取り消されています。")
    return target


def post_entry(
    *,
    programme_year: ProgrammeYear,
    kind: str,
    amount: int,
    actor: User,
    case: LedgerCase | None = None,
    reverses: LedgerEntry | None = None,
    entry_date: dt.date | None = None,
    note: str = "",
    case_reversal: bool = False,
) -> LedgerEntry:
    """Append one entry and move the programme-year's totals in the same transaction.

    ``amount`` is positive whole yen (a reversal's amount is taken from the entry it reverses). Raises
    ``LedgerError`` when the entry would break committed ≤ budget, paid ≤ committed or refunded ≤ paid;
    the database CHECK constraints guard the same invariants, and also when a payment would exceed its own
    case's net commitment, a commitment falls outside its 年度, or a payment falls after the 出納整理期間
    (May 31 of the next year; CONVENTIONS.md). A reversal of a case's entry is refused unless the case
    service that changes the case asks for it (``case_reversal``). Locks the budget row, so two postings
    against one programme-year are serialised.
    """
    with transaction.atomic():
        account = BudgetAccount.objects.select_for_update().get(programme_year=programme_year)
        if kind == EntryKind.REVERSAL:
            target = _reversal_target(reverses, account)
            amount, total, sign, case = target.amount, TOTAL_OF_KIND[EntryKind(target.kind)], -1, target.case
            _check_reversal_limits(account, total, amount)
            if case is not None and not case_reversal:
                raise LedgerError(
                    "案件に結びついた仕訳は、案件の手続（交付決定の取消・返還など）から取り消してください。"
                )
        else:
            if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
                raise LedgerError("金額は1円以上の整数で指定してください。")
            day = entry_date or timezone.localdate()
            _check_limits(account, kind, amount)
            _check_posting_date(programme_year, kind, day)
            if kind == EntryKind.PAYMENT and case is not None:
                _check_case_payment(case, amount)
            total, sign = TOTAL_OF_KIND[EntryKind(kind)], 1
        BudgetAccount.objects.filter(pk=account.pk).update(**{total: F(total) + sign * amount})
        return LedgerEntry.objects.create(
            account=account,
            case_id=case.pk if case is not None else None,
            kind=kind,
            amount=amount,
            reverses=reverses if kind == EntryKind.REVERSAL else None,
            entry_date=entry_date or timezone.localdate(),
            actor=actor,
            note=note,
        )


def set_budget(*, programme_year: ProgrammeYear, budget: int, actor: User, note: str = "当初予算") -> LedgerEntry:
    """Open or raise a programme-year's budget (予算額) by posting a BUDGET entry of ``budget`` yen."""
    BudgetAccount.objects.get_or_create(programme_year=programme_year)
    return post_entry(programme_year=programme_year, kind=EntryKind.BUDGET, amount=budget, actor=actor, note=note)


def adjust_commitment(*, case: LedgerCase, amount: int, actor: User, note: str) -> list[LedgerEntry]:
    """Set the case's net commitment (支出負担行為) to ``amount`` whole yen: a 変更交付決定 or 額の確定.

    A rise posts a commitment of the difference (dated today, which must fall inside the 年度, and within the
    budget). A fall reverses the case's latest commitments until enough is released and, when a reversed entry
    was larger than needed, posts its remainder again with that entry's date (減額). Totals move once, so the
    database checks see only the result. Raises ``LedgerError`` when ``amount`` is below what the case has been
    paid net of refunds, or above the budget. Returns the entries written (none when nothing changes)."""
    if isinstance(amount, bool) or not isinstance(amount, int) or amount < 0:
        raise LedgerError("金額は0円以上の整数で指定してください。")
    programme_year = case.programme_year
    with transaction.atomic():
        account = BudgetAccount.objects.select_for_update().get(programme_year=programme_year)
        totals = case_totals(case)
        current = totals[EntryKind.COMMITMENT]
        net_paid = totals[EntryKind.PAYMENT] - totals[EntryKind.REFUND]
        if amount < net_paid:
            raise LedgerError(
                f"支出済額（返還分を除き {yen(net_paid)}）を下回る額にはできません。先に返還を受けてください。"
            )
        if amount == current:
            return []
        if amount > current:
            return [post_entry(programme_year=programme_year, kind=EntryKind.COMMITMENT, amount=amount - current,
                               actor=actor, case=case, note=note[:200])]
        to_release, written = current - amount, []
        live = (LedgerEntry.objects.select_for_update(of=("self",))
                .filter(case_id=case.pk, kind=EntryKind.COMMITMENT, reversed_by__isnull=True).order_by("-pk"))
        for entry in live:
            if to_release <= 0:
                break
            written.append(LedgerEntry.objects.create(
                account=account, case_id=case.pk, kind=EntryKind.REVERSAL, amount=entry.amount, reverses=entry,
                entry_date=timezone.localdate(), actor=actor, note=f"減額 {note}"[:200],
            ))
            if entry.amount > to_release:
                written.append(LedgerEntry.objects.create(
                    account=account, case_id=case.pk, kind=EntryKind.COMMITMENT, amount=entry.amount - to_release,
                    entry_date=entry.entry_date, actor=actor, note=f"減額後の残額 {note}"[:200],
                ))
            to_release -= entry.amount
        BudgetAccount.objects.filter(pk=account.pk).update(committed=F("committed") - (current - amount))
        return written
