"""The full-lifecycle parts of the case page and their forms (pages/cases/full.py, full_forms.py) under bad input:
amounts, digits, texts and dates the forms must refuse, double clicks on every act, every button of every state
tried by every user, receipts served back as downloads, the send-back form of an approved order."""
import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse

from grants.cases import budget, checks, lifecycle, orders, receipts
from grants.cases.models import BudgetLine, ChangeRequest, RefundReceipt, Status
from grants.core.models import AuditEvent
from grants.councils import plans
from grants.notices.models import Notice
from grants.organizations.models import PlanStatus
from reports.pdf import render_notice_html
from tests.cases.steps import messages_of
from tests.councils import builders
from tests.councils.helpers import pay_orders
from tests.councils.steps import (
    case_url,
    decided,
    draft,
    fresh,
    login,
    paid,
    post,
    prepare_and_approve,
    reported,
    scheduled,
    today,
)
from tests.factories import CURRENT_FY

pytestmark = pytest.mark.django_db


XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def line_form(case, cats, plan, **data):  # type: ignore[no-untyped-def]
    values = {"kind": "expense", "category": cats["genzairyo"].pk, "plan_item": builders.item(plan, "1-1-2").pk,
              "description": "資材", "amount": "1000", "spent_on": today().isoformat()}
    values.update(data)
    return {k: v for k, v in values.items() if v is not None}


@pytest.fixture
def drafted(katsudo, council, staff):  # type: ignore[no-untyped-def]
    return draft(katsudo, council, staff)


@pytest.mark.parametrize("raw", ["-1", "0", "1000000001", "99999999999999999999999", "1e3", "1,000", "10.5",
                                 "abc", "", " ", "0x10", "NaN", "∞"])
def test_bad_line_amounts_are_refused_naming_the_field(client, council, drafted, raw) -> None:  # type: ignore[no-untyped-def]
    case, plan, cats = drafted
    before = BudgetLine.objects.count()
    shown = post(login(client, council[1]), case_url("case_line_add", case, "budget"),
                 line_form(case, cats, plan, amount=raw))
    assert BudgetLine.objects.count() == before, raw
    assert any(m.startswith("金額") for m in shown), shown


@pytest.mark.parametrize("raw", ["１０００", "١٠٠٠", " 1000 ", "1_000"])
def test_other_digits_are_read_as_the_same_whole_yen(client, council, drafted, raw) -> None:  # type: ignore[no-untyped-def]
    """Full-width (and other Unicode) digits are read as the number they write; nothing else gets in."""
    case, plan, cats = drafted
    post(login(client, council[1]), case_url("case_line_add", case, "budget"), line_form(case, cats, plan, amount=raw))
    assert BudgetLine.objects.filter(case=case).order_by("-pk").first().amount == 1000


@pytest.mark.parametrize("description, field", [("", "内容"), ("   ", "内容"), ("あ" * 201, "内容"),
                                                 ("a\x00b", "内容")])
def test_bad_descriptions_are_refused(client, council, drafted, description, field) -> None:  # type: ignore[no-untyped-def]
    case, plan, cats = drafted
    before = BudgetLine.objects.count()
    shown = post(login(client, council[1]), case_url("case_line_add", case, "budget"),
                 line_form(case, cats, plan, description=description))
    assert BudgetLine.objects.count() == before
    assert any(m.startswith(field) for m in shown), shown


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "1868-10-23", "2019-04-30", "2019-05-01"])
def test_regression_line_dated_at_the_calendars_edges_keeps_the_case_page_working(
        client, council, staff, drafted, day) -> None:  # type: ignore[no-untyped-def]
    """A line dated 9999-12-31 made the 和暦 formatter raise (the era library does not know the calendar's last
    day): the case page, the checks and the 審査 all broke with a 500."""
    case, plan, cats = drafted
    post(login(client, council[1]), case_url("case_line_add", case, "budget"), line_form(case, cats, plan,
                                                                                        spent_on=day))
    assert BudgetLine.objects.filter(case=case, spent_on=dt.date.fromisoformat(day)).exists()
    assert client.get(reverse("case_detail", args=[case.pk])).status_code == 200
    lifecycle.submit(case_id=case.pk, actor=council[1])
    assert login(client, staff).get(reverse("case_detail", args=[case.pk])).status_code == 200
    # the line is left out of the eligible cost with its reason (issue 15), and the 審査 goes on without it
    odd = BudgetLine.objects.get(case=case, spent_on=dt.date.fromisoformat(day))
    assert "対象期間" in " ".join(checks.excluded_lines(case, checks.stage_of(case))[odd.pk])
    lifecycle.verify(case_id=case.pk, actor=staff, assessed_amount=1000, note="一部",
                     completion_deadline=dt.date(CURRENT_FY + 1, 3, 31))


