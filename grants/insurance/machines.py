"""The machines of the accident report (事故報告書) and of the claim (保険金請求), GRANTS.md §6
(``grants.core.workflow``). Their audit rows are on the report, without names: the notes say what was done and
the claim's number, never who was hurt."""
from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from grants.accounts.models import Role
from grants.core import workflow
from grants.core.workflow import Edge, Machine
from grants.organizations.members import BY_ANY_MEMBER, BY_HEAD
from grants.organizations.models import Representative

from .models import AccidentReport, Claim, ClaimStatus, ReportStatus


class InsuranceError(workflow.ActionRefused):
    """The act is not allowed or the input is wrong; the message is for the user, in Japanese."""


def visible_reports(user: Any) -> QuerySet[AccidentReport]:
    """Reports whose personal data ``user`` may see: every report for the 保険担当, the reports of the
    organisations they represent today for a group's head; none for anyone else (the grant roles included)."""
    if not getattr(user, "is_authenticated", False):
        return AccidentReport.objects.none()
    if user.role == Role.INSURANCE:
        return AccidentReport.objects.all()
    if user.role == Role.ASSOCIATION_HEAD:
        return AccidentReport.objects.filter(
            organization__in=Representative.objects.current().filter(user=user).values("organization_id"))
    return AccidentReport.objects.none()


def visible_claims(user: Any) -> QuerySet[Claim]:
    """Claims of the reports ``user`` may see."""
    return Claim.objects.filter(report__in=visible_reports(user))


def _s(*states: str) -> frozenset[str]:
    return frozenset(states)


GROUP_OR_INSURANCE = frozenset({Role.ASSOCIATION_HEAD, Role.INSURANCE})
INSURANCE = frozenset({Role.INSURANCE})
ONLY_INSURANCE = "この操作は保険担当のみが行えます。"
EDITABLE = _s(ReportStatus.DRAFT, ReportStatus.RETURNED)

ACCIDENT_REPORT: Machine[AccidentReport] = workflow.register(Machine(
    name="accident_report", label="事故報告書", model="insurance.AccidentReport",
    states=dict(ReportStatus.choices),
    edges=(
        Edge("insurance_submit_report", "提出する", EDITABLE, ReportStatus.SUBMITTED, GROUP_OR_INSURANCE,
             org_roles=BY_HEAD, records="submitted_by", stamps="submitted_at", page="form",
             state_refusal="この事故報告書は提出済みです。",
             refusal_in={ReportStatus.WITHDRAWN: "取り下げた事故報告書は提出できません。"}),
        Edge("insurance_return_report", "差し戻す", _s(ReportStatus.SUBMITTED), ReportStatus.RETURNED, INSURANCE,
             note_required=True, page="form", tone="secondary",
             state_refusal="差し戻せるのは提出済み（判定待ち）の事故報告書だけです。"),
        Edge("insurance_withdraw_report", "取り下げる", _s(*EDITABLE, ReportStatus.SUBMITTED), ReportStatus.WITHDRAWN,
             GROUP_OR_INSURANCE, org_roles=BY_HEAD, note_required=True, page="form", tone="danger",
             state_refusal="判定後の事故報告書は取り下げられません。"),
        Edge("insurance_judge_covered", "補償の対象と判定する", _s(ReportStatus.SUBMITTED), ReportStatus.COVERED,
             INSURANCE, ("created_by",), action="insurance_judge_report", page="form",
             state_refusal="判定できるのは提出済み（判定待ち）の事故報告書だけです。"),
        Edge("insurance_judge_not_covered", "補償の対象外と判定する", _s(ReportStatus.SUBMITTED),
             ReportStatus.NOT_COVERED, INSURANCE, ("created_by",), action="insurance_judge_report", page="",
             state_refusal="判定できるのは提出済み（判定待ち）の事故報告書だけです。"),
    ),
    visible=visible_reports, related=("policy", "organization__area"), error=InsuranceError,
    role_refusal=ONLY_INSURANCE,
    separation={"created_by": "自分で入力した事故報告書は判定できません。別の保険担当が判定してください。"},
    activities=(
        workflow.Activity("edit_report", EDITABLE, GROUP_OR_INSURANCE,
                          "提出後の事故報告書は変更できません。保険担当から差し戻されたときに修正できます。",
                          org_roles=BY_ANY_MEMBER),
        workflow.Activity("send_claim_forms", _s(ReportStatus.COVERED), INSURANCE,
                          "請求書類を送付できるのは、補償の対象と判定した事故報告書だけです。"),
    ),
))

OPEN = _s(ClaimStatus.FORMS_SENT, ClaimStatus.FILED)

CLAIM: Machine[Claim] = workflow.register(Machine(
    name="claim", label="保険金請求", model="insurance.Claim",
    states=dict(ClaimStatus.choices),
    edges=(
        Edge("insurance_file_claim", "請求する", _s(ClaimStatus.FORMS_SENT), ClaimStatus.FILED, GROUP_OR_INSURANCE,
             org_roles=BY_HEAD, records="filed_by", page="form", state_refusal="この請求は提出済みです。"),
        Edge("insurance_forward_claim", "送付を記録", _s(ClaimStatus.FILED), ClaimStatus.FORWARDED, INSURANCE,
             records="forwarded_by", page="form",
             state_refusal="保険会社へ送付できるのは、請求を受け付けた（送付待ちの）請求だけです。"),
        Edge("insurance_record_payment", "支払を記録", _s(ClaimStatus.FORWARDED), ClaimStatus.PAID, INSURANCE,
             records="result_by", page="form",
             state_refusal="支払を記録できるのは、保険会社へ送付した（回答待ちの）請求だけです。"),
        Edge("insurance_record_denial", "不支払を記録", _s(ClaimStatus.FORWARDED), ClaimStatus.DENIED, INSURANCE,
             records="result_by", page="form", tone="secondary",
             state_refusal="不支払を記録できるのは、保険会社へ送付した（回答待ちの）請求だけです。"),
        Edge("insurance_withdraw_claim", "取り下げる", OPEN, ClaimStatus.WITHDRAWN, GROUP_OR_INSURANCE,
             org_roles=BY_HEAD, note_required=True, page="form", tone="danger",
             state_refusal="保険会社へ送付した後の請求は取り下げられません。"),
    ),
    visible=visible_claims, parent="report", related=("report__policy", "report__organization", "person"),
    error=InsuranceError, role_refusal=ONLY_INSURANCE, subject=lambda claim: claim.report,
    activities=(
        workflow.Activity("record_treatment", _s(ClaimStatus.FORMS_SENT), GROUP_OR_INSURANCE,
                          "請求の後は治療の記録を変更できません。", org_roles=BY_ANY_MEMBER),
        workflow.Activity("add_document", OPEN, GROUP_OR_INSURANCE,
                          "保険会社へ送付した後の請求には書類を追加できません。", org_roles=BY_ANY_MEMBER),
    ),
))
