"""Every new page with odd query strings (never a 500), and every state of a council case for the right
buttons only: each enabled button of the case page, pressed by the user who sees it, is not refused for
want of a role or because of the case's state, and the auditor never sees a form that writes."""
import re

import pytest
from django.db import transaction
from django.urls import reverse

from grants.cases import lifecycle, orders
from grants.cases.models import Status
from tests.councils.helpers import pay_orders
from tests.councils.steps import decided, draft, fresh, login, messages_of, paid, reported, scheduled

pytestmark = pytest.mark.django_db

ODD = ["", "?status=<script>", "?organization=abc", "?organization=99999999999999999999",
       "?organization=-1", "?organization=１２", "?status=approved&organization=", "?fiscal_year=99999",
       "?fiscal_year=0001", "?fiscal_year=abcd", "?page=-1", "?page=99999999999", "?%00=%00", "?a=" + "x" * 5000,
       "?organization=1&organization=2", "?sort=-__class__", "?status[]=1"]


def test_new_pages_answer_odd_query_strings(client, council, staff, katsudo, auditor) -> None:  # type: ignore[no-untyped-def]
    case, plan, _ = draft(katsudo, council, staff)
    urls = [reverse("plan_list"), reverse("plan_create"), reverse("plan_detail", args=[plan.pk]),
            reverse("council_staff", args=[council[0].pk]), reverse("overdue_reports"), reverse("dashboard"),
            reverse("dashboard_council_history", args=[council[0].pk]), reverse("case_detail", args=[case.pk]),
            reverse("case_list"), reverse("payment_queue"), reverse("home")]
    for user in (staff, auditor, council[1]):
        login(client, user)
        for url in urls:
            for query in ODD:
                status = client.get(url + query).status_code
                assert status in (200, 403, 404), (user.username, url + query, status)


def test_council_history_of_a_non_council_is_404(client, staff, association) -> None:  # type: ignore[no-untyped-def]
    login(client, staff)
    assert client.get(reverse("dashboard_council_history", args=[association.pk])).status_code == 404
    assert client.get(reverse("council_staff", args=[association.pk])).status_code == 404
    assert client.get(reverse("dashboard_council_history", args=[99999])).status_code == 404


# -- the right buttons in every state -----------------------------------------------------------------------

def at(state, katsudo, council, staff, staff2, approver, finance, finance2):  # type: ignore[no-untyped-def]
    """A case of ``council`` in ``state`` (a few states come in two kinds: with a refund or a settlement)."""
    sec = council[1]
    if state == "draft":
        return draft(katsudo, council, staff)[0]
    if state == "submitted":
        case = draft(katsudo, council, staff)[0]
        return lifecycle.submit(case_id=case.pk, actor=sec)
    if state == "verified":
        case = draft(katsudo, council, staff)[0]
        lifecycle.submit(case_id=case.pk, actor=sec)
        import datetime as dt

        return lifecycle.verify(case_id=case.pk, actor=staff, assessed_amount=1_000_000,
                                completion_deadline=dt.date(katsudo.fiscal_year + 1, 3, 31))
    if state == "decided":
        case = decided(katsudo, council, staff, approver)[0]
        orders.prepare_order(order_id=scheduled(case)[0].pk, actor=staff)
        return case
    if state in ("change_requested", "change_checked"):
        case = decided(katsudo, council, staff, approver)[0]
        lifecycle.start_change(case_id=case.pk, actor=sec, reason="減額", requested_amount=900_000)
        case = lifecycle.request_change(case_id=case.pk, actor=sec)
        if state == "change_checked":
            case = lifecycle.check_change(case_id=case.pk, actor=staff, assessed_amount=900_000)
        return case
    if state in ("reported", "report_verified"):
        case, plan, cats = paid(katsudo, council, staff, approver, finance, finance2)
        case = reported(case, plan, cats, sec, staff)
        if state == "reported":
            case = lifecycle.return_report(case_id=case.pk, actor=staff2, note="再提出")
            case = lifecycle.submit_report(case_id=case.pk, actor=sec)
        return case
    if state == "confirmed_refund":
        case, plan, cats = paid(katsudo, council, staff, approver, finance, finance2)
        reported(case, plan, cats, sec, staff)
        return lifecycle.confirm(case_id=case.pk, actor=approver)
    if state == "confirmed_settlement":
        case, plan, cats = paid(katsudo, council, staff, approver, finance, finance2)
        reported(case, plan, cats, sec, staff, amounts=(500_000, 400_000))
        return lifecycle.confirm(case_id=case.pk, actor=approver)
    if state == "cancelled":
        case, plan, cats = paid(katsudo, council, staff, approver, finance, finance2)
        return lifecycle.cancel(case_id=case.pk, actor=approver, note="目的外使用", kept_amount=0)
    if state == "closed":
        case, plan, cats = paid(katsudo, council, staff, approver, finance, finance2)
        reported(case, plan, cats, sec, staff, amounts=(500_000, 250_000))
        return lifecycle.confirm(case_id=case.pk, actor=approver)
    raise AssertionError(state)


STATES = ["draft", "submitted", "verified", "decided", "change_requested", "change_checked", "reported",
          "report_verified", "confirmed_refund", "confirmed_settlement", "cancelled", "closed"]
