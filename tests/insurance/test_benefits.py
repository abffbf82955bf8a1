"""Benefits of the community activity insurance (grants/insurance/benefits.py), against the test policy ube() of
tests/insurance/builders.py, made of 宇部市's published amounts (GRANTS.md §6: death ¥5,000,000; disability
¥90,000–¥5,000,000; inpatient ¥3,000/day within 180 days; outpatient ¥2,000/day within 180 days, at most 90 days)
and 廿日市市's liability limits (bodily ¥100M per person / ¥300M per accident, property ¥5M per accident) with a
¥5,000 deductible. Every expected yen is worked out in a comment."""
import datetime as dt
from decimal import Decimal

import pytest

from grants.insurance import claims
from grants.insurance.benefits import BenefitInputError, Treatment, injury_benefit, liability_payable, window_end
from grants.insurance.models import BandTable, BandTables, BenefitBand, BenefitMode, InsurancePolicy
from tests.insurance import builders
from tests.insurance.builders import ube

D = dt.date


def days(first: dt.date, count: int, step: int = 1) -> list[dt.date]:
    return [first + dt.timedelta(days=i * step) for i in range(count)]


def amounts(benefit) -> dict[str, int]:  # type: ignore[no-untyped-def]
    return {line.label: line.amount for line in benefit.lines}


def test_inpatient_and_outpatient_per_day_without_double_counting() -> None:
    # 10 inpatient days (5/10–5/19) × 3,000 = 30,000; 20 visits from 5/19, the first of them an inpatient day:
    # 19 outpatient days × 2,000 = 38,000
    treatment = Treatment(accident_date=D(2026, 5, 10), inpatient=[(D(2026, 5, 10), D(2026, 5, 19))],
                          outpatient=days(D(2026, 5, 19), 20))
    benefit = injury_benefit(ube(), treatment)
    assert amounts(benefit) == {"入院保険金": 30_000, "通院保険金": 38_000}
    assert benefit.amount == 68_000


def test_days_after_the_window_are_not_paid() -> None:
    # accident 2026-01-01: day 180 is 2026-06-29 (31+28+31+30+31 = 151 → 5/31 is day 151; 6/29 is day 180);
    # inpatient 6/25–7/05 → 6/25..6/29 = 5 days × 3,000 = 15,000
    assert window_end(D(2026, 1, 1), 180) == D(2026, 6, 29)
    treatment = Treatment(accident_date=D(2026, 1, 1), inpatient=[(D(2026, 6, 25), D(2026, 7, 5))])
    assert amounts(injury_benefit(ube(), treatment)) == {"入院保険金": 15_000}


def test_outpatient_days_stop_at_the_maximum() -> None:
    # 100 visits, one a day from the accident day, all within 180 days: at most 90 × 2,000 = 180,000
    treatment = Treatment(accident_date=D(2026, 6, 1), outpatient=days(D(2026, 6, 1), 100))
    benefit = injury_benefit(ube(), treatment)
    assert amounts(benefit) == {"通院保険金": 180_000}
    assert "限度 90日" in benefit.lines[0].basis


def test_waiting_days_are_not_paid() -> None:
    # 免責 3 days: 10 visits → 7 × 2,000 = 14,000
    treatment = Treatment(accident_date=D(2026, 6, 1), outpatient=days(D(2026, 6, 2), 10, step=2))
    assert amounts(injury_benefit(ube(outpatient_waiting_days=3), treatment)) == {"通院保険金": 14_000}


def test_surgery_is_a_multiple_of_the_inpatient_day_once_per_accident() -> None:
    # inpatient surgery 3,000 × 10 = 30,000; a second surgery is not paid (at most 1 per accident)
    treatment = Treatment(accident_date=D(2026, 6, 1), surgeries=["inpatient", "outpatient"])
    assert amounts(injury_benefit(ube(), treatment)) == {"手術保険金": 30_000}
    # an outpatient surgery alone: 3,000 × 5 = 15,000
    alone = Treatment(accident_date=D(2026, 6, 1), surgeries=["outpatient"])
    assert amounts(injury_benefit(ube(), alone)) == {"手術保険金": 15_000}


