"""実績報告 deadlines (grants/cases/overdue.py): the computation at its boundaries (due today, due yesterday, the
last day of the 14-day window, a fixed date earlier than completion + N days), which completion date counts, which
cases are in, and a fixed number of queries. The page: tests/pages/test_councils_overdue.py."""
import datetime as dt

import pytest

from grants.cases.models import GrantCase, PerformanceReport, Status, report_due_date
from grants.cases.overdue import report_deadlines
from grants.core.deadlines import DayCounting
from grants.programmes.models import ProgrammeYear
from tests import factories
from tests.cases.deadlines import DUE_DAYS, case, completed
from tests.councils import builders

pytestmark = pytest.mark.django_db


def by_case(rows):  # type: ignore[no-untyped-def]
    return {row.case.pk: row for row in rows}


def test_due_today_is_not_yet_overdue_due_yesterday_is(year, today):
    due_today = case(year, "A", completion_deadline=completed(today, 0))
    due_yesterday = case(year, "B", completion_deadline=completed(today, 1))
    rows = by_case(report_deadlines(today=today))
    assert (rows[due_today.pk].due_on, rows[due_today.pk].days_overdue) == (today, 0)
    assert not rows[due_today.pk].overdue and rows[due_today.pk].days_left == 0
    assert (rows[due_yesterday.pk].due_on, rows[due_yesterday.pk].days_overdue) == (today - dt.timedelta(days=1), 1)
    assert rows[due_yesterday.pk].overdue


def test_window_ends_on_the_fourteenth_day(year, today):
    last_day = case(year, "A", completion_deadline=completed(today, -14))
    beyond = case(year, "B", completion_deadline=completed(today, -15))
    rows = by_case(report_deadlines(today=today))
    assert rows[last_day.pk].days_left == 14 and beyond.pk not in rows


def test_fixed_date_earlier_than_completion_plus_n_wins(today):
    fixed = today - dt.timedelta(days=2)
    py = builders.unei_year(report_due_days=DUE_DAYS, report_due_fixed=fixed)
    late = case(py, "A", completion_deadline=today - dt.timedelta(days=10))  # completion + 30 = today + 20
    early = case(py, "B", completion_deadline=today - dt.timedelta(days=40))  # completion + 30 = today − 10
    rows = by_case(report_deadlines(today=today))
    assert (rows[late.pk].due_on, rows[late.pk].days_overdue) == (fixed, 2)
    assert (rows[early.pk].due_on, rows[early.pk].days_overdue) == (today - dt.timedelta(days=10), 10)


def test_fixed_date_alone_when_no_days_are_set(today):
    py = builders.unei_year(report_due_days=None, report_due_fixed=today - dt.timedelta(days=3))
    only_fixed = case(py, "A")
    row = by_case(report_deadlines(today=today))[only_fixed.pk]
    assert (row.due_on, row.days_overdue) == (today - dt.timedelta(days=3), 3)


def test_completion_date_draft_report_then_deadline_then_project_end(year, today):
    secretary = factories.UserFactory(username="sec", role="association_head")
    # A saved (draft) report counts, even when the decided deadline is later.
    reported = case(year, "A", completion_deadline=today)
    PerformanceReport.objects.create(case=reported, narrative="実施した", completed_on=completed(today, 10),
                                     updated_by=secretary)
    deadline = case(year, "B", completion_deadline=completed(today, 4), project_end=today)
    project_end = case(year, "C", project_end=completed(today, 5))
    rows = by_case(report_deadlines(today=today))
    assert (rows[reported.pk].days_overdue, rows[reported.pk].completed_basis) == (10, "事業完了日（実績報告の下書き）")
    assert (rows[deadline.pk].days_overdue, rows[deadline.pk].completed_basis) == (4, "完了期限（交付決定）")
    assert (rows[project_end.pk].days_overdue, rows[project_end.pk].completed_basis) == (5, "完了予定日（交付申請）")


