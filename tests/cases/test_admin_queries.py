"""The admin changelist of cases costs the same number of queries (at most 10) with 1 or 3 programme-years and 25
or 100 cases a page: its 事業・年度 filter names its choices without reading each programme one by one, it counts
the filtered cases once, and in its default order (by case number) its pages follow the order of a sort across the
join, each programme-year read through its index (grants.cases.querysets.CaseNumberOrder)."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from grants.cases.admin import GrantCaseAdmin
from grants.cases.models import GrantCase
from tests import factories

pytestmark = pytest.mark.django_db

MAX_QUERIES = 10
URL = "/admin/cases/grantcase/"


def build(years: int, per_year: int, first_year: int) -> None:
    for i in range(years):
        year = factories.rule(fiscal_year=first_year + i // 2, code=("jichi_shinko", "katsudo")[i % 2])
        for _ in range(per_year):
            GrantCase.objects.create(programme_year=year, organization=factories.AssociationFactory())


def queries(client, query: str) -> int:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as captured:
        response = client.get(URL + query)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("query", ["", "?p=2", "?o=1", "?status=draft&p=2", "?q=1"])
def test_the_changelist_makes_as_many_queries_with_three_programme_years_and_100_rows_as_with_one_and_25(
        root, client, monkeypatch, query):  # type: ignore[no-untyped-def]
    build(years=1, per_year=60, first_year=2024)
    monkeypatch.setattr(GrantCaseAdmin, "list_per_page", 25)
    small = queries(client, query)
    build(years=3, per_year=70, first_year=2030)
    monkeypatch.setattr(GrantCaseAdmin, "list_per_page", 100)
    large = queries(client, query)
    assert small == large <= MAX_QUERIES


def test_the_changelist_s_pages_follow_the_order_by_case_number(root, client, monkeypatch):  # type: ignore[no-untyped-def]
    build(years=4, per_year=4, first_year=2024)
    monkeypatch.setattr(GrantCaseAdmin, "list_per_page", 5)
    expected = list(GrantCase.objects.order_by("-programme_year__fiscal_year", "programme_year__programme__code",
                                               "number").values_list("pk", flat=True))
    shown = []
    for page in range(1, 5):
        response = client.get(f"{URL}?p={page}")
        shown += [case.pk for case in response.context["cl"].result_list]
        assert response.context["cl"].result_count == len(expected)
    assert shown == expected
