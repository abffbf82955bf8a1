"""What an accident is worth under the year's policy (GRANTS.md §6): injury benefits per person and liability
payable per accident, each line explained so that staff and the group can follow it.

Days: the accident day is day 1 of every window (「事故の日からその日を含めて180日以内」), so a window of N days
ends on accident + N − 1. A day of inpatient treatment is never paid again as an outpatient day (入院と通院の
重複なし). Amounts are whole yen; the disability benefit is rounded down to the yen (円未満切捨て).
"""
import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from grants.core.money import floor_to

from .models import TABLES_OF, BandTable, BenefitBand, BenefitMode, InsurancePolicy


class BenefitInputError(ValueError):
    """The treatment given cannot be judged (a date before the accident, an inverted period, a bad grade)."""


@dataclass(frozen=True)
class Line:
    label: str
    basis: str
    amount: int


@dataclass(frozen=True)
class Benefit:
    """The lines of one person's injury benefits and their total (whole yen)."""

    lines: list[Line] = field(default_factory=list)

    @property
    def amount(self) -> int:
        return sum(line.amount for line in self.lines)


@dataclass(frozen=True)
class Treatment:
    """One injured person's treatment: inpatient periods (first day, last day, inclusive), outpatient visit
    dates, surgeries (``"inpatient"`` or ``"outpatient"`` each), and for a death or a disability the outcome."""

    accident_date: dt.date
    inpatient: Sequence[tuple[dt.date, dt.date]] = ()
    outpatient: Iterable[dt.date] = ()
    surgeries: Sequence[str] = ()
    died: bool = False
    disability_percent: Decimal | None = None  # 後遺障害の等級に応じた割合（％）


def window_end(accident_date: dt.date, days: int) -> dt.date:
    """Last day of a window of ``days`` days counting the accident day."""
    return accident_date + dt.timedelta(days=days - 1)


def _inpatient_days(treatment: Treatment) -> set[dt.date]:
    days: set[dt.date] = set()
    for first, last in treatment.inpatient:
        if last < first:
            raise BenefitInputError(f"入院期間の終わり（{last}）が始まり（{first}）より前です。")
        if first < treatment.accident_date:
            raise BenefitInputError(f"入院の始まり（{first}）が事故の日より前です。")
        days.update(first + dt.timedelta(days=i) for i in range((last - first).days + 1))
    return days


def _outpatient_days(treatment: Treatment, inpatient: set[dt.date]) -> list[dt.date]:
    visits = sorted(set(treatment.outpatient))
    if visits and visits[0] < treatment.accident_date:
        raise BenefitInputError(f"通院日（{visits[0]}）が事故の日より前です。")
    return [day for day in visits if day not in inpatient]


def _cap(days: int, maximum: int | None) -> int:
    return days if maximum is None else min(days, maximum)


def injury_benefit(policy: InsurancePolicy, treatment: Treatment,
                   bands: Sequence[BenefitBand] | None = None) -> Benefit:
    """The injury benefits of one person under ``policy`` (傷害保険金): death, disability, and inpatient /
    outpatient / surgery per day, or a banded lump sum by treatment days (``bands``: the policy's bands,
    read once by the caller; default ``policy.bands.all()``). Raises ``BenefitInputError``."""
    lines: list[Line] = []
    disability = None
    if treatment.disability_percent is not None:
        percent = Decimal(treatment.disability_percent)
        if not Decimal(0) < percent <= Decimal(100):
            raise BenefitInputError("後遺障害の割合は0％を超え100％以下で入力してください。")
        raw = floor_to(policy.death_benefit * percent / 100, 1)
        amount = min(policy.death_benefit, max(policy.disability_min, raw))
        basis = f"{policy.death_benefit:,}円 × {percent}%（円未満切捨て）"
        if amount != raw:
            basis += f"、最低額 {policy.disability_min:,}円を適用"
        disability = Line("後遺障害保険金", basis, amount)
    if treatment.died:
        # 約款: death and disability together are limited to the 保険金額 (the death benefit); the death benefit is
        # what is left of it after the disability benefit.
        if disability is None:
            lines.append(Line("死亡保険金", "定額", policy.death_benefit))
        else:
            lines.append(Line("死亡保険金", f"{policy.death_benefit:,}円から後遺障害保険金 {disability.amount:,}円を"
                              "差し引いた額", policy.death_benefit - disability.amount))
    if disability is not None:
        lines.append(disability)
    inpatient = _inpatient_days(treatment)
    outpatient = _outpatient_days(treatment, inpatient)
    if policy.benefit_mode == BenefitMode.BANDED:
        lines.extend(_banded(policy, treatment, inpatient, outpatient, bands))
    else:
        lines.extend(_per_day(policy, treatment, inpatient, outpatient))
    return Benefit(lines)