@pytest.mark.parametrize("start, end, field", [
    (f"{CURRENT_FY}-03-31", f"{CURRENT_FY}-06-30", "着手予定日"),
    (f"{CURRENT_FY}-04-01", f"{CURRENT_FY + 1}-04-01", "完了予定日"),
    (f"{CURRENT_FY}-09-01", f"{CURRENT_FY}-08-31", "完了予定日"),
    ("9999-12-31", "9999-12-31", "着手予定日"),
    ("2026-02-30", f"{CURRENT_FY}-08-31", "着手予定日"),
    ("令和8年4月1日", f"{CURRENT_FY}-08-31", "着手予定日"),
])
def test_application_dates_outside_the_year_are_refused(client, council, drafted, start, end, field) -> None:  # type: ignore[no-untyped-def]
    case, _, _ = drafted
    response = login(client, council[1]).post(case_url("case_application", case),
                                              {"project_title": "変更", "project_start": start, "project_end": end})
    assert fresh(case).project_title == "地域づくり活動"
    # the page again as typed, the error (the form's at the field, the service's as a message) naming the field
    body = response.content.decode()
    assert response.status_code == 200 and f"{field}:" in body and 'value="変更"' in body


def test_plan_item_purpose_and_staff_of_another_council_or_year_are_invalid_choices(
        client, council, council_b, staff, katsudo, unei, drafted) -> None:  # type: ignore[no-untyped-def]
    case, plan, cats = drafted
    other_plan = builders.approved_plan(council_b[0], staff)
    other_staff = builders.staff_member(council_b[0], council_b[1])
    from grants.programmes.models import ActivityPurpose

    other_year_purpose = ActivityPurpose.objects.create(programme_year=unei, name="運営")
    login(client, council[1])
    before = BudgetLine.objects.count()
    for field, value in (("plan_item", builders.item(other_plan, "1-1-1").pk), ("purpose", other_year_purpose.pk),
                         ("staff", other_staff.pk), ("category", 99999), ("plan_item", "abc")):
        shown = post(client, case_url("case_line_add", case, "budget"), line_form(case, cats, plan, **{field: value}))
        assert any("選択肢の中から選んでください" in m for m in shown), (field, shown)
    assert BudgetLine.objects.count() == before


def test_superseded_plan_item_is_not_offered_and_fails_its_check(client, council, staff, staff2, drafted) -> None:  # type: ignore[no-untyped-def]
    case, plan, cats = drafted
    revision = plans.start_revision(actor=council[1], plan_id=plan.pk, reason="見直し")
    plans.submit_plan(actor=council[1], plan_id=revision.pk)
    plans.approve_plan(actor=staff, plan_id=revision.pk)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.SUPERSEDED
    old_item = builders.item(plan, "1-1-1")
    shown = post(login(client, council[1]), case_url("case_line_add", case, "budget"),
                 line_form(case, cats, plan, plan_item=old_item.pk))
    assert any("選択肢の中から選んでください" in m for m in shown)
    # Posted past the form (the service only knows the council), the line fails its plan check at 審査.
    line = budget.add_line(case_id=case.pk, actor=council[1], where="budget",
                           data={"kind": "expense", "category": cats["genzairyo"], "plan_item": old_item,
                                 "description": "旧計画", "amount": 1, "spent_on": today()})
    lifecycle.submit(case_id=case.pk, actor=council[1])
    # left out of the eligible cost with its reason (issue 15): the 審査 goes on without it
    assert "効力のある地域づくり計画の項目ではありません" in " ".join(
        checks.excluded_lines(case, checks.stage_of(case))[line.pk])
    assert line.plan_item.plan_id == plan.pk


