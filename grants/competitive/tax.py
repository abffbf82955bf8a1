"""The 消費税及び地方消費税に係る仕入控除税額の報告 (GRANTS.md §3 step 9), where the call requires it: due by 6/30
of the second 年度 after the 年度 of completion, required even when the amount is 0. The group (its current
representative) or staff on its behalf reports the amount, or an exemption (免税事業者, 簡易課税, 特定収入割合 over
5 %) with its evidence; staff other than the reporter confirm it or return it with a note, and a positive amount
becomes a 返還 through the refund rails (``grants.cases.refunds.order_refund``, reason ``TAX_CREDIT``: its own
返還命令 and 返還命令書 beside any of the 額の確定; finance records its payment as for any refund).

The report is created by the effect ``schedule_tax_report``, which the competitive workflow's 額の確定 (``confirm``)
names.

Errors: ``TaxReportError`` (Japanese, names the field); ``TaxCreditReport.DoesNotExist`` for a report the user
may not see (404).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db.models import Q, QuerySet
from django.utils import timezone

from grants.accounts.models import Role, User
from grants.cases.models import GrantCase, PerformanceReport, RefundReason
from grants.cases.refunds import order_refund
from grants.core import workflow
from grants.core.fiscal import fiscal_year_of
from grants.core.models import AuditEvent
from grants.core.money import yen
from grants.core.uploads import UploadError, check_upload
from grants.core.workflow import Act, Edge, Machine
from grants.organizations.members import BY_HEAD
from grants.organizations.models import Representative

from .models import ProjectPlan, TaxCreditReport, TaxExemption, TaxReportStatus

# Reports due within this many days are "coming" (期限が近い) on the staff list.
COMING_DAYS = 90
DUE_MONTH, DUE_DAY = 6, 30


class TaxReportError(workflow.ActionRefused):
    """The act on a 仕入控除税額 report is not allowed, or its input is wrong (Japanese, names the field)."""


def tax_report_due(completed_on: dt.date) -> dt.date:
    """The 報告期限: 6/30 of the second 年度 after the 年度 of ``completed_on`` (事業完了日).

    E.g. completed 2027-02-10 or 2027-03-31 (令和8年度) → 2028-06-30; completed 2027-04-01 (令和9年度) →
    2029-06-30. Source: the 交付要綱's 消費税仕入控除税額 clause (GRANTS.md §3 step 9)."""
    return dt.date(fiscal_year_of(completed_on) + 2, DUE_MONTH, DUE_DAY)


def visible_tax_reports(user: User) -> QuerySet[TaxCreditReport]:
    """City users see every report; a group's current representative sees its own; anyone else none."""
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
             HEAD_OR_STAFF, org_roles=BY_HEAD, records="submitted_by", stamps="submitted_at", page="form",
             effects=("take_tax_figures",), role_refusal="報告書は団体の代表者または担当職員が提出します。",
             state_refusal="この報告はすでに提出されています（{state}）。"),
        Edge("return_tax_report", "差し戻す", frozenset({TaxReportStatus.SUBMITTED}), TaxReportStatus.DUE,
             frozenset({Role.STAFF}), note_required=True, tone="secondary",
             note_refusal="差戻しの理由: 団体に伝える理由を入力してください。",
             role_refusal="報告の差戻しは担当職員のみが行えます。"),
        Edge("confirm_tax_report", "確認する", frozenset({TaxReportStatus.SUBMITTED}), TaxReportStatus.CONFIRMED,
             frozenset({Role.STAFF}), ("submitted_by",), records="confirmed_by", stamps="confirmed_at",
             then=("refund_tax_credit",), role_refusal="報告の確認は担当職員のみが行えます。"),
    ),
    visible=lambda user: visible_tax_reports(user), parent="case", related=("case__organization",),
    error=TaxReportError,
    separation={"submitted_by": "報告書を提出した方（代理で提出した方を含む）は、同じ報告を確認できません。"},
    subject=lambda report: report.case,
    note=lambda report, note: f"消費税仕入控除税額の報告：{note}" if note else "消費税仕入控除税額の報告",
))


# -- 額の確定: the report is scheduled -------------------------------------------------------------------------

def completion_day(case: GrantCase) -> dt.date:
    """The 事業完了日 of the 実績報告 (``completed_on``), else the day of the 額の確定, else today."""
    completed = PerformanceReport.objects.filter(case=case).values_list("completed_on", flat=True).first()
    return completed or case.confirmed_on or timezone.localdate()


@workflow.effect("schedule_tax_report")
def _schedule(act: Act[GrantCase]) -> None:
    """At 額の確定, a case of a call that requires it gets its report, due by ``tax_report_due`` (once)."""
    case = act.obj
    plan = ProjectPlan.objects.select_related("call").filter(case=case).first()
    if plan is None or not plan.call.requires_tax_report:
        return
    TaxCreditReport.objects.get_or_create(case=case, defaults={"due_on": tax_report_due(completion_day(case))})


# -- 報告書の提出 -----------------------------------------------------------------------------------------------

def submit_tax_report(*, report_id: int, actor: User, exemption: str = "", amount: int | None = None,
                      evidence: UploadedFile | None = None) -> TaxCreditReport:
    """Submit the report ``report_id`` as ``actor`` (the group's representative, or staff on its behalf).

    ``amount``: the 仕入控除税額 in whole yen (0 allowed; at most the case's 確定額), when there is no exemption.
    ``exemption``: a ``TaxExemption`` value; then ``evidence`` (PDF, Word, Excel or image; or the file already
    kept from an earlier, returned submission) is required and the amount is 0. Raises ``TaxReportError`` naming
    the field, ``TaxCreditReport.DoesNotExist`` for a report the actor may not see. A second submission (a double
    click) is refused by the state: nothing is written twice."""
    return workflow.perform(TAX_REPORT, report_id, "submit_tax_report", actor=actor,
                            params={"exemption": exemption, "amount": amount, "evidence": evidence})