def _per_day(policy: InsurancePolicy, treatment: Treatment, inpatient: set[dt.date],
             outpatient: list[dt.date]) -> list[Line]:
    lines = []
    accident = treatment.accident_date
    if inpatient:
        last = window_end(accident, policy.inpatient_window_days)
        within = sum(1 for day in inpatient if day <= last)
        paid = _cap(within, policy.inpatient_max_days)
        basis = f"入院 {len(inpatient)}日のうち事故の日から{policy.inpatient_window_days}日以内 {within}日"
        if paid != within:
            basis += f"（限度 {policy.inpatient_max_days}日）"
        lines.append(Line("入院保険金", f"{basis} × {policy.inpatient_daily:,}円", paid * policy.inpatient_daily))
    overlap = len(set(treatment.outpatient)) - len(outpatient)
    if outpatient:
        last = window_end(accident, policy.outpatient_window_days)
        in_window = [day for day in outpatient if day <= last]
        after_waiting = in_window[policy.outpatient_waiting_days:]
        paid = _cap(len(after_waiting), policy.outpatient_max_days)
        counted = f"通院 {len(outpatient)}日"
        if overlap:
            counted = f"通院 {len(outpatient) + overlap}日（入院日と重なる{overlap}日を除き {len(outpatient)}日）"
        basis = f"{counted}のうち事故の日から{policy.outpatient_window_days}日以内 {len(in_window)}日"
        if policy.outpatient_waiting_days:
            basis += f"、免責 {policy.outpatient_waiting_days}日を除き {len(after_waiting)}日"
        if paid != len(after_waiting):
            basis += f"（限度 {policy.outpatient_max_days}日）"
        lines.append(Line("通院保険金", f"{basis} × {policy.outpatient_daily:,}円", paid * policy.outpatient_daily))
    surgeries = list(treatment.surgeries)[: policy.surgery_max_count]
    for kind in surgeries:
        if kind not in ("inpatient", "outpatient"):
            raise BenefitInputError("手術の区分は入院中か外来かを選んでください。")
        multiple = policy.surgery_multiple_inpatient if kind == "inpatient" else policy.surgery_multiple_outpatient
        where = "入院中" if kind == "inpatient" else "外来"
        lines.append(Line("手術保険金", f"{where}の手術：入院日額 {policy.inpatient_daily:,}円 × {multiple}",
                          policy.inpatient_daily * multiple))
    return lines


def _banded(policy: InsurancePolicy, treatment: Treatment, inpatient: set[dt.date], outpatient: list[dt.date],
            bands: Sequence[BenefitBand] | None) -> list[Line]:
    """The banded lump sums: one line for the combined table (入院と通院の日数の合計), or one line for each of the
    inpatient and outpatient tables, added (``policy.band_tables``). Days count within ``banded_window_days``
    from the accident day; an outpatient day that is also an inpatient day counts once, as inpatient."""
    last = window_end(treatment.accident_date, policy.banded_window_days)
    counted = {BandTable.INPATIENT: sum(1 for day in inpatient if day <= last),
               BandTable.OUTPATIENT: sum(1 for day in outpatient if day <= last)}
    counted[BandTable.COMBINED] = counted[BandTable.INPATIENT] + counted[BandTable.OUTPATIENT]
    everything = {BandTable.INPATIENT: len(inpatient), BandTable.OUTPATIENT: len(outpatient)}
    everything[BandTable.COMBINED] = everything[BandTable.INPATIENT] + everything[BandTable.OUTPATIENT]
    bands = list(policy.bands.all()) if bands is None else list(bands)
    lines = []
    for table in TABLES_OF[policy.band_tables]:
        days = counted[table]
        if not days:
            continue
        band = next((b for b in bands if b.table == table and b.contains(days)), None)
        lines.append(_band_line(policy, table, days, everything[table], band))
    return lines