def test_html_in_every_council_text_is_escaped_on_the_pages(client, council, staff, approver, katsudo) -> None:  # type: ignore[no-untyped-def]
    org, secretary = council
    org.name = f"協議会{XSS}"
    org.save()
    builders.instalments(katsudo, [(1, 2)])
    case, plan, cats = draft(katsudo, council, staff)
    lifecycle.save_application(case_id=case.pk, actor=secretary, project_title=f"事業{XSS}",
                               project_start=case.project_start, project_end=case.project_end)
    budget.add_line(case_id=case.pk, actor=secretary, where="budget",
                    data={"kind": "income", "description": f"収入{XSS}", "amount": 1})
    from tests.councils.helpers import decide

    case = decide(case, secretary, staff, approver, conditions=f"条件{XSS}")
    lifecycle.start_change(case_id=case.pk, actor=secretary, reason=f"理由{XSS}", requested_amount=900_000)
    # 職名 holds at most 40 characters (PostgreSQL refuses more; SQLite does not check): a shorter payload there
    builders.staff_member(org, secretary, name=f"氏名{XSS}", role="職<script>alert(1)</script>")
    item = plan.items.create(level="field", code="9", title=f"分野{XSS}", description=f"説明{XSS}")
    pages = [reverse("case_detail", args=[case.pk]), reverse("plan_detail", args=[plan.pk]),
             reverse("council_staff", args=[org.pk]), reverse("plan_list")]
    for user in (secretary, staff):
        login(client, user)
        for url in pages:
            html = client.get(url).content.decode()
            assert "<script>alert" not in html and "<img src=x" not in html, (user, url)
    assert item.pk
    for notice in Notice.objects.filter(case=case):
        html = render_notice_html(notice)
        assert "<script>alert" not in html and "<img src=x" not in html, notice.kind


def test_control_characters_and_ten_thousand_characters_in_texts(client, council, staff, approver, katsudo) -> None:  # type: ignore[no-untyped-def]
    case, _, _ = decided(katsudo, council, staff, approver)
    login(client, council[1])
    body = client.post(case_url("case_report", case), {"narrative": "あ" * 10_001, "completed_on": today()}
                       ).content.decode()
    assert 'id="report-narrative_error"' in body and "あ" * 10_001 in body  # at the field, as typed
    post(client, case_url("case_report", case), {"narrative": "行1\r\n行2\x07\x1b[31m", "completed_on":
                                                today().isoformat()})
    assert fresh(case).report.narrative.startswith("行1")
    assert client.get(reverse("case_detail", args=[case.pk])).status_code == 200
    body = client.post(case_url("case_change_start", case), {"reason": "x" * 2001, "requested_amount": "900000"}
                       ).content.decode()
    assert 'id="change-reason_error"' in body and not case.change_requests.exists()


# Every new page with odd query strings (never a 500), and every state of a council case for the right
# buttons only: each enabled button of the case page, pressed by the user who sees it, is not refused for
# want of a role or because of the case's state, and the auditor never sees a form that writes.


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


# Double clicks: every act posted twice in a row. The second is refused with a message (or, where two equal
# acts are legitimate, does exactly what it says), and nothing is written twice.


