"""The budget dashboard's reads (reports/dashboard.py) for the competitive programme, 市民活動交流事業補助金: its
programme-year is listed like any other (予算額, 交付決定額, 支出済額, 返還額, 執行可能額), and each call's budget is set
against its decided selection (``call_totals``), in one query. The state goes through the real services
(tests/competitive/builders.py and steps.py)."""
import pytest

from grants.cases import lifecycle
from grants.competitive import selection
from reports.dashboard import CallRow, area_totals, call_totals, programme_totals, sum_area_rows
from tests.competitive import builders, steps
from tests.factories import CURRENT_FY

pytestmark = pytest.mark.django_db


@pytest.fixture
def contest(staff, staff2, approver):  # type: ignore[no-untyped-def]
    """Programme-year budget 3,000,000; a call of 1,000,000 with two applications screened and a draft: one
    selected at 150,000 and decided at 120,000, the other not selected. A second call of 500,000 with one
    application whose selection is only prepared (not decided)."""
    py = builders.programme_year()
    call = builders.call(py, staff)
    good = steps.screening(call, *builders.group(confirmed_by=staff), staff)
    steps.screening(call, *builders.group("circle-head", "大歳まちなか音楽サークル", confirmed_by=staff), staff,
                    title="まちなかコンサート")
    steps.draft(call, *builders.group("draft-head", "下書きの会", confirmed_by=staff), title="下書きの事業")
    steps.decide_selection(call, staff, approver, {good.pk: 150_000})
    lifecycle.verify(case_id=good.pk, actor=staff2, assessed_amount=120_000, completion_deadline=good.project_end,
                     note="会場使用料の一部を対象外としました")
    lifecycle.decide(case_id=good.pk, actor=approver)
    second = builders.call(py, staff, budget=500_000)
    waiting = steps.screening(second, *builders.group("second-head", "第二の会", confirmed_by=staff), staff)
    selection.prepare(call_id=second.pk, actor=staff,
                      lines=[{"case_id": waiting.pk, "selected": True, "amount": 100_000}])
    return {"py": py, "call": call, "second": second}


def test_the_competitive_programme_year_is_listed_with_its_budget_and_decisions(contest) -> None:  # type: ignore[no-untyped-def]
    [row] = programme_totals(CURRENT_FY)

    assert (row.programme_year_id, row.programme_code, row.label) == (
        contest["py"].pk, "shimin_katsudo", str(contest["py"]))
    assert (row.budget, row.committed, row.paid, row.refunded, row.available) == (
        3_000_000, 120_000, 0, 0, 2_880_000)
    # the groups' cases count in their 地域 like any other case: four cases, the decided one committed
    areas = sum_area_rows(area_totals(CURRENT_FY))
    assert (areas.case_count, areas.committed) == (4, 120_000)


def test_each_call_sets_its_budget_against_its_decided_selection(contest) -> None:  # type: ignore[no-untyped-def]
    call, second = contest["call"], contest["second"]

    rows = call_totals(CURRENT_FY)

    assert [(r.call_id, r.budget, r.applications, r.selected_count, r.selected_total, r.remaining) for r in rows] == [
        (call.pk, 1_000_000, 2, 1, 150_000, 850_000),  # the draft is not an application
        (second.pk, 500_000, 1, 0, 0, 500_000),  # a selection not yet decided reserves nothing
    ]
    assert rows[0] == CallRow(call.pk, contest["py"].pk, call.title, "サンプル", call.opens_on, call.closes_on,
                              1_000_000, 2, 1, 150_000)
    assert call_totals(CURRENT_FY - 1) == []


def test_call_totals_take_one_query_whatever_the_number_of_calls(contest, staff, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    with django_assert_num_queries(1):
        assert len(call_totals(CURRENT_FY)) == 2
    builders.call(contest["py"], staff, budget=300_000)
    with django_assert_num_queries(1):
        assert len(call_totals(CURRENT_FY)) == 3
