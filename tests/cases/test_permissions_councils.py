"""Other people's data: the secretary of council A guessing the ids of council B in every URL and POST body, a
自治会長 reaching council pages, a secretary whose term ended (or has not started), and the auditor trying
every POST. Each answers 404 (or 403 for city-only pages), and nothing is written."""
import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from grants.cases import lifecycle, receipts
from grants.cases.models import (
    BudgetLine,
    ChangeRequest,
    EligibilityOverride,
    GrantCase,
    Receipt,
    RefundReceipt,
    ReportLine,
)
from grants.cases.services import approve_override, override_check
from grants.core.models import AuditEvent
from grants.councils import plans
from grants.ledger.models import PaymentOrder
from grants.notices.models import Notice
from grants.organizations.models import CommunityPlan, PlanAttachment, PlanItem, Representative, SecretariatStaff
from tests.councils import builders
from tests.councils.helpers import line, pay_orders
from tests.councils.steps import case_url, decided, draft, login, today

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def snapshot() -> tuple:
    """Everything an attack could write: counts of every council row and each case's status and amounts."""
    return (
        AuditEvent.objects.count(), BudgetLine.objects.count(), ReportLine.objects.count(), Receipt.objects.count(),
        ChangeRequest.objects.count(), PlanItem.objects.count(), PlanAttachment.objects.count(),
        CommunityPlan.objects.count(), SecretariatStaff.objects.count(), RefundReceipt.objects.count(),
        EligibilityOverride.objects.count(), Notice.objects.count(),
        tuple(CommunityPlan.objects.order_by("pk").values_list("status", "submitted_by", "approved_by")),
        tuple(PaymentOrder.objects.order_by("pk").values_list("status", "prepared_by", "approved_by")),
        tuple(GrantCase.objects.order_by("pk").values_list("status", "decided_amount", "paid_amount",
                                                          "confirmed_amount", "project_title")),
        tuple(SecretariatStaff.objects.order_by("pk").values_list("employed_until")),
    )


@pytest.fixture
def world_b(council_b, staff, staff2, approver, finance, finance2, katsudo, unei):  # type: ignore[no-untyped-def]
    """Council B with every kind of row: an approved plan and a draft revision with an attachment, a staff record,
    a 運営支援 draft case with a line, and a 活動支援 case confirmed below its paid advance (refund ordered) with a
    rejected change, a report line, a receipt and notices."""
    org, secretary = council_b
    case, plan, cats = decided(katsudo, council_b, staff, approver, shares=((1, 2),))
    pay_orders(case, staff, finance, finance2)
    lifecycle.start_change(case_id=case.pk, actor=secretary, reason="変更", requested_amount=900_000)
    lifecycle.request_change(case_id=case.pk, actor=secretary)
    lifecycle.reject_change(case_id=case.pk, actor=approver, note="不要")
    lifecycle.save_report(case_id=case.pk, actor=secretary, narrative="実施", completed_on=today())
    report_line = line(case, secretary, where="report", category=cats["genzairyo"],
                       plan_item=builders.item(plan, "1-1-2"), amount=300_000)
    receipt = receipts.add_receipt(case_id=case.pk, actor=secretary, title="領収書",
                                   upload=SimpleUploadedFile("r.pdf", PDF), line_id=report_line.pk)
    lifecycle.submit_report(case_id=case.pk, actor=secretary)
    lifecycle.verify_report(case_id=case.pk, actor=staff)
    case = lifecycle.confirm(case_id=case.pk, actor=approver)
    revision = plans.start_revision(actor=secretary, plan_id=plan.pk, reason="見直し")
    attachment = plans.add_attachment(actor=secretary, plan_id=revision.pk, title="計画書",
                                      upload=SimpleUploadedFile("plan.pdf", PDF))
    person = builders.staff_member(org, secretary)
    unei_case = builders.draft_case(unei, org)
    unei_line = line(unei_case, secretary, category=cats["jinkenhi"], staff=person, amount=100)
    return {"org": org, "secretary": secretary, "plan": plan, "revision": revision, "attachment": attachment,
            "person": person, "case": case, "unei_case": unei_case, "unei_line": unei_line,
            "report_line": report_line, "receipt": receipt, "order": case.payment_orders.first(),
            "notice": Notice.objects.filter(case=case).first(),
            "item": builders.item(revision, "1-1-1")}