def test_submit_twice(client, katsudo, council, staff) -> None:  # type: ignore[no-untyped-def]
    case, _, _ = draft(katsudo, council, staff)
    login(client, council[1])
    url = reverse("case_action", args=[case.pk, "submit"])
    post(client, url)
    shown = post(client, url)
    assert any("申請済" in m for m in shown), shown
    assert AuditEvent.objects.for_object(case).filter(action="submit").count() == 1


def test_order_act_posted_twice_through_the_page(client, katsudo, council, staff, approver, finance) -> None:  # type: ignore[no-untyped-def]
    case, _, _ = decided(katsudo, council, staff, approver)
    order = scheduled(case)[0]
    login(client, staff)
    url = case_url("case_order_action", case, order.pk, "prepare")
    post(client, url, {"note": ""})
    shown = post(client, url, {"note": ""})
    assert any("起票できません" in m for m in shown), shown
    assert AuditEvent.objects.for_object(case).filter(action="prepare_order").count() == 1


def test_change_started_and_submitted_twice(client, katsudo, council, staff, approver) -> None:  # type: ignore[no-untyped-def]
    case, _, _ = decided(katsudo, council, staff, approver)
    login(client, council[1])
    data = {"reason": "資材費の減少", "requested_amount": "900000"}
    post(client, case_url("case_change_start", case), data)
    shown = post(client, case_url("case_change_start", case), data)
    assert any("すでにあります" in m for m in shown), shown
    assert ChangeRequest.objects.filter(case=case).count() == 1
    post(client, case_url("case_change_submit", case), {"note": ""})
    shown = post(client, case_url("case_change_submit", case), {"note": ""})
    assert fresh(case).status == Status.CHANGE_REQUESTED
    assert AuditEvent.objects.for_object(case).filter(action="request_change").count() == 1


def test_regression_staff_lines_added_twice_do_not_double_the_staff_costs(client, unei, council, staff) -> None:  # type: ignore[no-untyped-def]
    """「事務局員の人件費の明細を追加」 clicked twice added every staff member's yearly cost twice, so the 算定
    counted each person's cost double."""
    org, secretary = council
    builders.approved_plan(org, staff)
    builders.staff_member(org, secretary)
    case = builders.draft_case(unei, org, start=dt.date(CURRENT_FY, 4, 1))
    login(client, secretary)
    post(client, case_url("case_staff_lines", case))
    shown = post(client, case_url("case_staff_lines", case))
    assert BudgetLine.objects.filter(case=case, staff__isnull=False).count() == 1, shown
    assert any("事務局員" in m for m in shown), shown


def test_regression_partial_refund_double_click_records_the_payment_once(katsudo, council, staff, approver, finance,
                                                                         finance2, client) -> None:  # type: ignore[no-untyped-def]
    """A double click on 「納付を記録する」 sent the same partial payment twice and both were recorded; the form's
    one-time key now makes the second submission return the first receipt. Two real payments (two forms)
    are still both recorded."""
    import re

    case, plan, cats = paid(katsudo, council, staff, approver, finance, finance2)
    reported(case, plan, cats, council[1], staff)
    lifecycle.confirm(case_id=case.pk, actor=approver)  # refund 50,000
    client.force_login(finance)
    html = client.get(f"/cases/{case.pk}/").content.decode()
    key = re.search(r'id="refund-form".*?name="form_key" value="([^"]+)"', html, re.S).group(1)
    url = reverse("case_refund_receipt", args=[case.pk])
    form = {"amount": "20000", "received_on": today().isoformat(), "form_key": key}
    client.post(url, form)
    client.post(url, form)
    assert (fresh(case).refunded_amount, RefundReceipt.objects.count()) == (20_000, 1)
    second = re.search(r'id="refund-form".*?name="form_key" value="([^"]+)"',
                       client.get(f"/cases/{case.pk}/").content.decode(), re.S).group(1)
    assert second != key
    client.post(url, {**form, "form_key": second})
    assert (fresh(case).refunded_amount, RefundReceipt.objects.count()) == (40_000, 2)