def test_only_full_lifecycle_cases_awaiting_the_report(year, today, programme_year):
    past = completed(today, 3)
    included = [case(year, code, status=status, completion_deadline=past)
                for code, status in (("A", Status.DECIDED), ("B", Status.CHANGE_REQUESTED),
                                     ("C", Status.CHANGE_CHECKED))]
    for code, status in (("D", Status.DRAFT), ("E", Status.REPORTED), ("F", Status.REPORT_VERIFIED),
                         ("G", Status.CONFIRMED), ("H", Status.CANCELLED), ("I", Status.CLOSED)):
        case(year, code, status=status, completion_deadline=past)
    # A simple-lifecycle (自治会) case in a decided state is not a 実績報告 of this kind.
    simple = GrantCase.objects.create(programme_year=programme_year, organization=factories.AssociationFactory())
    GrantCase.objects.filter(pk=simple.pk).update(status=Status.DECIDED)
    assert sorted(by_case(report_deadlines(today=today))) == sorted(c.pk for c in included)


def test_no_due_date_means_no_row(today):
    py = builders.unei_year(report_due_days=None, report_due_fixed=None)
    case(py, "A", completion_deadline=today - dt.timedelta(days=100))
    assert report_deadlines(today=today) == []


def test_rows_sorted_by_due_date_and_one_query_whatever_the_number(year, today, django_assert_num_queries):
    secretary = factories.UserFactory(username="sec", role="association_head")
    for n, days_ago in enumerate((3, 9, -2, 0, 5, -7)):
        made = case(year, f"X{n}", completion_deadline=today)
        if n % 2:
            PerformanceReport.objects.create(case=made, narrative="x", completed_on=completed(today, days_ago),
                                             updated_by=secretary)
        else:
            GrantCase.objects.filter(pk=made.pk).update(completion_deadline=completed(today, days_ago))
    with django_assert_num_queries(1):
        rows = report_deadlines(today=today)
        names = [(r.case.organization.name, r.case.programme_year.programme.name, r.case.organization.area.name)
                 for r in rows]
    assert [r.days_overdue for r in rows] == [9, 5, 3, 0, -2, -7]
    assert len(names) == 6


# The counting of the days is data (issue 12 §6): 翌日起算 (the default, as before) or 初日算入.

@pytest.mark.parametrize(("counting", "due"), [
    (DayCounting.NEXT_DAY, dt.date(2027, 3, 20)),  # 「完了した日の翌日から起算して30日以内」: 2/19 is day 1
    (DayCounting.INCLUSIVE, dt.date(2027, 3, 19)),  # 「完了した日を含めて30日以内」: 2/18 is day 1
])
def test_report_due_date_by_each_counting(counting: DayCounting, due: dt.date) -> None:
    rule = ProgrammeYear(report_due_days=30, report_due_counting=counting)
    assert report_due_date(rule, dt.date(2027, 2, 18)) == due


def test_report_due_date_across_the_leap_day() -> None:
    rule = ProgrammeYear(report_due_days=20, report_due_counting=DayCounting.INCLUSIVE)
    assert report_due_date(rule, dt.date(2028, 2, 10)) == dt.date(2028, 2, 29)
    rule.report_due_counting = DayCounting.NEXT_DAY
    assert report_due_date(rule, dt.date(2028, 2, 10)) == dt.date(2028, 3, 1)


def test_a_rule_counts_from_the_next_day_unless_told() -> None:
    """Existing rules keep their due dates: completion + days was 翌日起算."""
    assert ProgrammeYear().report_due_counting == DayCounting.NEXT_DAY
    assert ProgrammeYear().refund_due_counting == DayCounting.NEXT_DAY


def test_an_inclusive_rule_is_overdue_a_day_sooner(today):  # type: ignore[no-untyped-def]
    py = builders.unei_year(report_due_days=DUE_DAYS, report_due_fixed=today + dt.timedelta(days=365),
                            report_due_counting=DayCounting.INCLUSIVE)
    due_yesterday = case(py, "A", completion_deadline=completed(today, 0))  # completion + 29 = yesterday
    row = by_case(report_deadlines(today=today))[due_yesterday.pk]
    assert (row.due_on, row.days_overdue, row.overdue) == (today - dt.timedelta(days=1), 1, True)