@pytest.mark.parametrize(("percent", "expected"), [
    (Decimal("1.8"), 90_000),  # 5,000,000 × 1.8 % = 90,000 (宇部市's lowest)
    (Decimal("1"), 90_000),  # 50,000 is below the floor: 90,000
    (Decimal("33.333"), 1_666_650),  # 5,000,000 × 0.33333 = 1,666,650
    (Decimal("0.00001"), 90_000),  # 0.5 yen, rounded down to 0, floor applies
    (Decimal("100"), 5_000_000),
])
def test_disability_is_a_share_of_the_death_benefit_with_a_floor(percent: Decimal, expected: int) -> None:
    treatment = Treatment(accident_date=D(2026, 6, 1), disability_percent=percent)
    assert amounts(injury_benefit(ube(), treatment)) == {"後遺障害保険金": expected}


@pytest.mark.parametrize("percent", [Decimal("0"), Decimal("-1"), Decimal("100.01")])
def test_disability_share_outside_0_to_100_is_refused(percent: Decimal) -> None:
    with pytest.raises(BenefitInputError, match="後遺障害の割合"):
        injury_benefit(ube(), Treatment(accident_date=D(2026, 6, 1), disability_percent=percent))


def test_death_benefit() -> None:
    assert amounts(injury_benefit(ube(), Treatment(accident_date=D(2026, 6, 1), died=True))) == {
        "死亡保険金": 5_000_000}


def bands(policy: InsurancePolicy) -> list[BenefitBand]:
    return [BenefitBand(policy=policy, lower_days=1, upper_days=4, amount=10_000),
            BenefitBand(policy=policy, lower_days=5, upper_days=30, amount=30_000),
            BenefitBand(policy=policy, lower_days=31, upper_days=None, amount=100_000)]


@pytest.mark.parametrize(("inpatient_days", "visits", "expected"), [
    (0, 4, 10_000),  # 4 days: first band
    (3, 4, 30_000),  # 3 + 4 = 7 days
    (0, 5, 30_000),  # the band's lower edge
    (20, 11, 100_000),  # 31 days: open band
])
def test_banded_lump_sum_by_treatment_days(inpatient_days: int, visits: int, expected: int) -> None:
    policy = ube(benefit_mode=BenefitMode.BANDED)
    accident = D(2026, 6, 1)
    inpatient = [(accident, accident + dt.timedelta(days=inpatient_days - 1))] if inpatient_days else []
    treatment = Treatment(accident_date=accident, inpatient=inpatient,
                          outpatient=days(accident + dt.timedelta(days=inpatient_days), visits))
    assert injury_benefit(policy, treatment, bands(policy)).amount == expected


def test_banded_counts_only_days_within_its_window() -> None:
    # window 30 days from 2026-06-01 ends 6/30: visits 6/28, 6/29, 6/30, 7/01, 7/02 → 3 days: 10,000
    policy = ube(benefit_mode=BenefitMode.BANDED, banded_window_days=30)
    treatment = Treatment(accident_date=D(2026, 6, 1), outpatient=days(D(2026, 6, 28), 5))
    benefit = injury_benefit(policy, treatment, bands(policy))
    assert benefit.amount == 10_000 and "治療日数 3日" in benefit.lines[0].basis


# Separate 入院 and 通院 tables (issue 12 §5): many schemes pay a lump sum by the inpatient days and another by the
# outpatient days, added. Test tables: 入院 1〜9日 10,000 / 10〜29日 30,000 / 30日以上 60,000; 通院 1〜4日 2,000 /
# 5〜9日 5,000 / 10日以上 10,000 (the combined table of ``bands`` above stays on the policy and is not read).

def separate(**fields: object) -> InsurancePolicy:
    return ube(benefit_mode=BenefitMode.BANDED, band_tables=BandTables.SEPARATE, **fields)


def separate_bands(policy: InsurancePolicy) -> list[BenefitBand]:
    rows = [(BandTable.INPATIENT, 1, 9, 10_000), (BandTable.INPATIENT, 10, 29, 30_000),
            (BandTable.INPATIENT, 30, None, 60_000), (BandTable.OUTPATIENT, 1, 4, 2_000),
            (BandTable.OUTPATIENT, 5, 9, 5_000), (BandTable.OUTPATIENT, 10, None, 10_000)]
    return [*bands(policy), *(BenefitBand(policy=policy, table=table, lower_days=lower, upper_days=upper, amount=amount)
                              for table, lower, upper, amount in rows)]