# Files attached to plans and reports: wrong types disguised by their extension, empty and oversized files,
# odd names, and how they are served back (always as a download, only to whoever may see the plan or case).


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def writing_report(council, staff, approver, katsudo):  # type: ignore[no-untyped-def]
    case, plan, cats = decided(katsudo, council, staff, approver)
    lifecycle.save_report(case_id=case.pk, actor=council[1], narrative="実施", completed_on=today())
    return case


def test_receipt_keeps_no_user_file_name_and_downloads_as_attachment(client, council, staff, writing_report) -> None:  # type: ignore[no-untyped-def]
    receipt = receipts.add_receipt(case_id=writing_report.pk, actor=council[1], title="領収書",
                                   upload=SimpleUploadedFile("../../../etc/passwd.pdf", PDF))
    assert "passwd" not in receipt.file.name and ".." not in receipt.file.name
    response = login(client, staff).get(case_url("case_receipt", writing_report, receipt.pk))
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Content-Type"] == "application/pdf"


# Money invariants of the full lifecycle under attack: live payment orders against the decided and confirmed
# amounts, commitments against what was paid, refunds against what was received, returned transfers of advances
# and settlements, and whether a case can close with money owed either way.


def test_regression_finance_sees_the_send_back_form_of_an_approved_order(client, katsudo, council, staff,
                                                                        approver, finance, finance2) -> None:  # type: ignore[no-untyped-def]
    from tests.councils.steps import case_url, login, post

    case, _, _ = decided(katsudo, council, staff, approver, shares=((1, 2),))
    order = scheduled(case)[0]
    prepare_and_approve(order, staff, finance)
    html = login(client, finance2).get(case_url("case_detail", case)).content.decode()
    assert f'data-order="{order.pk}" data-act="reject"' in html
    assert post(client, case_url("case_order_action", case, order.pk, "reject"), {"note": "取消のため"}) == [
        "支出命令を差し戻しました。"]
    assert 'data-act="reject"' not in login(client, staff).get(case_url("case_detail", case)).content.decode()


@pytest.mark.parametrize(("name", "data", "field"), [
    ("case_application", {"project_title": "", "project_start": "garbage", "project_end": ""}, "着手予定日"),
    ("case_report", {"narrative": "", "completed_on": "bad"}, "事業完了日"),
    ("case_change_start", {"reason": "", "requested_amount": "abc"}, "変更の理由"),
    ("case_change_submit", {"note": "x" * 5000}, "理由・備考"),
])
def test_attack_a_form_with_an_error_the_page_no_longer_shows_still_says_the_error(
        client, name, data, field, katsudo, council, staff, staff2, approver, finance, finance2) -> None:  # type: ignore[no-untyped-def]
    """A form sent from a page opened earlier, the case moved on since (here 実績報告済): the page shows no such
    form any more, so its errors come as messages; it went back to the page with no word at all."""
    case = at("reported", katsudo, council, staff, staff2, approver, finance, finance2)
    response = login(client, staff).post(case_url(name, case), data)
    assert response.status_code == 200
    shown = messages_of(response)
    assert any(m.startswith(f"{field}") for m in shown), shown


def test_the_applicants_home_shows_the_confirmed_amount_once_the_amount_is_confirmed(
        client, katsudo, council, staff, staff2, approver, finance, finance2) -> None:  # type: ignore[no-untyped-def]
    """The walk-through's ホーム listed a closed council case at its 交付決定額 while the dashboard showed the 確定額."""
    case = at("confirmed_settlement", katsudo, council, staff, staff2, approver, finance, finance2)
    assert case.confirmed_amount != case.decided_amount
    body = login(client, council[1]).get(reverse("home")).content.decode()
    table = body[body.index('class="num">交付額</th>'):]
    row = table[table.index(case.reference):]
    row = row[:row.index("</tr>")]
    assert f"{case.confirmed_amount:,}円（確定額）" in row and f"{case.decided_amount:,}円" not in row
