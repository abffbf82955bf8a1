"""The ledger's admin list (issue 16: 112 queries at 25 rows, 412 at 100): every row's columns come with the page's
one query, so the count is the same whatever the page size and the number of programme-years; its filters keep
their meaning and the ledger stays read-only there."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from grants.ledger.admin import EstimatedCountPaginator, LedgerEntryAdmin
from grants.ledger.models import EntryKind, LedgerEntry
from tests.ledger.entries import years

pytestmark = pytest.mark.django_db

MAX_QUERIES = 10
URL = reverse("admin:ledger_ledgerentry_changelist")


def queries(client, **query: str) -> int:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as captured:
        response = client.get(URL, query)
    assert response.status_code == 200
    return len(captured)


def test_the_changelist_costs_the_same_queries_at_any_page_size_and_number_of_years(client, root,
                                                                                   monkeypatch) -> None:  # type: ignore[no-untyped-def]
    years(1, cases=2, entries_per_case=2)
    monkeypatch.setattr(LedgerEntryAdmin, "list_per_page", 25)
    few = queries(client)
    made = years(4, cases=10, entries_per_case=10)
    at_25 = queries(client)
    monkeypatch.setattr(LedgerEntryAdmin, "list_per_page", 100)
    at_100, filtered = queries(client), queries(client, kind="payment", account=str(made[1].account.pk))
    assert few == at_25 == at_100 == filtered <= MAX_QUERIES


def test_newest_first_and_the_filters_select_their_rows(client, root) -> None:  # type: ignore[no-untyped-def]
    made = years(2, cases=3, entries_per_case=4)
    response = client.get(URL)
    shown = [entry.pk for entry in response.context["cl"].result_list]
    assert shown == list(LedgerEntry.objects.order_by("-entry_date", "-pk").values_list("pk", flat=True))[:50]
    response = client.get(URL, {"account": str(made[0].account.pk), "kind": "commitment"})
    assert {e.pk for e in response.context["cl"].result_list} == set(
        LedgerEntry.objects.filter(account=made[0].account, kind=EntryKind.COMMITMENT).values_list("pk", flat=True))
    html = response.content.decode()
    assert str(made[0].programme_year) in html and "1,000円" in html


@pytest.mark.parametrize("value", ["x", "-1", "9" * 30])
def test_an_account_filter_not_understood_lists_nothing(client, root, value) -> None:  # type: ignore[no-untyped-def]
    years(1)
    response = client.get(URL, {"account": value})
    assert response.status_code == 200 and list(response.context["cl"].result_list) == []



def test_a_long_list_is_counted_without_reading_it_all(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Up to ``exact_up_to`` rows the count is exact; beyond, PostgreSQL's estimate (never below what was counted),
    elsewhere the exact count."""
    years(1, cases=3, entries_per_case=2)  # 7 entries
    monkeypatch.setattr(EstimatedCountPaginator, "exact_up_to", 10)
    assert EstimatedCountPaginator(LedgerEntry.objects.order_by("pk"), 5).count == 7
    monkeypatch.setattr(EstimatedCountPaginator, "exact_up_to", 3)
    count = EstimatedCountPaginator(LedgerEntry.objects.order_by("pk"), 5).count
    assert count == 7 if connection.vendor != "postgresql" else count >= 4


def test_a_count_that_falls_short_leaves_no_entry_out_of_reach(client, root, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """An estimate below the truth (two filters picking the same rows, taken as independent by the planner) must
    not hide the oldest entries: a page past the counted ones is served while it has rows (attack review)."""
    years(1, cases=3, entries_per_case=4)  # 13 entries
    monkeypatch.setattr(LedgerEntryAdmin, "list_per_page", 5)
    monkeypatch.setattr(EstimatedCountPaginator, "count", 6)  # as a short estimate would say: 2 pages
    oldest = list(LedgerEntry.objects.order_by("-entry_date", "-pk").values_list("pk", flat=True))[10:]
    response = client.get(URL, {"p": "3"})
    assert response.status_code == 200
    assert [entry.pk for entry in response.context["cl"].result_list] == oldest
    assert client.get(URL, {"p": "4"}).status_code == 302  # past the rows: the admin's 「ページがありません」
