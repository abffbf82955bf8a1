"""地域づくり協議会の管理費割合 (grants.councils.stats): the share per council and 年度, the amount each state of a
case counts, the order of the councils, a council's history, and the number of queries.

Past-year figures are GrantCase rows created directly in their final state: they are data, not a process. The
current year's case goes through the real services (tests/councils/builders.py and helpers.py)."""
import datetime as dt
from decimal import Decimal
from fractions import Fraction

import pytest

from grants.cases import lifecycle
from grants.cases.models import GrantCase, Status
from grants.councils.stats import (
    KATSUDO_SHIEN,
    UNEI_SHIEN,
    CouncilYear,
    by_share,
    council_history,
    council_shares,
    council_years,
)
from grants.organizations.models import Organization
from tests import factories
from tests.councils import builders
from tests.councils.builders import area, closed, council_of, councils_with_history, grant, yuda
from tests.councils.helpers import decide, line
from tests.councils.steps import paid, reported
from tests.factories import CURRENT_FY

pytestmark = pytest.mark.django_db


def row_of(rows: list[CouncilYear], org: Organization) -> CouncilYear:
    (row,) = [r for r in rows if r.organization_id == org.pk]
    return row


def test_yuda_fy2023_is_46_8_percent_of_10_261_000_yen() -> None:
    # given 湯田's FY2023 grants as closed cases: 運営支援 confirmed 4,802,000 (decided 5,000,000) and 活動支援
    # confirmed 5,459,000 (decided 6,000,000)
    council = council_of(yuda())
    closed(council, UNEI_SHIEN, 2023, 4_802_000, decided=5_000_000)
    closed(council, KATSUDO_SHIEN, 2023, 5_459_000, decided=6_000_000)

    # when the shares of 2023 are read
    row = row_of(council_shares(2023), council)

    # then the confirmed amounts count, and the share is 4,802,000 / 10,261,000 = 46.798… → 46.8 %
    assert (row.area_name, row.name, row.fiscal_year) == ("湯田", "湯田地域づくり協議会", 2023)
    assert (row.unei, row.katsudo, row.total) == (4_802_000, 5_459_000, 10_261_000)
    assert row.share == Fraction(4_802_000, 10_261_000)
    assert row.share_tenths == 468
    assert row.share_percent == Decimal("46.8")
    assert row.share_ratio == Decimal("0.468")
    assert row.share_display == "46.8%"


@pytest.mark.parametrize(("unei", "katsudo", "shown"), [
    (4_802_000, 5_459_000, "46.8%"),
    (4_685, 5_315, "46.9%"),  # exactly 46.85 %: half up (a float would give 46.849999… → 46.8)
    (1, 1_999, "0.1%"),  # exactly 0.05 %: half up, not to even
    (1, 2_001, "0.0%"),  # just below 0.05 %
    (2_000_000, None, "100.0%"),  # 運営支援 only
    (None, 3_000_000, "0.0%"),  # 活動支援 only
    (0, 0, "—"),  # a total of 0 has no share
    (None, None, "—"),  # no total
])
def test_share_is_exact_and_rounded_half_up(unei: int | None, katsudo: int | None, shown: str) -> None:
    row = CouncilYear(organization_id=1, code="K-1", name="協議会", area_code="03", area_name="湯田",
                      fiscal_year=2023, unei=unei, katsudo=katsudo)
    assert row.share_display == shown
    assert isinstance(row.share, Fraction | None)


@pytest.mark.parametrize(("status", "expected"), [
    (Status.DRAFT, None),
    (Status.SUBMITTED, None),
    (Status.VERIFIED, None),
    (Status.NOT_GRANTED, None),
    (Status.DECIDED, 3_000_000),
    (Status.PAID, 3_000_000),
    (Status.CHANGE_REQUESTED, 3_000_000),
    (Status.REPORTED, 3_000_000),
    (Status.REPORT_VERIFIED, 3_000_000),
    (Status.CONFIRMED, 2_500_000),
    (Status.CLOSED, 2_500_000),
    (Status.CANCELLED, 2_500_000),
])
def test_confirmed_amount_once_confirmed_else_decided_amount_once_decided(status: str, expected: int | None) -> None:
    # given a 運営支援 case in ``status``, decided at 3,000,000 and (for the confirmed ones) confirmed at 2,500,000
    council = council_of(yuda())
    decided = None if status in (Status.DRAFT, Status.SUBMITTED, Status.VERIFIED) else 3_000_000
    if status == Status.NOT_GRANTED:
        decided = 0
    confirmed = 2_500_000 if status in (Status.CONFIRMED, Status.CLOSED, Status.CANCELLED) else None
    grant(council, UNEI_SHIEN, CURRENT_FY, status, decided=decided, confirmed=confirmed)

    # when read
    row = row_of(council_shares(CURRENT_FY), council)

    # then the amount is the 確定額, the 交付決定額, or nothing
    assert (row.unei, row.katsudo, row.total) == (expected, None, expected)
    assert row.share_display == ("100.0%" if expected else "—")


