"""The 消費税及び地方消費税に係る仕入控除税額の報告 (GRANTS.md §3 step 9), where the call requires it: due by 6/30
of the second 年度 after completion, required even when the amount is 0. The group reports the amount, or an
exemption (免税事業者, 簡易課税, 特定収入割合 over 5 %) with its evidence; staff other than the reporter confirm
it, and a positive amount becomes a 返還 through the refund rails.

Errors: ``TaxReportError`` (Japanese, names the field); ``TaxCreditReport.DoesNotExist`` for a report the user
may not see (404).
"""
from __future__ import annotations

from django.db.models import QuerySet

from grants.accounts.models import Role, User
from grants.cases.models import RefundOrder, RefundReason
from grants.cases.refunds import order_refund
from grants.core import workflow
from grants.core.workflow import Act, Edge, Machine
from grants.organizations.models import Representative

from .models import TaxCreditReport, TaxReportStatus


class TaxReportError(workflow.ActionRefused):
    """The act on a 仕入控除税額 report is not allowed, or its input is wrong (Japanese, names the field)."""


def visible_tax_reports(user: User) -> QuerySet[TaxCreditReport]:
    if not user.is_authenticated:
        return TaxCreditReport.objects.none()
    if user.is_city_user:
        return TaxCreditReport.objects.all()
    return TaxCreditReport.objects.filter(
        case__organization_id__in=Representative.objects.current().filter(user=user).values("organization_id")
    )


HEAD_OR_STAFF = frozenset({Role.ASSOCIATION_HEAD, Role.STAFF})

TAX_REPORT: Machine[TaxCreditReport] = workflow.register(Machine(
    name="tax_credit_report", label="消費税仕入控除税額の報告", model="competitive.TaxCreditReport",
    states=dict(TaxReportStatus.choices),
    edges=(
        Edge("submit_tax_report", "報告書を提出する", frozenset({TaxReportStatus.DUE}), TaxReportStatus.SUBMITTED,
             HEAD_OR_STAFF, records="submitted_by", stamps="submitted_at", page="form",
             effects=("require_tax_figures",)),
        Edge("return_tax_report", "差し戻す", frozenset({TaxReportStatus.SUBMITTED}), TaxReportStatus.DUE,
             frozenset({Role.STAFF}), note_required=True, tone="secondary",
             role_refusal="報告の差戻しは担当職員のみが行えます。"),
        Edge("confirm_tax_report", "確認する", frozenset({TaxReportStatus.SUBMITTED}), TaxReportStatus.CONFIRMED,
             frozenset({Role.STAFF}), ("submitted_by",), records="confirmed_by", stamps="confirmed_at",
             then=("refund_tax_credit",), role_refusal="報告の確認は担当職員のみが行えます。"),
    ),
    visible=lambda user: visible_tax_reports(user), parent="case", related=("case__organization",),
    error=TaxReportError,
    separation={"submitted_by": "報告書を代理で提出した方は、同じ報告を確認できません。"},
))


@workflow.effect("require_tax_figures")
def _require_figures(act: Act[TaxCreditReport]) -> None:
    """A report gives the amount (0 yen or more), or an exemption with its evidence (and no amount)."""
    report = act.obj
    if report.exemption:
        if not report.evidence:
            raise TaxReportError(
                "根拠資料: 報告が不要となる理由を確かめられる資料（届出書の写しなど）を添付してください。")
        report.amount = 0
        return
    if report.amount is None:
        raise TaxReportError("仕入控除税額: 0円の場合も「0」と入力してください。")


@workflow.effect("refund_tax_credit")
def _refund(act: Act[TaxCreditReport]) -> None:
    """A positive 仕入控除税額 is returned to the city: a 返還命令 through the refund rails."""
    report = act.obj
    if not report.amount:
        return
    if RefundOrder.objects.filter(case_id=report.case_id).exists():
        raise TaxReportError(
            "この案件にはすでに返還命令があります。仕入控除税額の返還は、担当課で個別に処理してください。")
    order_refund(case=report.case, actor=act.actor, principal=report.amount, reason=RefundReason.TAX_CREDIT)