def test_separate_tables_pay_each_table_and_add_them() -> None:
    # 入院 6/01–6/12 = 12 days → 10〜29日 30,000; visits 6/12–6/17 = 6, 6/12 an inpatient day → 5 days → 5〜9日 5,000
    policy = separate()
    treatment = Treatment(accident_date=D(2026, 6, 1), inpatient=[(D(2026, 6, 1), D(2026, 6, 12))],
                          outpatient=days(D(2026, 6, 12), 6))
    benefit = injury_benefit(policy, treatment, separate_bands(policy))
    assert [(line.label, line.basis, line.amount) for line in benefit.lines] == [
        ("入院保険金（定額）", "入院 12日（10〜29日の区分）", 30_000),
        ("通院保険金（定額）", "通院 5日（5〜9日の区分）", 5_000)]
    assert benefit.amount == 35_000


def test_the_same_days_on_one_combined_table_pay_one_band() -> None:
    # the treatment above on the combined table: 12 + 5 = 17 days → 5〜30日 30,000
    policy = ube(benefit_mode=BenefitMode.BANDED)
    treatment = Treatment(accident_date=D(2026, 6, 1), inpatient=[(D(2026, 6, 1), D(2026, 6, 12))],
                          outpatient=days(D(2026, 6, 12), 6))
    benefit = injury_benefit(policy, treatment, separate_bands(policy))
    assert [(line.label, line.basis, line.amount) for line in benefit.lines] == [
        ("入院・通院保険金（定額）", "治療日数 17日（事故の日から180日以内）：5〜30日の区分", 30_000)]


def test_separate_tables_with_outpatient_days_only_give_one_line() -> None:
    # 10 visits → 通院 10日以上 10,000; no inpatient day, no inpatient line
    policy = separate()
    benefit = injury_benefit(policy, Treatment(accident_date=D(2026, 6, 1), outpatient=days(D(2026, 6, 1), 10)),
                             separate_bands(policy))
    assert [(line.label, line.basis, line.amount) for line in benefit.lines] == [
        ("通院保険金（定額）", "通院 10日（10日以上の区分）", 10_000)]


def test_separate_tables_count_each_within_the_window_and_say_so() -> None:
    # window 30 days from 6/01 ends 6/30: 入院 6/20–7/04 = 15 days, 11 within (6/20–6/30) → 10〜29日 30,000;
    # visits 7/05–7/07 all outside → no outpatient line
    policy = separate(banded_window_days=30)
    treatment = Treatment(accident_date=D(2026, 6, 1), inpatient=[(D(2026, 6, 20), D(2026, 7, 4))],
                          outpatient=days(D(2026, 7, 5), 3))
    benefit = injury_benefit(policy, treatment, separate_bands(policy))
    assert [(line.basis, line.amount) for line in benefit.lines] == [
        ("入院 15日のうち事故の日から30日以内 11日（10〜29日の区分）", 30_000)]


def test_days_below_a_tables_first_band_pay_nothing_and_the_line_says_why() -> None:
    # an outpatient table from 5 days: 3 visits → 0, with the reason; the inpatient line is paid
    policy = separate()
    tables = [b for b in separate_bands(policy) if not (b.table == BandTable.OUTPATIENT and b.lower_days < 5)]
    treatment = Treatment(accident_date=D(2026, 6, 1), inpatient=[(D(2026, 6, 1), D(2026, 6, 2))],
                          outpatient=days(D(2026, 6, 3), 3))
    benefit = injury_benefit(policy, treatment, tables)
    assert amounts(benefit) == {"入院保険金（定額）": 10_000, "通院保険金（定額）": 0}
    assert benefit.lines[1].basis == "通院 3日：この日数に当たる段階がありません"


def test_the_bands_as_the_policy_reads_them_from_the_database(db) -> None:  # type: ignore[no-untyped-def]
    policy = separate()
    policy.save()
    BenefitBand.objects.bulk_create(separate_bands(policy))
    treatment = Treatment(accident_date=D(2026, 6, 1), inpatient=[(D(2026, 6, 1), D(2026, 7, 5))],
                          outpatient=days(D(2026, 7, 6), 4))
    # 入院 35 days → 30日以上 60,000; 通院 4 days → 1〜4日 2,000
    assert amounts(injury_benefit(policy, treatment)) == {"入院保険金（定額）": 60_000, "通院保険金（定額）": 2_000}