def test_a_case_decided_through_the_services_counts_its_decided_amount(staff, approver) -> None:  # type: ignore[no-untyped-def]
    # given a 活動支援 case of 1,000,000 decided through the real services, and no 運営支援 case
    org, secretary = builders.council()
    katsudo = builders.katsudo_year()
    plan = builders.approved_plan(org, staff)
    builders.instalments(katsudo, [(1, 2)])
    case = builders.draft_case(katsudo, org)
    line(case, secretary, category=builders.categories()["genzairyo"], plan_item=builders.item(plan, "1-1-2"),
         amount=1_000_000, description="水路補修の原材料")
    decide(case, secretary, staff, approver)

    # when read
    row = row_of(council_shares(CURRENT_FY), org)

    # then 活動支援 is the decided amount and the share is 0.0 % (no running costs at all)
    assert (row.unei, row.katsudo, row.total, row.share_display) == (None, 1_000_000, 1_000_000, "0.0%")


def test_other_programmes_and_other_kinds_of_organisation_do_not_count() -> None:
    # given a council with a decided case of another programme, and an association (自治会) with a 運営支援 row
    council = council_of(yuda())
    GrantCase.objects.create(programme_year=factories.rule(fiscal_year=CURRENT_FY), organization=council,
                             status=Status.DECIDED, decided_amount=50_000, decided_on=factories.BASE_DATE)
    association = factories.AssociationFactory(area=yuda())
    grant(association, UNEI_SHIEN, CURRENT_FY, Status.DECIDED, decided=1_000_000)

    # when read
    rows = council_shares(CURRENT_FY)

    # then the council has no total and the association is not listed
    assert [(r.organization_id, r.total, r.share_display) for r in rows] == [(council.pk, None, "—")]
    assert council_years() == []


def test_councils_by_share_highest_first_without_share_last() -> None:
    # given four councils in FY2023: 40 %, 60 %, one with nothing decided, and one with only 活動支援 (0 %)
    low, high = council_of(area("01", "大殿")), council_of(area("02", "白石"))
    none_decided, activity_only = council_of(area("04", "小郡")), council_of(area("05", "秋穂"))
    closed(low, UNEI_SHIEN, 2023, 400_000)
    closed(low, KATSUDO_SHIEN, 2023, 600_000)
    closed(high, UNEI_SHIEN, 2023, 600_000)
    closed(high, KATSUDO_SHIEN, 2023, 400_000)
    grant(none_decided, UNEI_SHIEN, 2023, Status.SUBMITTED)
    closed(activity_only, KATSUDO_SHIEN, 2023, 900_000)

    # when read
    rows = council_shares(2023)

    # then highest share first, and the council with no total last, shown 「—」
    assert [(r.area_name, r.share_display) for r in rows] == [
        ("白石", "60.0%"), ("大殿", "40.0%"), ("秋穂", "0.0%"), ("小郡", "—"),
    ]


def test_every_active_council_is_listed_and_an_inactive_one_only_with_a_case() -> None:
    # given an active council without any case, an inactive one without a case, and an inactive one with a
    # case in FY2023
    quiet = council_of(area("01", "大殿"))
    council_of(area("02", "白石"), is_active=False)
    dissolved = council_of(area("04", "小郡"), is_active=False)
    closed(dissolved, UNEI_SHIEN, 2023, 100_000)

    # when read
    rows = council_shares(2023)

    # then the active one is there with 「—」, the dissolved one with its case; the other inactive one is not
    assert [(r.organization_id, r.unei, r.share_display) for r in rows] == [
        (dissolved.pk, 100_000, "100.0%"), (quiet.pk, None, "—"),
    ]


def test_equal_shares_compare_exactly_then_by_area_code() -> None:
    rows = [
        CouncilYear(organization_id=i, code=f"K-{i}", name="x", area_code=code, area_name="x", fiscal_year=2023,
                    unei=unei, katsudo=katsudo)
        for i, (code, unei, katsudo) in enumerate([
            ("09", 1, 2),  # 33.333…%
            ("02", 333, 666),  # 33.333…% exactly the same share
            ("01", 333_334, 666_666),  # 33.3334 %, shown 33.3 % too, but higher
        ])
    ]
    assert [r.area_code for r in by_share(rows)] == ["01", "02", "09"]


def test_history_has_a_row_per_year_oldest_first() -> None:
    # given 湯田's grants in 2021, 2023 (the published pair) and this year (decided only); none in 2022; and
    # another council's grants that must not appear
    council = council_of(yuda())
    closed(council, UNEI_SHIEN, 2021, 4_500_000)
    closed(council, KATSUDO_SHIEN, 2021, 4_500_000)
    closed(council, KATSUDO_SHIEN, 2023, 5_459_000)
    closed(council, UNEI_SHIEN, 2023, 4_802_000)
    grant(council, UNEI_SHIEN, CURRENT_FY, Status.DECIDED, decided=3_000_000)
    other = council_of(area("01", "大殿"))
    closed(other, UNEI_SHIEN, 2022, 1_000)

    # when the history is read
    rows = council_history(council)

    # then one row per year with a case, oldest first, with each year's own share
    assert [(r.fiscal_year, r.unei, r.katsudo, r.total, r.share_display) for r in rows] == [
        (2021, 4_500_000, 4_500_000, 9_000_000, "50.0%"),
        (2023, 4_802_000, 5_459_000, 10_261_000, "46.8%"),
        (CURRENT_FY, 3_000_000, None, 3_000_000, "100.0%"),
    ]
    # and all councils' histories come by 地域コード, then 年度
    assert [(r.area_code, r.fiscal_year) for r in council_years()] == [
        ("01", 2022), ("03", 2021), ("03", 2023), ("03", CURRENT_FY),
    ]