def b_urls(w) -> tuple[list[str], list[str]]:  # type: ignore[no-untyped-def]
    """(GET urls, POST urls) of every council page that names a row of council B."""
    case, unei_case, revision = w["case"], w["unei_case"], w["revision"]
    gets = [
        reverse("plan_detail", args=[w["plan"].pk]), reverse("plan_detail", args=[revision.pk]),
        reverse("plan_attachment", args=[revision.pk, w["attachment"].pk]),
        reverse("council_staff", args=[w["org"].pk]),
        reverse("case_detail", args=[case.pk]), reverse("case_detail", args=[unei_case.pk]),
        reverse("case_receipt", args=[case.pk, w["receipt"].pk]),
        reverse("notice_pdf", args=[w["notice"].pk]),
    ]
    posts = [
        reverse("plan_add_item", args=[revision.pk]),
        reverse("plan_delete_item", args=[revision.pk, w["item"].pk]),
        reverse("plan_add_attachment", args=[revision.pk]),
        reverse("plan_submit", args=[revision.pk]), reverse("plan_return", args=[revision.pk]),
        reverse("plan_approve", args=[revision.pk]), reverse("plan_revise", args=[w["plan"].pk]),
        reverse("council_staff", args=[w["org"].pk]),
        reverse("council_staff_end", args=[w["org"].pk, w["person"].pk]),
        case_url("case_application", unei_case), case_url("case_line_add", unei_case, "budget"),
        case_url("case_line_delete", unei_case, "budget", w["unei_line"].pk),
        case_url("case_staff_lines", unei_case), case_url("case_review", unei_case),
        case_url("case_override_approve", unei_case, 1),
        case_url("case_order_action", case, w["order"].pk, "prepare"),
        case_url("case_order_action", case, w["order"].pk, "approve"),
        case_url("case_change_start", case), case_url("case_change_submit", case),
        case_url("case_change_check", case), case_url("case_report", case),
        case_url("case_receipt_add", case), case_url("case_refund_receipt", case), case_url("case_cancel", case),
        case_url("case_line_add", case, "report"),
        case_url("case_line_delete", case, "report", w["report_line"].pk),
        reverse("override_check", args=[unei_case.pk]),
        *[reverse("case_action", args=[pk, action]) for pk in (case.pk, unei_case.pk)
          for action in ("submit", "verify", "decide", "close", "confirm", "submit_report", "approve_change")],
    ]
    return gets, posts


FORM = {"title": "乗っ取り", "level": "action", "code": "9-9-9", "note": "x", "reason": "x", "name": "x",
        "role": "x", "pay_basis": "monthly", "monthly_wage": "1", "social_insurance_monthly": "0",
        "employed_from": "2020-04-01", "employed_until": "2020-04-02", "project_title": "乗っ取り",
        "project_start": "2026-05-01", "project_end": "2026-06-01", "kind": "expense", "description": "x",
        "amount": "1", "assessed_amount": "1", "requested_amount": "1", "narrative": "x",
        "completed_on": "2026-05-01", "received_on": "2026-05-01", "kept_amount": "0", "check_code": "x",
        "justification": "x"}


def attack(client, user, w, *, status_get=(404,), status_post=(404,)) -> None:  # type: ignore[no-untyped-def]
    gets, posts = b_urls(w)
    login(client, user)
    last = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    for url in gets:
        assert client.get(url).status_code in status_get, url
    # Reading a receipt or a notice is recorded (they name people); nothing else is written by a GET.
    # (By primary key: an unordered slice by count picked older rows on PostgreSQL.)
    assert set(AuditEvent.objects.filter(pk__gt=last).values_list("action", flat=True)) <= {
        "download_receipt", "download_notice_pdf"}
    before = snapshot()
    for url in posts:
        data = {**FORM, "file": io.BytesIO(PDF)}
        assert client.post(url, data).status_code in status_post, url
    assert snapshot() == before


def test_secretary_of_another_council_gets_404_everywhere(client, council, world_b) -> None:  # type: ignore[no-untyped-def]
    attack(client, council[1], world_b)


def test_jichikai_head_gets_404_for_every_council_row(client, jichikai_head, world_b) -> None:  # type: ignore[no-untyped-def]
    attack(client, jichikai_head, world_b)
    login(client, jichikai_head)
    assert client.get(reverse("plan_list")).status_code == 200
    assert "湯田" not in client.get(reverse("plan_list")).content.decode()
    for url in (reverse("plan_create"), reverse("overdue_reports"), reverse("dashboard"),
                reverse("dashboard_council_history", args=[world_b["org"].pk]), reverse("payment_queue")):
        assert client.get(url).status_code in (403, 404), url
    before = snapshot()
    assert client.post(reverse("plan_create"), {"organization": world_b["org"].pk, "term_label": "第9期",
                                                "title": "x", "first_fiscal_year": 2030,
                                                "last_fiscal_year": 2031}).status_code == 403
    assert snapshot() == before


