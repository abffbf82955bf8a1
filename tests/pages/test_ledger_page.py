"""The ledger page (台帳, issue 16): city staff read every entry, newest first, filtered by programme-year, kind,
計上日 and organisation, page by page (keyset) in a constant number of queries whatever the page size and the
number of programme-years; the others are refused; what it shows is Japanese, amounts in yen, no internal code."""
import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from grants.accounts.models import Role
from grants.ledger.models import EntryKind, LedgerEntry
from tests import factories
from tests.cases.steps import login
from tests.ledger.entries import years

pytestmark = pytest.mark.django_db

MAX_QUERIES = 10
URL = reverse("ledger")


def numbers(html: str) -> list[int]:
    """The entry numbers (仕訳番号) of the page's rows, in order."""
    table = html[html.index('id="ledger-entries"'):]
    return [int(n) for n in re.findall(r'<td class="num">([0-9]+)</td>', table)]


def queries(client, **query: str) -> int:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as captured:
        response = client.get(URL, query)
    assert response.status_code == 200
    return len(captured)


def test_queries_are_the_same_for_any_page_size_and_number_of_years(client, auditor) -> None:  # type: ignore[no-untyped-def]
    login(client, auditor)
    years(1, cases=2, entries_per_case=2)
    few = {size: queries(client, per_page=size) for size in ("25", "100")}
    made = years(5, cases=10, entries_per_case=12)
    many = {size: queries(client, per_page=size) for size in ("25", "100")}
    first = numbers(client.get(URL, {"per_page": "25"}).content.decode())
    deep = queries(client, after=f"2024-05-01_{first[-1]}")
    filtered = queries(client, year=str(made[0].programme_year.pk), kind="payment", date_from="2024-01-01",
                       date_to="2026-12-31", organization="自治会")
    assert set(few.values()) == set(many.values()) == {deep} == {filtered}
    assert deep <= MAX_QUERIES


def test_pages_follow_each_other_newest_first_without_gap_or_repeat(client, finance) -> None:  # type: ignore[no-untyped-def]
    years(2, cases=5, entries_per_case=6)  # 2 × (1 + 30) = 62 entries
    expected = list(LedgerEntry.objects.order_by("-entry_date", "-pk").values_list("pk", flat=True))
    login(client, finance)
    seen: list[int] = []
    html = client.get(URL, {"per_page": "25"}).content.decode()
    pages = [html]
    while True:
        seen += numbers(html)
        older = re.search(r'href="(\?[^"]*after=[^"]*)">古い仕訳', html)
        if not older:
            break
        html = client.get(URL + older.group(1).replace("&amp;", "&")).content.decode()
        pages.append(html)
    assert seen == expected and len(pages) == 3
    # and back: the newer page of the last page is the middle one
    newer = re.search(r'href="(\?[^"]*before=[^"]*)">新しい仕訳', pages[-1])
    assert newer is not None
    assert numbers(client.get(URL + newer.group(1).replace("&amp;", "&")).content.decode()) == numbers(pages[1])
    assert "最新の仕訳へ" in pages[-1] and "最新の仕訳へ" not in pages[0]


def test_filters_by_year_kind_dates_and_organisation(client, staff) -> None:  # type: ignore[no-untyped-def]
    made = years(2, cases=3, entries_per_case=4)
    first, second = made
    login(client, staff)
    in_year = numbers(client.get(URL, {"year": str(second.programme_year.pk), "per_page": "100"}).content.decode())
    assert sorted(in_year) == sorted(LedgerEntry.objects.filter(account=second.account).values_list("pk", flat=True))
    payments = numbers(client.get(URL, {"kind": "payment", "per_page": "100"}).content.decode())
    assert sorted(payments) == sorted(LedgerEntry.objects.filter(kind=EntryKind.PAYMENT).values_list("pk", flat=True))
    day = dt.date(first.programme_year.fiscal_year, 5, 2)
    on_day = numbers(client.get(URL, {"date_from": day.isoformat(), "date_to": day.isoformat()}).content.decode())
    assert sorted(on_day) == sorted(LedgerEntry.objects.filter(entry_date=day).values_list("pk", flat=True))
    organization = second.cases[1].organization
    for typed in (organization.code, organization.name):
        found = numbers(client.get(URL, {"organization": typed}).content.decode())
        assert sorted(found) == sorted(LedgerEntry.objects.filter(case__organization=organization)
                                       .values_list("pk", flat=True)), typed