def _band_line(policy: InsurancePolicy, table: BandTable, days: int, everything: int,
               band: BenefitBand | None) -> Line:
    """「入院 12日（10〜29日の区分）」 30,000円; the combined table 「治療日数 6日（事故の日から180日以内）：5日以上の
    区分」. Days beyond the window are named when there are any."""
    window = policy.banded_window_days
    if table == BandTable.COMBINED:
        label, counted = "入院・通院保険金（定額）", f"治療日数 {days}日（事故の日から{window}日以内）"
    else:
        label = f"{table.label}保険金（定額）"
        counted = (f"{table.label} {days}日" if days == everything else
                   f"{table.label} {everything}日のうち事故の日から{window}日以内 {days}日")
    if band is None:
        return Line(label, f"{counted}：この日数に当たる段階がありません", 0)
    if table == BandTable.COMBINED:
        return Line(label, f"{counted}：{band.days_text}の区分", band.amount)
    return Line(label, f"{counted}（{band.days_text}の区分）", band.amount)


def liability_payable(policy: InsurancePolicy, *, bodily: Sequence[int] = (), property_damage: int = 0,
                      custody_damage: int = 0) -> Benefit:
    """What the liability cover pays for one accident (賠償責任保険金): each injured third party's damages up to
    the per-person limit, all of them up to the per-accident limit; property and goods in custody up to their
    limits; the deductible (免責金額) once per accident, taken from the total. Damages in whole yen."""
    for value in (*bodily, property_damage, custody_damage):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise BenefitInputError("損害額は0円以上の整数で入力してください。")
    lines: list[Line] = []
    if bodily:
        per_person = [min(d, policy.liability_bodily_per_person) for d in bodily]
        total = min(sum(per_person), policy.liability_bodily_per_accident)
        lines.append(Line("身体賠償", f"{len(bodily)}名、1名 {policy.liability_bodily_per_person:,}円・1事故 "
                          f"{policy.liability_bodily_per_accident:,}円を限度", total))
    if property_damage:
        lines.append(Line("財物賠償", f"1事故 {policy.liability_property_per_accident:,}円を限度",
                          min(property_damage, policy.liability_property_per_accident)))
    if custody_damage:
        lines.append(Line("受託物賠償", f"1事故 {policy.liability_custody_per_accident:,}円を限度",
                          min(custody_damage, policy.liability_custody_per_accident)))
    gross = sum(line.amount for line in lines)
    if lines and policy.liability_deductible:
        deduction = min(gross, policy.liability_deductible)
        lines.append(Line("免責金額", f"1事故につき {policy.liability_deductible:,}円", -deduction))
    return Benefit(lines)


def allocate_liability(policy: InsurancePolicy, claims: Sequence[tuple[str, int]], *, bodily_used: int = 0,
                       property_used: int = 0, deductible_used: int = 0) -> list[Benefit]:
    """Share one accident's liability cover among its claims, in the order they were opened (先着順).

    ``claims``: (``"bodily"`` or ``"property"``, damages in whole yen) per claim. Each bodily claim is limited to
    the per-person limit, the bodily claims together to the per-accident limit, the property claims together
    to the property limit; the deductible (免責金額) is taken once per accident, from the first claims. The
    amounts add up to ``liability_payable`` of the same damages. ``bodily_used``, ``property_used`` and
    ``deductible_used`` (whole yen): what claims of the same accident already sent to the insurer took; the
    ``claims`` share what is left. Raises ``BenefitInputError``."""
    bodily_left = max(policy.liability_bodily_per_accident - bodily_used, 0)
    property_left = max(policy.liability_property_per_accident - property_used, 0)
    deductible_left = max(policy.liability_deductible - deductible_used, 0)
    result = []
    for kind, damages in claims:
        if isinstance(damages, bool) or not isinstance(damages, int) or damages < 0:
            raise BenefitInputError("損害額は0円以上の整数で入力してください。")
        lines = []
        if kind == "bodily":
            capped = min(damages, policy.liability_bodily_per_person)
            amount = min(capped, bodily_left)
            bodily_left -= amount
            basis = f"損害額 {damages:,}円、1名 {policy.liability_bodily_per_person:,}円・1事故 " \
                    f"{policy.liability_bodily_per_accident:,}円を限度"
            lines.append(Line("身体賠償", basis, amount))
        elif kind == "property":
            amount = min(damages, property_left)
            property_left -= amount
            lines.append(Line("財物賠償", f"損害額 {damages:,}円、1事故 "
                              f"{policy.liability_property_per_accident:,}円を限度", amount))
        else:
            raise BenefitInputError("賠償の区分は身体か財物かを選んでください。")
        deduction = min(amount, deductible_left)
        if deduction:
            deductible_left -= deduction
            lines.append(Line("免責金額", f"1事故につき {policy.liability_deductible:,}円", -deduction))
        result.append(Benefit(lines))
    return result
