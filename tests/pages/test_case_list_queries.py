"""The 案件一覧's cost does not grow with the data: the same number of queries (at most 10) with 1 or 3
programme-years and 25 or 100 cases a page, first page or later, sorted by a column or by case number; and its
order by case number (the default: 年度 newest first, then programme, then number), read programme-year by
programme-year (grants.cases.querysets.CaseNumberOrder), is the order an ORDER BY across the join would give,
page after page. The admin changelist's: tests/cases/test_admin_queries.py."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from grants.cases.models import GrantCase, Status
from grants.cases.querysets import YEARS_NEWEST_FIRST, YEARS_OLDEST_FIRST, YEARS_REVERSED, CaseNumberOrder
from tests import factories

pytestmark = pytest.mark.django_db

MAX_QUERIES = 10


def build(years: int, per_year: int, first_year: int = 2024) -> None:
    """``years`` programme-years (two programmes, 年度 ``first_year`` on), each with ``per_year`` cases of its own
    associations, in two states."""
    for i in range(years):
        year = factories.rule(fiscal_year=first_year + i // 2, code=("jichi_shinko", "katsudo")[i % 2])
        for n in range(per_year):
            case = GrantCase.objects.create(programme_year=year, organization=factories.AssociationFactory(),
                                            computed_amount=10_000 + n)
            if n % 2:
                GrantCase.objects.filter(pk=case.pk).update(status=Status.SUBMITTED)


def queries(client, query: str = "") -> int:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("case_list") + query)
    assert response.status_code == 200
    return len(captured)


QUERIES = ["", "?page=2", "?sort=reference", "?sort=-reference&page=2", "?sort=-computed_amount&page=2",
           "?sort=organization__code", f"?status={Status.SUBMITTED}&page=2"]


@pytest.mark.parametrize("query", QUERIES)
def test_the_list_makes_as_many_queries_with_three_programme_years_and_100_rows_as_with_one_and_25(
        client, staff, monkeypatch, query):  # type: ignore[no-untyped-def]
    client.force_login(staff)
    build(years=1, per_year=60)
    monkeypatch.setattr("pages.cases.views.PER_PAGE", 25)
    small = queries(client, query)
    build(years=3, per_year=70, first_year=2030)
    monkeypatch.setattr("pages.cases.views.PER_PAGE", 100)
    large = queries(client, query)
    assert small == large <= MAX_QUERIES


def test_an_association_head_s_list_makes_no_more_queries_than_staff_s(
        client, staff, association, association_head):  # type: ignore[no-untyped-def]
    build(years=3, per_year=5)
    for fiscal_year in (2024, 2025):
        GrantCase.objects.create(programme_year=factories.rule(fiscal_year=fiscal_year, code="head"),
                                 organization=association)
    client.force_login(association_head)
    assert queries(client) <= MAX_QUERIES
    assert queries(client, "?page=2") <= MAX_QUERIES


def shown(client, query: str) -> list[int]:  # type: ignore[no-untyped-def]
    """The ids of the cases on the list's page, in the order shown (its checkboxes, one per row)."""
    return [row.record.pk for row in client.get(reverse("case_list") + query).context["table"].page.object_list]


@pytest.mark.parametrize(("query", "order"), [
    ("", ("-programme_year__fiscal_year", "programme_year__programme__code", "number")),
    ("sort=reference", ("programme_year__fiscal_year", "programme_year__programme__code", "number")),
    ("sort=-reference", ("-programme_year__fiscal_year", "-programme_year__programme__code", "-number")),
    (f"status={Status.SUBMITTED}", ("-programme_year__fiscal_year", "programme_year__programme__code", "number")),
])
def test_pages_by_case_number_follow_one_another_in_the_order_of_a_sort_across_the_join(
        client, staff, monkeypatch, query, order):  # type: ignore[no-untyped-def]
    build(years=4, per_year=7)
    monkeypatch.setattr("pages.cases.views.PER_PAGE", 5)
    client.force_login(staff)
    expected = GrantCase.objects.all()
    if "status" in query:
        expected = expected.filter(status=Status.SUBMITTED)
    expected_ids = list(expected.order_by(*order).values_list("pk", flat=True))
    pages = [shown(client, f"?{query}&page={page}") for page in range(1, len(expected_ids) // 5 + 2)]
    assert [pk for page in pages for pk in page] == expected_ids


@pytest.mark.parametrize(("years", "numbers", "order"), [
    (YEARS_NEWEST_FIRST, "number", ("-programme_year__fiscal_year", "programme_year__programme__code", "number")),
    (YEARS_OLDEST_FIRST, "number", ("programme_year__fiscal_year", "programme_year__programme__code", "number")),
    (YEARS_REVERSED, "-number", ("-programme_year__fiscal_year", "-programme_year__programme__code", "-number")),
])
def test_any_slice_by_case_number_is_that_slice_of_the_sort_across_the_join(years, numbers, order):  # type: ignore[no-untyped-def]
    build(years=3, per_year=4)
    expected = list(GrantCase.objects.order_by(*order).values_list("pk", flat=True))
    for start in range(len(expected) + 1):
        for stop in {start, start + 1, start + 5, len(expected) + 2}:
            got = CaseNumberOrder(GrantCase.objects.all(), years=years, numbers=numbers)[start:stop]
            assert [case.pk for case in got] == expected[start:stop], (start, stop)
    assert CaseNumberOrder(GrantCase.objects.all()).count() == len(expected)
    assert CaseNumberOrder(GrantCase.objects.none())[0:5] == []
    assert CaseNumberOrder(GrantCase.objects.none()).count() == 0


def test_a_filter_that_cannot_be_read_shows_an_empty_list_by_case_number(client, staff):  # type: ignore[no-untyped-def]
    build(years=2, per_year=3)
    client.force_login(staff)
    assert shown(client, "?computed_min=abc") == []


@pytest.mark.parametrize("sort", ["status", "-status", "household_count", "-computed_amount", "decided_amount",
                                  "organization__area__name"])
def test_a_sort_by_a_shared_value_shows_every_case_once_across_pages(client, staff, monkeypatch, sort):  # type: ignore[no-untyped-def]
    """Many cases share a 状態, an amount or a 地域: the sort ends with the case's id, so that each page takes up
    where the last ended (attack review: on PostgreSQL one case came twice and another never)."""
    build(years=3, per_year=9)
    monkeypatch.setattr("pages.cases.views.PER_PAGE", 5)
    client.force_login(staff)
    total = GrantCase.objects.count()
    seen = [pk for page in range(1, total // 5 + 2) for pk in shown(client, f"?sort={sort}&page={page}")]
    assert sorted(seen) == sorted(GrantCase.objects.values_list("pk", flat=True))
    field = sort.lstrip("-")
    expected = list(GrantCase.objects.order_by(sort, f"{sort[0] if sort[0] == '-' else ''}pk")
                    .values_list("pk", flat=True)) if "__" not in field else None
    if expected is not None:
        assert seen == expected