def test_a_band_reads_as_the_yoko_writes_it() -> None:
    policy = separate()
    assert [str(b) for b in separate_bands(policy)][2:5] == ["31日以上：100,000円", "入院 1〜9日：10,000円",
                                                            "入院 10〜29日：30,000円"]
    assert BenefitBand(policy=policy, lower_days=7, upper_days=7, amount=1).days_text == "7日"


def test_bodily_liability_per_person_and_per_accident_with_the_deductible() -> None:
    # 150M → 100M (per person) + 50M = 150M, less the 5,000 deductible = 149,995,000
    benefit = liability_payable(ube(), bodily=[150_000_000, 50_000_000])
    assert benefit.amount == 149_995_000
    # four people at 100M each: 400M → 300M per accident, less 5,000
    assert liability_payable(ube(), bodily=[100_000_000] * 4).amount == 299_995_000


def test_property_and_custody_limits_and_one_deductible_per_accident() -> None:
    # property 7M → 5M; custody 30,000 with no custody cover → 0; deductible once: 5,000,000 − 5,000
    policy = ube(liability_custody_per_accident=0)
    assert liability_payable(policy, property_damage=7_000_000, custody_damage=30_000).amount == 4_995_000
    # damage below the deductible: nothing is paid (never negative)
    assert liability_payable(ube(), property_damage=3_000).amount == 0


@pytest.mark.parametrize("bad", [-1, True, 1.5])
def test_liability_refuses_bad_damages(bad: object) -> None:
    with pytest.raises(BenefitInputError):
        liability_payable(ube(), property_damage=bad)  # type: ignore[arg-type]


def test_treatment_before_the_accident_or_inverted_periods_are_refused() -> None:
    with pytest.raises(BenefitInputError, match="事故の日より前"):
        injury_benefit(ube(), Treatment(accident_date=D(2026, 6, 1), inpatient=[(D(2026, 5, 31), D(2026, 6, 2))]))
    with pytest.raises(BenefitInputError, match="始まり"):
        injury_benefit(ube(), Treatment(accident_date=D(2026, 6, 1), inpatient=[(D(2026, 6, 5), D(2026, 6, 2))]))
    with pytest.raises(BenefitInputError, match="通院日"):
        injury_benefit(ube(), Treatment(accident_date=D(2026, 6, 1), outpatient=[D(2026, 5, 1)]))


def test_an_outpatient_day_inside_a_stay_is_explained_not_just_dropped() -> None:
    """The group counts 5 visits; the policy pays 4 because the discharge day is an inpatient day: the line says
    so, so that the group and the insurer see the same count."""
    accident = D(2026, 11, 20)
    treatment = Treatment(accident, inpatient=[(D(2026, 11, 20), D(2026, 11, 24))],
                          outpatient=days(D(2026, 11, 24), 5))
    line = next(line for line in injury_benefit(ube(), treatment).lines if line.label == "通院保険金")
    assert line.amount == 4 * 2_000
    assert line.basis.startswith("通院 5日（入院日と重なる1日を除き 4日）のうち")


# Careless treatment records and what they are worth: a death recorded together with a disability share, the
# most that one person's injury can be paid for death and disability together.


def _policy() -> InsurancePolicy:
    return InsurancePolicy(fiscal_year=2026, insurer="テスト", policy_number="T", period_start=dt.date(2026, 4, 1),
                           period_end=dt.date(2027, 3, 31), death_benefit=5_000_000, disability_min=90_000,
                           inpatient_daily=3_000)


@pytest.mark.django_db
@pytest.mark.parametrize("percent,disability", [(Decimal(100), 5_000_000), (Decimal(4), 200_000),
                                                (Decimal("0.5"), 90_000)])