@pytest.mark.parametrize("councils", [2, 10])
def test_one_query_whatever_the_number_of_councils_and_years(councils: int, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    councils_with_history(1, councils)
    first = Organization.objects.order_by("pk").first()
    with django_assert_num_queries(1):
        assert len(council_shares(2023)) == councils
    with django_assert_num_queries(1):
        assert len(council_years()) == 3 * councils
    with django_assert_num_queries(1):
        assert [r.fiscal_year for r in council_history(first.pk)] == [2021, 2022, 2023]


def test_regression_no_share_while_a_case_of_the_year_awaits_its_decision() -> None:
    # given 活動支援 decided at 3,000,000 and a 運営支援 application still under review (the walk-through saw
    # 「0.0%」 here, which would change as soon as 運営支援 is decided)
    council = council_of(yuda())
    grant(council, KATSUDO_SHIEN, CURRENT_FY, Status.DECIDED, decided=3_000_000)
    grant(council, UNEI_SHIEN, CURRENT_FY, Status.SUBMITTED)

    # when read, for the year and in the history
    row = row_of(council_shares(CURRENT_FY), council)
    (history,) = council_history(council)

    # then the amounts are there but no share yet
    assert (row.katsudo, row.total, row.pending, row.share_display) == (3_000_000, 3_000_000, True, "—")
    assert history.share_display == "—"


def test_regression_closed_council_cases_count_as_paid_on_the_dashboard() -> None:
    # the walk-through saw 「うち支払済の件数」 0 for FY2023, where every council case was paid and closed
    from reports.dashboard import area_totals

    council = council_of(yuda())
    case = closed(council, UNEI_SHIEN, 2023, 4_802_000)
    GrantCase.objects.filter(pk=case.pk).update(paid_amount=4_802_000)
    (row,) = [row for row in area_totals(2023) if row.name == "湯田"]
    assert (row.case_count, row.paid_case_count) == (1, 1)


# The dashboard's 管理費割合 and the auditor's council sheets under attack: the amount counted in each state of a
# case, council names and texts that look like HTML or formulas, and dates at the calendar's edges in the lines a
# workbook lists.


def share_of(org, fiscal_year):  # type: ignore[no-untyped-def]
    return next(r for r in council_shares(fiscal_year) if r.organization_id == org.pk)


def test_share_counts_decided_then_confirmed_and_nothing_for_drafts_or_refusals(
        katsudo, unei, council, staff, approver, finance, finance2) -> None:  # type: ignore[no-untyped-def]
    org = council[0]
    case, plan, cats = paid(katsudo, council, staff, approver, finance, finance2)
    row = share_of(org, katsudo.fiscal_year)
    assert (row.unei, row.katsudo, row.share_display) == (None, 1_000_000, "0.0%")
    reported(case, plan, cats, council[1], staff)
    lifecycle.confirm(case_id=case.pk, actor=approver)  # 700,000 confirmed (refund pending)
    unei_case = builders.draft_case(unei, org, start=dt.date(unei.fiscal_year, 4, 1))
    person = builders.staff_member(org, council[1])
    line(unei_case, council[1], category=cats["jinkenhi"], staff=person, amount=2_100_000,
         spent_on=dt.date(unei.fiscal_year, 4, 1))
    row = share_of(org, katsudo.fiscal_year)
    assert (row.unei, row.katsudo) == (None, 700_000)  # a draft counts for nothing
    lifecycle.submit(case_id=unei_case.pk, actor=council[1])
    lifecycle.verify(case_id=unei_case.pk, actor=staff, assessed_amount=2_100_000,
                     completion_deadline=dt.date(unei.fiscal_year + 1, 3, 31))
    from grants.cases.services import refuse_grant

    refuse_grant(case_id=unei_case.pk, actor=approver, note="予算の都合")
    row = share_of(org, katsudo.fiscal_year)
    assert (row.unei, row.katsudo, row.share_percent) == (None, 700_000, Decimal("0.0"))


def test_share_after_cancellation_counts_what_the_grant_keeps(katsudo, unei, council, staff, approver,
                                                             finance, finance2) -> None:  # type: ignore[no-untyped-def]
    case, _, _ = paid(katsudo, council, staff, approver, finance, finance2)
    lifecycle.cancel(case_id=case.pk, actor=approver, note="目的外使用", kept_amount=250_000)
    row = share_of(council[0], katsudo.fiscal_year)
    assert (row.katsudo, row.total, row.share_display) == (250_000, 250_000, "0.0%")
