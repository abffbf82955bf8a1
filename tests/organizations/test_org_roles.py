"""Roles within an applicant organisation on the rail (``org_roles``): the head alone submits; the 会計 enters the
実績報告's money (lines, receipts); a 担当者 drafts (the narrative, application lines) but neither submits nor enters
money; a member of one organisation acts on no other's case. Every refusal writes nothing."""
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from grants.accounts.models import Role
from grants.cases import lifecycle, receipts
from grants.cases.budget import LineError
from grants.cases.models import GrantCase, PerformanceReport, Receipt, ReportLine, Status
from grants.cases.workflows import CaseActionError
from grants.core.models import AuditEvent
from grants.insurance import services as insurance
from grants.insurance.machines import InsuranceError
from grants.insurance.models import AccidentReport, ReportStatus
from grants.organizations.models import MemberRole
from tests import factories
from tests.councils import builders
from tests.councils.helpers import line
from tests.councils.steps import decided, today
from tests.insurance import builders as insurance_builders

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
HEAD_ONLY = "この手続は団体の代表者が行います。"


def member(org, username: str, role: str):  # type: ignore[no-untyped-def]
    user = factories.UserFactory(username=username, role=Role.ASSOCIATION_HEAD, display_name=username)
    factories.RepresentativeFactory(organization=org, user=user, name=username, role=role, title="")
    return user


@pytest.fixture
def report_case(council, staff, approver, katsudo):  # type: ignore[no-untyped-def]
    """A decided case of ``council`` whose 実績報告 the head saved; (case, plan, cats)."""
    case, plan, cats = decided(katsudo, council, staff, approver)
    lifecycle.save_report(case_id=case.pk, actor=council[1], narrative="実施", completed_on=today())
    return case, plan, cats


def _report_line(case, plan, cats, actor):  # type: ignore[no-untyped-def]
    return line(case, actor, where="report", category=cats["genzairyo"], plan_item=builders.item(plan, "1-1-2"),
                amount=300_000, description="資材")


def test_a_treasurer_enters_receipts_and_lines_but_cannot_submit(council, report_case) -> None:  # type: ignore[no-untyped-def]
    case, plan, cats = report_case
    treasurer = member(council[0], "kaikei", MemberRole.TREASURER)
    receipts.add_receipt(case_id=case.pk, actor=treasurer, title="領収書", upload=SimpleUploadedFile("r.pdf", PDF))
    _report_line(case, plan, cats, treasurer)
    events = AuditEvent.objects.count()
    with pytest.raises(CaseActionError, match=HEAD_ONLY):
        lifecycle.submit_report(case_id=case.pk, actor=treasurer)
    case.refresh_from_db()
    assert (case.status, AuditEvent.objects.count()) == (Status.DECIDED, events)
    assert (Receipt.objects.count(), ReportLine.objects.count()) == (1, 1)
    lifecycle.submit_report(case_id=case.pk, actor=council[1])  # the head does
    assert GrantCase.objects.get(pk=case.pk).status == Status.REPORTED


def test_a_clerk_drafts_but_neither_submits_nor_enters_money(council, report_case) -> None:  # type: ignore[no-untyped-def]
    case, plan, cats = report_case
    clerk = member(council[0], "tanto", MemberRole.CLERK)
    lifecycle.save_report(case_id=case.pk, actor=clerk, narrative="担当者が書いた報告", completed_on=today())
    assert PerformanceReport.objects.get(case=case).narrative == "担当者が書いた報告"
    with pytest.raises(CaseActionError, match="概要を保存した後"):
        receipts.add_receipt(case_id=case.pk, actor=clerk, title="領収書", upload=SimpleUploadedFile("r.pdf", PDF))
    with pytest.raises(LineError, match="実績報告"):
        _report_line(case, plan, cats, clerk)
    with pytest.raises(CaseActionError, match=HEAD_ONLY):
        lifecycle.submit_report(case_id=case.pk, actor=clerk)
    assert (Receipt.objects.count(), ReportLine.objects.count()) == (0, 0)
    assert GrantCase.objects.get(pk=case.pk).status == Status.DECIDED


def test_a_clerk_writes_application_lines_but_cannot_submit_the_application(council, staff, katsudo) -> None:  # type: ignore[no-untyped-def]
    org, _ = council
    plan, cats = builders.approved_plan(org, staff), builders.categories()
    case = builders.draft_case(katsudo, org)
    clerk = member(org, "tanto", MemberRole.CLERK)
    line(case, clerk, category=cats["genzairyo"], plan_item=builders.item(plan, "1-1-2"), amount=600_000)
    with pytest.raises(CaseActionError, match=HEAD_ONLY):
        lifecycle.submit(case_id=case.pk, actor=clerk)
    assert GrantCase.objects.get(pk=case.pk).status == Status.DRAFT


def test_a_member_of_one_organisation_cannot_act_on_anothers_case(council_b, report_case) -> None:  # type: ignore[no-untyped-def]
    case, plan, cats = report_case
    other_treasurer = member(council_b[0], "yuda-kaikei", MemberRole.TREASURER)
    with pytest.raises(GrantCase.DoesNotExist):
        receipts.add_receipt(case_id=case.pk, actor=other_treasurer, title="領収書",
                             upload=SimpleUploadedFile("r.pdf", PDF))
    with pytest.raises(GrantCase.DoesNotExist):
        lifecycle.submit_report(case_id=case.pk, actor=council_b[1])
    assert Receipt.objects.count() == 0


def test_the_case_page_shows_a_treasurer_the_disabled_submission_with_its_reason(client, council, report_case) -> None:  # type: ignore[no-untyped-def]
    case, plan, cats = report_case
    client.force_login(member(council[0], "kaikei", MemberRole.TREASURER))
    page = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    assert HEAD_ONLY in page
    assert 'disabled aria-describedby="why-submit_report"' in page
    assert 'id="receipt-file"' in page  # the receipt form is the 会計's
    client.force_login(member(council[0], "tanto", MemberRole.CLERK))
    page = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    assert 'disabled aria-describedby="why-submit_report"' in page
    assert 'id="receipt-file"' not in page


def test_a_clerk_drafts_an_accident_report_that_only_the_head_submits(association, association_head, policy) -> None:  # type: ignore[no-untyped-def]
    clerk = member(association, "tanto", MemberRole.CLERK)
    report = insurance_builders.draft_report(clerk, association)  # details, people, documents: any member
    with pytest.raises(InsuranceError, match=HEAD_ONLY):
        insurance.submit_report(actor=clerk, report_id=report.pk)
    assert AccidentReport.objects.get(pk=report.pk).status == ReportStatus.DRAFT
    insurance.submit_report(actor=association_head, report_id=report.pk)
    assert AccidentReport.objects.get(pk=report.pk).status == ReportStatus.SUBMITTED