# Refusals that mean "this button should not have been shown to you now".
WRONG_BUTTON = ("権限がありません", "この操作はできません", "この手続はありません", "のみが", "でのみ", "のあいだだけ",
                "した方は", "ため起票できません", "ため承認できません", "ため差し戻せません", "の後にのみ")


class Rollback(Exception):
    pass


def press(client, url: str, data: dict) -> list[str]:  # type: ignore[no-untyped-def]
    """POST inside a savepoint that is rolled back, so that each button is tried on the same case."""
    shown: list[str] = []
    try:
        with transaction.atomic():
            response = client.post(url, data, follow=True)
            assert response.status_code == 200, (url, response.status_code)
            shown = messages_of(response)
            raise Rollback
    except Rollback:
        pass
    return shown


def case_forms(html: str, case_pk: int) -> list[tuple[str, str]]:
    """(action url, button data) of every enabled form of the case page that writes to the case."""
    found = []
    for form in re.findall(r'<form method="post" action="([^"]+)"[^>]*>(.*?)</form>', html, re.S):
        url, body = form
        if f"/cases/{case_pk}/" not in url or "disabled>" in body:
            continue
        found.append((url, body))
    return found


@pytest.mark.parametrize("state", STATES)
def test_every_enabled_button_is_one_the_user_may_press_now(client, state, katsudo, council, staff, staff2,
                                                             approver, approver2, finance, finance2, auditor) -> None:  # type: ignore[no-untyped-def]
    case = at(state, katsudo, council, staff, staff2, approver, finance, finance2)
    if state == "closed":
        assert fresh(case).status == Status.CLOSED
    for user in (council[1], staff, staff2, approver, approver2, finance, finance2, auditor):
        html = login(client, user).get(reverse("case_detail", args=[case.pk])).content.decode()
        forms = case_forms(html, case.pk)
        if user == auditor:
            assert forms == [], (state, [u for u, _ in forms])
            continue
        for url, _ in forms:
            if "/act/" not in url and "/orders/" not in url:
                continue  # the section forms need their fields; their refusals are tested elsewhere
            shown = press(client, url, {"note": "確認のため"})
            wrong = [m for m in shown if any(w in m for w in WRONG_BUTTON)]
            assert not wrong, (state, user.username, url, shown)


@pytest.mark.parametrize("state", ["reported", "confirmed_refund", "cancelled", "closed"])
def test_no_form_writes_lines_or_the_report_after_submission(client, state, katsudo, council, staff, staff2,
                                                               approver, finance, finance2) -> None:  # type: ignore[no-untyped-def]
    case = at(state, katsudo, council, staff, staff2, approver, finance, finance2)
    for user in (council[1], staff):
        html = login(client, user).get(reverse("case_detail", args=[case.pk])).content.decode()
        urls = [u for u, _ in case_forms(html, case.pk)]
        for forbidden in ("/lines/", "/report/", "/application/", "/change/start/", "/staff-lines/"):
            assert not any(forbidden in u for u in urls), (state, user.username, urls)


def test_closed_case_offers_nothing_but_reading(client, katsudo, council, staff, staff2, approver, finance,
                                                finance2) -> None:  # type: ignore[no-untyped-def]
    case = at("closed", katsudo, council, staff, staff2, approver, finance, finance2)
    for user in (council[1], staff, approver, finance):
        html = login(client, user).get(reverse("case_detail", args=[case.pk])).content.decode()
        assert case_forms(html, case.pk) == [], user.username


def test_pending_settlement_button_for_finance_only(client, katsudo, council, staff, staff2, approver, finance,
                                                    finance2) -> None:  # type: ignore[no-untyped-def]
    case = at("confirmed_settlement", katsudo, council, staff, staff2, approver, finance, finance2)
    settlement = scheduled(case, "settlement")[0]
    for user, shown in ((council[1], False), (approver, False), (staff, True), (finance, True)):
        html = login(client, user).get(reverse("case_detail", args=[case.pk])).content.decode()
        assert (f'data-order="{settlement.pk}" data-act="prepare"' in html) == shown, user.username
    assert pay_orders  # the helper stays importable for the states above


def test_ids_beyond_the_databases_range_are_not_found(client, katsudo, council, staff, finance) -> None:  # type: ignore[no-untyped-def]
    case, plan, _ = draft(katsudo, council, staff)
    huge = 99999999999999999999
    gets = [reverse("case_detail", args=[huge]), reverse("plan_detail", args=[huge]),
            reverse("council_staff", args=[huge]), reverse("plan_attachment", args=[plan.pk, huge]),
            reverse("case_receipt", args=[case.pk, huge]), reverse("notice_pdf", args=[huge])]
    posts = [reverse("plan_delete_item", args=[plan.pk, huge]), reverse("case_line_delete", args=[case.pk, "budget", huge]),
             reverse("case_order_action", args=[case.pk, huge, "prepare"]),
             reverse("case_override_approve", args=[case.pk, huge]), reverse("council_staff_end", args=[council[0].pk, huge]),
             reverse("plan_submit", args=[huge]), reverse("case_action", args=[huge, "submit"]),
             reverse("case_line_add", args=[huge, "budget"])]
    for user in (staff, finance, council[1]):
        login(client, user)
        for url in gets:
            assert client.get(url).status_code == 404, (user.username, url)
        for url in posts:
            assert client.post(url, {"note": "x"}).status_code in (302, 404), (user.username, url)
    assert fresh(case).budget_lines.count() == 2