@workflow.effect("take_tax_figures")
def _take_figures(act: Act[TaxCreditReport]) -> None:
    """A report gives the amount (0 yen or more), or an exemption with its evidence (and no amount)."""
    report, params = act.obj, act.params
    exemption = str(params.get("exemption") or "")
    if exemption not in TaxExemption.values:
        raise TaxReportError("報告が不要となる理由: 選択肢の中から選んでください。")
    evidence = params.get("evidence")
    if exemption:
        _keep_evidence(report, evidence)
        report.exemption, report.amount = exemption, 0
        return
    report.exemption, report.amount = "", _amount(report, params)
    if evidence is not None:
        _keep_evidence(report, evidence)


def _amount(report: TaxCreditReport, params: Mapping[str, Any]) -> int:
    amount = params.get("amount")
    if amount is None or amount == "":
        raise TaxReportError("仕入控除税額: 金額を入力してください（0円の場合も「0」と入力してください）。")
    if isinstance(amount, bool) or not isinstance(amount, int) or amount < 0:
        raise TaxReportError("仕入控除税額: 0円以上の整数（円）で入力してください。")
    confirmed = report.case.confirmed_amount or 0
    if amount > confirmed:
        raise TaxReportError(f"仕入控除税額: 補助金の確定額（{yen(confirmed)}）を超える額は報告できません。")
    return amount


def _keep_evidence(report: TaxCreditReport, upload: object) -> None:
    if upload is None:
        if report.evidence:
            return  # kept from a submission that was returned
        raise TaxReportError(
            "根拠資料: 報告が不要となる理由を確かめられる資料（届出書や申告書の写しなど）を添付してください。")
    if not isinstance(upload, UploadedFile):
        raise TaxReportError("根拠資料: ファイルを選んでください。")
    try:
        ext = check_upload(upload)
    except UploadError as exc:
        raise TaxReportError(str(exc).replace("ファイル:", "根拠資料:", 1)) from exc
    report.evidence.save(f"evidence{ext}", upload, save=False)


# -- 確認・差戻し -----------------------------------------------------------------------------------------------

def confirm_tax_report(*, report_id: int, actor: User, note: str = "") -> TaxCreditReport:
    """Confirm a submitted report (staff, not its submitter). A positive amount is ordered back (返還命令 with its
    返還命令書, reason 消費税仕入控除税額) in the same transaction. Raises ``TaxReportError``."""
    return workflow.perform(TAX_REPORT, report_id, "confirm_tax_report", actor=actor, note=note)


def return_tax_report(*, report_id: int, actor: User, note: str) -> TaxCreditReport:
    """Return a submitted report to the group (staff) with ``note``, the reason it is told. Raises
    ``TaxReportError``."""
    return workflow.perform(TAX_REPORT, report_id, "return_tax_report", actor=actor, note=note)


@workflow.effect("refund_tax_credit")
def _refund(act: Act[TaxCreditReport]) -> None:
    """A positive 仕入控除税額 is returned to the city: its own 返還命令 through the refund rails, beside any
    返還命令 of the 額の確定 (``RefundOrder.notice_key`` tells their notices apart)."""
    report = act.obj
    if not report.amount:
        return
    case = report.case
    received = case.paid_amount - case.refunded_amount
    if report.amount > received:
        raise TaxReportError(
            f"仕入控除税額: 団体が受け取った額（返還分を除き {yen(received)}）を超えるため、返還を命じられません。"
            "支払の記録を確かめてください。")
    order_refund(case=case, actor=act.actor, principal=report.amount, reason=RefundReason.TAX_CREDIT)


# -- reading ----------------------------------------------------------------------------------------------------

def last_return_note(report: TaxCreditReport) -> str:
    """The reason given the last time the report was returned ("" when it never was)."""
    event = (AuditEvent.objects.for_object(report.case)
             .filter(machine=TAX_REPORT.name, action="return_tax_report").order_by("-at", "-pk").first())
    if event is None:
        return ""
    prefix = "消費税仕入控除税額の報告："
    return event.note[len(prefix):] if event.note.startswith(prefix) else event.note


@dataclass(frozen=True)
class ReportFilter:
    """The staff list's filters: ``window`` (``overdue``: past due and not submitted; ``coming``: not submitted and
    due within ``COMING_DAYS`` days; ``all``), ``status`` (a ``TaxReportStatus`` or ""), ``q`` (part of the
    group's name)."""

    window: str = "all"
    status: str = ""
    q: str = ""


WINDOWS = {"all": "すべて", "overdue": "期限を過ぎたもの（未提出）",
           "coming": f"{COMING_DAYS}日以内に期限を迎えるもの（未提出）"}


def tax_reports(user: User, filters: ReportFilter, *, today: dt.date | None = None) -> QuerySet[TaxCreditReport]:
    """The reports ``user`` may see, filtered, by due date: what the staff list shows."""
    day = today or timezone.localdate()
    qs = visible_tax_reports(user).select_related("case__organization", "case__programme_year__programme")
    if filters.window == "overdue":
        qs = qs.filter(status=TaxReportStatus.DUE, due_on__lt=day)
    elif filters.window == "coming":
        qs = qs.filter(status=TaxReportStatus.DUE, due_on__gte=day, due_on__lte=day + dt.timedelta(days=COMING_DAYS))
    if filters.status in TaxReportStatus.values:
        qs = qs.filter(status=filters.status)
    if filters.q.strip():
        qs = qs.filter(Q(case__organization__name__icontains=filters.q.strip()))
    return qs.order_by("due_on", "pk")