def test_regression_death_and_disability_together_are_paid_up_to_the_death_benefit(percent, disability) -> None:
    """傷害保険の約款: 後遺障害保険金 and 死亡保険金 together are limited to the 保険金額; the death benefit is the
    保険金額 less the disability benefit. Both ticked on one claim computed 10,000,000円 for a 5,000,000円 cover."""
    benefit = injury_benefit(_policy(), Treatment(accident_date=dt.date(2026, 6, 1), died=True,
                                                  disability_percent=percent))
    assert [(line.label, line.amount) for line in benefit.lines] == [
        ("死亡保険金", 5_000_000 - disability), ("後遺障害保険金", disability)]
    assert benefit.amount == 5_000_000
    assert "後遺障害保険金" in benefit.lines[0].basis and f"{disability:,}円" in benefit.lines[0].basis


@pytest.mark.django_db
def test_death_alone_and_disability_alone_are_unchanged() -> None:
    accident = dt.date(2026, 6, 1)
    assert [(line.label, line.basis, line.amount) for line in injury_benefit(
        _policy(), Treatment(accident_date=accident, died=True)).lines] == [("死亡保険金", "定額", 5_000_000)]
    assert injury_benefit(_policy(), Treatment(accident_date=accident, disability_percent=Decimal(4))).amount == 200_000


@pytest.mark.django_db
def test_regression_inpatient_days_are_paid_on_top_of_the_capped_death_and_disability() -> None:
    accident = dt.date(2026, 6, 1)
    benefit = injury_benefit(_policy(), Treatment(accident_date=accident, died=True, disability_percent=Decimal(10),
                                                  inpatient=[(accident, accident + dt.timedelta(days=2))]))
    assert benefit.amount == 5_000_000 + 9_000


@pytest.mark.django_db
def test_regression_a_claim_filed_with_both_keeps_the_capped_amount(group_a, insurance) -> None:
    report = builders.covered_report(group_a.head, insurance, group_a.organization)
    claim = claims.send_claim_forms(actor=insurance, report_id=report.pk, person_id=report.persons.get().pk)
    claims.record_treatment(actor=group_a.head, claim_id=claim.pk, in_treatment=True, recovered_on=None, died=True,
                            disability_percent="100")
    for kind in ("claim_form", "medical"):
        claims.add_claim_document(actor=group_a.head, claim_id=claim.pk, kind=kind, title=kind, upload=builders.pdf())
    filed = claims.file_claim(actor=group_a.head, claim_id=claim.pk)
    assert filed.computed_amount == 5_000_000


@pytest.mark.django_db
def test_regression_overlapping_inpatient_stays_are_refused(client, group_a, insurance) -> None:
    """The same stay typed on two rows was kept: the amount counted its days once, the insurer's document set
    listed 「入院 6日」 for three days in hospital."""
    from django.urls import reverse

    from grants.insurance.models import InpatientPeriod
    from tests.cases.steps import login

    report = builders.covered_report(group_a.head, insurance, group_a.organization)
    claim = claims.send_claim_forms(actor=insurance, report_id=report.pk, person_id=report.persons.get().pk)
    first = report.accident_date
    data = {"state": "in_treatment", "surgeries_inpatient": 0, "surgeries_outpatient": 0}
    for row, (a, b) in enumerate(((first, first + dt.timedelta(days=2)), (first + dt.timedelta(days=2),
                                                                          first + dt.timedelta(days=3))), start=1):
        data[f"inpatient_{row}_first"], data[f"inpatient_{row}_last"] = a.isoformat(), b.isoformat()
    response = login(client, group_a.head).post(reverse("insurance_claim_treatment", args=[claim.pk]), data)
    assert response.status_code == 200
    assert "入院期間: 重なっている期間があります" in response.content.decode()
    assert InpatientPeriod.objects.filter(claim=claim).count() == 0


@pytest.mark.django_db
def test_stays_that_follow_each_other_are_kept(group_a, insurance) -> None:
    report = builders.covered_report(group_a.head, insurance, group_a.organization)
    claim = claims.send_claim_forms(actor=insurance, report_id=report.pk, person_id=report.persons.get().pk)
    day = report.accident_date
    claims.record_treatment(actor=group_a.head, claim_id=claim.pk, in_treatment=True, recovered_on=None,
                            inpatient=[(day + dt.timedelta(days=3), day + dt.timedelta(days=4)),
                                       (day, day + dt.timedelta(days=2))])
    assert claim.inpatient.count() == 2