def test_a_backwards_range_or_a_bad_value_is_an_error_at_its_field_and_an_empty_list(client, auditor) -> None:  # type: ignore[no-untyped-def]
    years(1)
    login(client, auditor)
    html = client.get(URL, {"date_from": "2026-05-02", "date_to": "2026-05-01"}).content.decode()
    assert "計上日の終わりは、始まり以後の日を入力してください。" in html and numbers(html) == []
    for query in ({"date_from": "昨日"}, {"kind": "nonsense"}, {"year": "999999"}, {"per_page": "100000"}):
        response = client.get(URL, query)
        assert response.status_code == 200 and numbers(response.content.decode()) == [], query
    for cursor in ("x", "2026-13-40_1", "2026-05-01_", "9" * 40):  # a cursor not understood: the first page
        response = client.get(URL, {"after": cursor, "before": cursor})
        assert response.status_code == 200 and numbers(response.content.decode())


def test_a_row_reads_in_japanese_with_yen_and_names(client, finance) -> None:  # type: ignore[no-untyped-def]
    made = years(1, cases=1, entries_per_case=2)
    case = made[0].cases[0]
    payment = LedgerEntry.objects.get(kind=EntryKind.PAYMENT)
    LedgerEntry.objects.create(account=made[0].account, kind=EntryKind.REVERSAL, reverses=payment, amount=2_000,
                               entry_date=payment.entry_date, actor=payment.actor, note="誤りのため取消")
    html = login(client, finance).get(URL).content.decode()
    for text in ("令和6年5月2日", "支出", "2,000円", "1,000,000,000円", case.reference, case.organization.name,
                 "会計 太郎", f"取消（反対仕訳）：仕訳番号 {payment.pk}", "誤りのため取消", "交付決定（支出負担行為）"):
        assert text in html, text
    for code in (">payment<", ">commitment<", ">reversal<", "ledger-officer"):
        assert code not in html, code


def test_the_workbook_of_the_chosen_programme_year_is_offered(client, auditor) -> None:  # type: ignore[no-untyped-def]
    made = years(1)
    login(client, auditor)
    assert reverse("request_programme_year_export", args=[made[0].programme_year.pk]) not in \
        client.get(URL).content.decode()
    html = client.get(URL, {"year": str(made[0].programme_year.pk)}).content.decode()
    assert reverse("request_programme_year_export", args=[made[0].programme_year.pk]) in html


@pytest.mark.parametrize("role", [Role.STAFF, Role.APPROVER, Role.FINANCE, Role.AUDITOR])
def test_city_staff_are_offered_the_ledger_in_the_menu(client, role) -> None:  # type: ignore[no-untyped-def]
    user = factories.UserFactory(username=f"city-{role}", role=role)
    html = login(client, user).get(reverse("home")).content.decode()
    assert f'<a href="{URL}">台帳</a>' in html
    assert client.get(URL).status_code == 200


@pytest.mark.parametrize("role", [Role.ASSOCIATION_HEAD, Role.INSURANCE, Role.PANEL])
def test_others_are_refused_and_not_offered_it(client, role) -> None:  # type: ignore[no-untyped-def]
    years(1)
    user = factories.UserFactory(username=f"other-{role}", role=role)
    login(client, user)
    assert client.get(URL).status_code == 403
    assert f'<a href="{URL}">台帳</a>' not in client.get(reverse("public_call_list")).content.decode()


def test_anonymous_is_sent_to_login_and_post_is_refused(client, finance) -> None:  # type: ignore[no-untyped-def]
    response = client.get(URL)
    assert response.status_code == 302 and reverse("login") in response["Location"]
    assert login(client, finance).post(URL).status_code == 405


def test_a_typed_newer_page_cursor_offers_no_older_page_that_is_empty(client, finance) -> None:  # type: ignore[no-untyped-def]
    """A ``before`` cursor older than every entry (typed, or kept from another filter) shows the oldest entries;
    its 「古い仕訳」 link is offered only when an older entry exists (attack review: it led to an empty page)."""
    years(2, cases=5, entries_per_case=6)  # 62 entries
    login(client, finance)
    html = client.get(URL, {"per_page": "25", "before": "2000-01-01_1"}).content.decode()
    assert "古い仕訳" not in html or re.search(r'href="(\?[^"]*after=[^"]*)">古い仕訳', html) is None
    oldest = list(LedgerEntry.objects.order_by("entry_date", "pk").values_list("pk", flat=True))
    middle = oldest[30]
    entry = LedgerEntry.objects.get(pk=middle)
    html = client.get(URL, {"per_page": "25", "before": f"{entry.entry_date.isoformat()}_{middle}"}).content.decode()
    older = re.search(r'href="(\?[^"]*after=[^"]*)">古い仕訳', html)
    assert older is not None and numbers(client.get(URL + older.group(1).replace("&amp;", "&")).content.decode())
