"""The outpatient days are typed (or pasted) into one textarea: thousands of lines of garbage, ranges that
together list millions of days, or the same range pasted over and over must be answered with a short list of
what is wrong, never a page with one message per line or a server that counts days for minutes."""
import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from grants.insurance import claims
from grants.insurance.models import OutpatientVisit
from pages.insurance.forms import MAX_LINE_ERRORS, parse_outpatient_days
from tests.insurance import builders
from tests.insurance.pages import accesses, login

pytestmark = pytest.mark.django_db


def _messages(text: str) -> list[str]:
    with pytest.raises(ValidationError) as refused:
        parse_outpatient_days(text)
    return refused.value.messages


def test_regression_garbage_lines_get_a_few_messages_not_one_each() -> None:
    messages = _messages("きのう\n" * 20_000)
    assert len(messages) == MAX_LINE_ERRORS + 1
    assert messages[0] == "1行目: 「きのう」を日付として読めません。2026-05-01 の形で入力してください。"
    assert messages[-1] == f"ほかに{20_000 - MAX_LINE_ERRORS:,}行、読めない行があります。"


def test_regression_a_huge_line_is_not_echoed_whole() -> None:
    messages = _messages("x" * 100_000)
    assert len(messages) == 1 and len(messages[0]) < 120
    assert messages[0].startswith("1行目: 「xxxxxxxxxxxxxxxxxxxx…」を日付として読めません。")


def test_regression_ranges_stop_being_counted_at_the_limit() -> None:
    """Ranges of 999 days each across the calendar would list millions of days; the count stops past 1,000."""
    lines, start = [], dt.date(1, 1, 1)
    for _ in range(3_000):
        end = start + dt.timedelta(days=998)
        lines.append(f"{start.isoformat()}〜{end.isoformat()}")
        start = end + dt.timedelta(days=1)
    lines.append("ごみ")  # past the limit: not read any more
    assert _messages("\n".join(lines)) == ["通院日は1000日以内で入力してください。"]


def test_regression_the_same_range_pasted_again_and_again_counts_each_time() -> None:
    assert _messages("2026-05-01〜2026-05-31\n" * 50_000) == ["通院日は1000日以内で入力してください。"]


def test_the_limit_itself_is_accepted_and_repeats_below_it_are_merged() -> None:
    start = dt.date(2024, 1, 1)
    exactly = f"{start:%Y-%m-%d}〜{start + dt.timedelta(days=999):%Y-%m-%d}"
    assert len(parse_outpatient_days(exactly)) == 1000
    assert parse_outpatient_days("2026-05-01\n2026-05-01〜2026-05-02") == [dt.date(2026, 5, 1), dt.date(2026, 5, 2)]
    assert _messages(exactly + "\n2030-01-01") == ["通院日は1000日以内で入力してください。"]


def test_regression_wrong_lines_and_too_many_days_are_both_named() -> None:
    start = dt.date(2024, 1, 1)
    text = f"ごみ\n{start:%Y-%m-%d}〜{start + dt.timedelta(days=999):%Y-%m-%d}\n2030-01-01"
    assert _messages(text) == ["1行目: 「ごみ」を日付として読めません。2026-05-01 の形で入力してください。",
                               "通院日は1000日以内で入力してください。"]


def test_regression_the_claim_page_answers_pasted_garbage_with_a_short_page(client, group_a, insurance) -> None:
    report = builders.covered_report(group_a.head, insurance, group_a.organization)
    claim = claims.send_claim_forms(actor=insurance, report_id=report.pk, person_id=report.persons.get().pk)
    visits = OutpatientVisit.objects.count()
    response = login(client, group_a.head).post(reverse("insurance_claim_treatment", args=[claim.pk]), {
        "state": "in_treatment", "outpatient": "x\n" * 20_000, "surgeries_inpatient": 0,
        "surgeries_outpatient": 0})
    assert response.status_code == 200
    page = response.content.decode()
    assert len(response.content) < 200_000
    assert "ほかに19,990行、読めない行があります。" in page
    assert OutpatientVisit.objects.count() == visits
    assert accesses() == [("head", "claim_page", claim.pk, f"請求 {claim.number}")]