@pytest.mark.parametrize("term", ["ended", "future"])
def test_secretary_out_of_office_loses_access_to_their_own_council(client, world_b, term) -> None:  # type: ignore[no-untyped-def]
    rep = Representative.objects.get(user=world_b["secretary"])
    if term == "ended":
        rep.ended_on = today() - dt.timedelta(days=1)
    else:
        rep.started_on = today() + dt.timedelta(days=1)
    rep.save()
    attack(client, world_b["secretary"], world_b)
    login(client, world_b["secretary"])
    assert "湯田" not in client.get(reverse("plan_list")).content.decode()
    assert client.get(reverse("plan_create")).status_code == 403


def test_secretary_on_the_last_day_of_the_term_still_acts(client, world_b) -> None:  # type: ignore[no-untyped-def]
    Representative.objects.filter(user=world_b["secretary"]).update(ended_on=today())
    login(client, world_b["secretary"])
    assert client.get(reverse("case_detail", args=[world_b["case"].pk])).status_code == 200


def test_auditor_reads_everything_and_writes_nothing(client, auditor, world_b) -> None:  # type: ignore[no-untyped-def]
    """Every page answers the auditor (read), every POST is refused without a write."""
    attack(client, auditor, world_b, status_get=(200,), status_post=(200, 302, 403))
    login(client, auditor)
    before = snapshot()
    for url in (reverse("plan_create"),):
        assert client.post(url, {**FORM, "organization": world_b["org"].pk}).status_code in (403,)
    assert snapshot() == before


def test_approver_and_finance_cannot_edit_plans_staff_or_applications(client, approver, finance, world_b) -> None:  # type: ignore[no-untyped-def]
    for user in (approver, finance):
        before = snapshot()
        login(client, user)
        gets, posts = b_urls(world_b)
        for url in posts:
            if "refund" in url or "cancel" in url or "/orders/" in url or "/act/" in url:
                continue  # their own acts, refused by state here; checked elsewhere
            client.post(url, {**FORM, "file": io.BytesIO(PDF)})
        assert snapshot() == before, user


# -- ids of another council inside one's own URLs -------------------------------------------------------------

def test_ids_of_council_b_inside_council_a_urls_are_not_found(client, council, staff, approver, katsudo,
                                                                 world_b) -> None:  # type: ignore[no-untyped-def]
    case, plan, cats = draft(katsudo, council, staff)
    own_revision = plans.start_revision(actor=council[1], plan_id=plan.pk, reason="見直し")
    person = builders.staff_member(council[0], council[1])
    before = snapshot()
    login(client, council[1])
    assert client.get(reverse("plan_attachment", args=[own_revision.pk, world_b["attachment"].pk])).status_code == 404
    assert client.get(reverse("case_receipt", args=[case.pk, world_b["receipt"].pk])).status_code == 404
    assert client.post(reverse("council_staff_end", args=[council[0].pk, world_b["person"].pk]),
                       {"employed_until": "2030-01-01"}).status_code == 404
    assert client.post(case_url("case_order_action", case, world_b["order"].pk, "prepare"), {}).status_code == 404
    client.post(case_url("case_line_delete", case, "budget", world_b["unei_line"].pk), {})
    client.post(reverse("plan_delete_item", args=[own_revision.pk, world_b["item"].pk]), {})
    client.post(reverse("plan_add_item", args=[own_revision.pk]), {"level": "action", "code": "7", "title": "x",
                                                                   "parent": world_b["item"].parent_id})
    assert snapshot() == before
    assert person.pk


def test_staff_approving_an_override_through_another_cases_url_is_refused(staff, staff2, council, katsudo,
                                                                         world_b) -> None:  # type: ignore[no-untyped-def]
    case, plan, cats = draft(katsudo, council, staff)
    bad = line(case, council[1], category=cats["kosaihi"], plan_item=builders.item(plan, "1-1-1"), amount=1)
    lifecycle.submit(case_id=case.pk, actor=council[1])
    override = override_check(case_id=case.pk, actor=staff, check_code=f"category@b{bad.pk}", justification="確認")
    from grants.cases.workflows import CaseActionError

    with pytest.raises(CaseActionError, match="見つかりません"):
        approve_override(case_id=world_b["unei_case"].pk, override_id=override.pk, actor=staff2)
    override.refresh_from_db()
    assert override.approved_by is None


def test_regression_generic_verify_of_another_councils_case_is_not_found(client, council, world_b) -> None:  # type: ignore[no-untyped-def]
    """The generic 審査 button of a full-lifecycle case answered 「審査欄から行ってください」 to anyone, telling a
    stranger that the case exists and which lifecycle it follows; it must be 404 like every other act."""
    from grants.cases.services import verify_application

    with pytest.raises(GrantCase.DoesNotExist):
        verify_application(case_id=world_b["unei_case"].pk, actor=council[1])
    login(client, council[1])
    assert client.post(reverse("case_action", args=[world_b["unei_case"].pk, "verify"]), {}).status_code == 404
