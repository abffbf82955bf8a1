"""The ledger through the API: the city's staff (the users of the 台帳 page) read a programme-year's entries newest
first, page after page by the page's own keyset, one query a page however deep; no other role reads it."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from grants.ledger.models import LedgerEntry


@pytest.fixture
def user_of(request):  # type: ignore[no-untyped-def]
    return lambda role: request.getfixturevalue(role)


def _all_pages(call, key, py, limit):  # type: ignore[no-untyped-def]
    ids, after, counts = [], None, []
    while True:
        params = {"programme_year": py.pk, "limit": limit, **({"after": after} if after else {})}
        with CaptureQueriesContext(connection) as queries:
            body = call("/api/v1/ledger", key, **params).json()
        counts.append(len(queries))
        ids += [e["id"] for e in body["items"]]
        after = body["next_cursor"]
        if after is None:
            return ids, counts


def test_city_staff_read_every_entry_newest_first_in_pages_of_equal_cost(call, key_for, ledger_story,
                                                                          user_of) -> None:  # type: ignore[no-untyped-def]
    expected = list(LedgerEntry.objects.filter(account__programme_year=ledger_story)
                    .order_by("-entry_date", "-id").values_list("pk", flat=True))
    assert len(expected) > 6
    for role in ["staff", "approver", "finance", "auditor"]:
        key = key_for(user_of(role))
        call("/api/v1/ledger", key, programme_year=ledger_story.pk)  # the token's first use, recorded once
        ids, counts = _all_pages(call, key, ledger_story, limit=2)
        assert ids == expected and len(set(counts)) == 1, (role, counts)
        whole, one = _all_pages(call, key, ledger_story, limit=100)
        assert whole == expected and one == counts[:1], role


def test_an_entry_reads_as_on_the_ledger_page(call, key_for, ledger_story, auditor, case) -> None:  # type: ignore[no-untyped-def]
    items = call("/api/v1/ledger", key_for(auditor), programme_year=ledger_story.pk, kind="refund").json()["items"]
    refund = next(i for i in items if i["amount"] == 5_000)
    assert refund["case_id"] == case.pk and refund["note"] == "返還" and refund["kind_label"] == "返還（戻入）"
    assert refund["organization_name"] == case.organization.name
    reversals = call("/api/v1/ledger", key_for(auditor), programme_year=ledger_story.pk,
                     kind="reversal").json()["items"]
    assert all(r["kind_label"].startswith("取消") and r["reverses_id"] for r in reversals) and reversals


def test_roles_that_do_not_open_the_ledger_page_read_no_entry(call, client, key_for, ledger_story,
                                                              user_of) -> None:  # type: ignore[no-untyped-def]
    for role in ["insurance", "panel", "evaluator", "association_head"]:
        user = user_of(role)
        response = call("/api/v1/ledger", key_for(user), programme_year=ledger_story.pk)
        assert response.status_code == 403 and "台帳" in response.json()["detail"], role
        client.force_login(user)
        assert client.get("/ledger/").status_code == 403, role


def test_a_cursor_that_is_not_one_is_a_422_never_a_500(call, key_for, staff, ledger_story) -> None:  # type: ignore[no-untyped-def]
    response = call("/api/v1/ledger", key_for(staff), programme_year=ledger_story.pk, after="2026-13-01_1")
    assert response.status_code == 422 and response.json()["detail"].startswith("入力が正しくありません（after）")
