"""Pages of the コミュニティ活動保険 (GRANTS.md §6): the accident reports and their judgment, the claims and the
hand-off to the insurer, the reminders, the personal-data access log and the anonymous statistics.

Views read through ``machines.visible_reports`` / ``machines.visible_claims`` and write only through the services
(``services``, ``claims``, ``reminders``). A report or claim the user may not see answers 404 (the grant roles
never see one); a page of a role the user does not have answers 403. Every page or file that shows an injured
person's data writes one ``PersonalDataAccess`` row before the data leaves the server; a refused request writes
none. POSTs redirect with a message; a form with errors is shown again with them.
"""
import datetime as dt
import os
from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files.base import File
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.forms.models import model_to_dict
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_POST

from grants.accounts.models import Role, User
from grants.core import workflow
from grants.core.fiscal import fiscal_year_label, wareki
from grants.core.models import AuditEvent
from grants.core.uploads import CONTENT_TYPES
from grants.insurance import claims, machines, reminders, services
from grants.insurance.benefits import BenefitInputError
from grants.insurance.guidance import late_notice, passed_due_date, report_next_step
from grants.insurance.machines import ACCIDENT_REPORT, CLAIM, InsuranceError
from grants.insurance.models import (
    CLAIM_KIND_FOR_HARM,
    AccessKind,
    AccidentReport,
    Claim,
    ClaimKind,
    ClaimStatus,
    Harm,
    InsurancePolicy,
    Judgment,
    PersonalDataAccess,
    Reminder,
    ReminderKind,
    ReportStatus,
)
from grants.insurance.stats import yearly_statistics
from grants.organizations.models import Organization
from pages.http import AuthedRequest, act_once, back_adding, post_form
from pages.insurance.forms import (
    AccessLogFilterForm,
    AttachmentForm,
    ClaimDocumentForm,
    DamagesForm,
    DenialForm,
    ForwardForm,
    JudgmentForm,
    PaymentForm,
    PersonForm,
    ReminderForm,
    ReportFilterForm,
    ReportForm,
    ReturnForm,
    SendFormsForm,
    SubmitForm,
    TreatmentForm,
    WithdrawForm,
    attach_service_error,
)
from reports import insurance_documents as documents

PER_PAGE = 50
REPORT_ROLES = (Role.INSURANCE, Role.ASSOCIATION_HEAD)
LOG_ROLES = (Role.INSURANCE, Role.AUDITOR)
STATISTICS_ROLES = (Role.INSURANCE, Role.AUDITOR, Role.STAFF, Role.APPROVER)

# The audit trail of a report (claims record theirs on the report too), in the words of the page.
INSURANCE_EVENT_LABELS = {
    "insurance_create_report": "事故報告書の作成",
    "insurance_update_report": "事故報告書の修正",
    "insurance_add_person": "関係者の登録",
    "insurance_remove_person": "関係者の削除",
    "insurance_add_attachment": "添付書類の登録",
    "insurance_remove_attachment": "添付書類の削除",
    "insurance_submit_report": "提出",
    "insurance_return_report": "差戻し",
    "insurance_withdraw_report": "取下げ",
    "insurance_judge_report": "補償対象の判定",
    "insurance_send_claim_forms": "請求書類の送付",
    "insurance_record_treatment": "治療の記録",
    "insurance_record_damages": "損害額の記録",
    "insurance_add_claim_document": "請求書類の登録",
    "insurance_remove_claim_document": "請求書類の削除",
    "insurance_file_claim": "保険金の請求",
    "insurance_forward_claim": "保険会社への送付",
    "insurance_record_payment": "保険金の支払の記録",
    "insurance_record_denial": "不支払の記録",
    "insurance_withdraw_claim": "請求の取下げ",
    "insurance_send_reminder": "督促・照会の送付",
}
STATE_LABELS = {**dict(ReportStatus.choices), **dict(ClaimStatus.choices)}
INPUT_ERROR = "入力内容に誤りがあります。各項目の説明を確認してください。"


def roles_required(*roles: str) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Pages for some roles only: anyone else logged in gets 403."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @login_required
        @wraps(view)
        def wrapped(request: AuthedRequest, *args: object, **kwargs: object) -> HttpResponse:
            if request.user.role not in roles:
                raise PermissionDenied("この画面を利用する権限がありません。")
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def _report_or_404(user: User, pk: int) -> AccidentReport:
    try:
        return services.access_report(user, pk)
    except AccidentReport.DoesNotExist as error:
        raise Http404("事故報告書が見つかりません。") from error


def _claim_or_404(user: User, pk: int) -> Claim:
    try:
        return claims.access_claim(user, pk)
    except Claim.DoesNotExist as error:
        raise Http404("保険金請求が見つかりません。") from error


def _page(request: HttpRequest, qs: QuerySet[Any]) -> Page[Any]:
    return Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))


def _open(field_file: File) -> File:
    try:
        return field_file.open("rb")
    except FileNotFoundError as error:
        raise Http404("ファイルが見つかりません。") from error


def _download(handle: File, name: str, stem: str) -> FileResponse:
    ext = os.path.splitext(name)[1].lower()
    return FileResponse(handle, as_attachment=True, filename=f"{stem}{ext}",
                        content_type=CONTENT_TYPES.get(ext, "application/octet-stream"))


def _events(report: AccidentReport, *, claim: Claim | None = None) -> list[dict[str, object]]:
    """The report's audit trail in Japanese; with ``claim``, only the rows about that claim."""
    rows = []
    for event in AuditEvent.objects.for_object(report).select_related("actor"):
        if claim is not None and not event.note.startswith((f"請求 {claim.number}：", f"請求 {claim.number}（")):
            continue
        rows.append({"event": event, "label": INSURANCE_EVENT_LABELS.get(event.action, event.action),
                     "from_state": STATE_LABELS.get(event.from_state, event.from_state),
                     "to_state": STATE_LABELS.get(event.to_state, event.to_state)})
    return rows


# -- 事故報告書の一覧・作成・修正 --------------------------------------------------------------------------------

def _creatable_organizations(user: User) -> QuerySet[Organization]:
    if user.role == Role.INSURANCE:
        return Organization.objects.filter(is_active=True).order_by("code")
    return services.represented_organizations(user).order_by("code")


@require_GET
@roles_required(*REPORT_ROLES)
def report_list(request: AuthedRequest) -> HttpResponse:
    """事故報告の一覧: every report for the 保険担当 (filter by 状態, 年度, 期限後, 団体名), the own group's for a
    head. No personal data on it."""
    qs = machines.visible_reports(request.user).select_related("policy", "organization")
    years = InsurancePolicy.objects.order_by("-fiscal_year").values_list("fiscal_year", flat=True)
    form = ReportFilterForm(request.GET or None, fiscal_years=[(fy, fiscal_year_label(fy)) for fy in years])
    if form.is_valid():
        data = form.cleaned_data
        if data["status"]:
            qs = qs.filter(status=data["status"])
        if data["fiscal_year"]:
            qs = qs.filter(policy__fiscal_year=data["fiscal_year"])
        if data["late_only"]:
            qs = qs.filter(is_late=True)
        if data["organization"]:
            qs = qs.filter(organization__name__contains=data["organization"].strip())
    return render(request, "insurance/report_list.html", {
        "page": _page(request, qs), "filter_form": form,
        "may_create": _creatable_organizations(request.user).exists(),
    })


def _current_policy() -> InsurancePolicy | None:
    """The policy of today (or the latest one), whose deadline rule the form explains."""
    today = timezone.localdate()
    return (InsurancePolicy.objects.filter(period_start__lte=today).order_by("-period_start").first()
            or InsurancePolicy.objects.order_by("-period_start").first())


@roles_required(*REPORT_ROLES)
def report_create(request: AuthedRequest) -> HttpResponse:
    """A new 事故報告書 (作成中): a head for a group they represent, the 保険担当 for any active group (a report
    received on paper)."""
    organizations = _creatable_organizations(request.user)
    if not organizations.exists():
        raise PermissionDenied("事故報告書を作成できる団体がありません。")
    form = ReportForm(request.POST or None, organizations=organizations)
    if request.method == "POST":
        if form.is_valid():
            try:  # once per form: a double click makes one report (``act_once``)
                return act_once(request, done=_created,
                                act=lambda: services.create_report(
                                    actor=request.user, organization=form.cleaned_data["organization"],
                                    data=form.report_data()),
                                then=lambda report: redirect("insurance_report_detail", pk=report.pk))
            except workflow.ActionRefused as error:  # InsuranceError, or a key that is not honoured
                messages.error(request, str(error))
                attach_service_error(form, error)
        else:
            messages.error(request, INPUT_ERROR)
    return render(request, "insurance/report_form.html", {"form": form, "policy": _current_policy()})


def _created(report: AccidentReport) -> str:
    """The message of a new report: its number, and its due date or, when it has already passed (an accident
    reported late), that the reason will be asked at submission."""
    created = f"事故報告書（受付番号 {report.number}）を作成しました。"
    passed = _passed_due_date(report)
    if passed:
        return created + "関係者と添付書類を登録して提出してください。" + late_notice(passed)
    return created + f"報告期限は{wareki(report.due_date)}です。関係者と添付書類を登録して提出してください。"


@login_required
def report_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    """Correct the report while it is 作成中 or 差戻し. The page shows the report's text: its views are logged."""
    user = request.user
    report = _report_or_404(user, pk)
    if "edit" not in report_actions(user, report):
        messages.error(request, "提出後の事故報告書は変更できません。保険担当から差し戻されたときに修正できます。")
        return redirect("insurance_report_detail", pk=pk)
    initial = model_to_dict(report, fields=services.REPORT_FIELDS)
    form = ReportForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.update_report(actor=user, report_id=pk, data=form.report_data())
            except InsuranceError as error:
                messages.error(request, str(error))
                attach_service_error(form, error)
            else:
                report.refresh_from_db()
                passed = _passed_due_date(report)
                messages.success(request, "事故報告書を修正しました。" + (
                    late_notice(passed) if passed else f"報告期限は{wareki(report.due_date)}です。"))
                return redirect("insurance_report_detail", pk=pk)
        else:
            messages.error(request, INPUT_ERROR)
    services.log_access(user, report, AccessKind.REPORT_PAGE, detail="修正画面")
    return render(request, "insurance/report_form.html", {"form": form, "report": report, "policy": report.policy})


# -- 事故報告書の画面 ----------------------------------------------------------------------------------------

def report_actions(user: User, report: AccidentReport) -> set[str]:
    """The acts ``user`` (who can see ``report``) may take on it now, from the report's machine, so the page
    shows only those; the services check them again."""
    edges = workflow.open_edges(ACCIDENT_REPORT, report, user)
    acts: set[str] = set()
    if workflow.may(ACCIDENT_REPORT, report, user, "edit_report"):
        acts |= {"edit", "add_person", "remove_person", "add_attachment", "remove_attachment"}
    for edge, act in (("insurance_submit_report", "submit"), ("insurance_withdraw_report", "withdraw"),
                      ("insurance_return_report", "return")):
        if edge in edges:
            acts.add(act)
    if "insurance_judge_covered" in edges and edges["insurance_judge_covered"].enabled:
        acts.add("judge")
    if workflow.may(ACCIDENT_REPORT, report, user, "send_claim_forms"):
        acts.add("send_forms")
    return acts


def _judged_by_another(user: User, report: AccidentReport) -> bool:
    """The report waits for a judgment its viewer may not give: they entered it themselves."""
    offer = workflow.open_edges(ACCIDENT_REPORT, report, user).get("insurance_judge_covered")
    return offer is not None and not offer.enabled


def _passed_due_date(report: AccidentReport) -> dt.date | None:
    return passed_due_date(report, timezone.localdate())


def _render_report(request: AuthedRequest, report: AccidentReport, **bound: forms.BaseForm) -> HttpResponse:
    """The report page, with ``bound`` forms (their errors) in place of the empty ones. Logs the view first."""
    user = request.user
    services.log_access(user, report, AccessKind.REPORT_PAGE)
    acts = report_actions(user, report)
    persons = list(report.persons.all())
    report_claims = list(report.claims.select_related("person"))
    claimed = {(c.person_id, c.kind) for c in report_claims}
    judgment = getattr(report, "judgment", None) if report.status in (ReportStatus.COVERED,
                                                                      ReportStatus.NOT_COVERED) else None
    claimable = [p for p in persons if p.harm != Harm.NONE
                 and (p.pk, CLAIM_KIND_FOR_HARM[Harm(p.harm)]) not in claimed]
    context = {
        "report": report, "acts": acts, "persons": persons, "claims": report_claims,
        "attachments": report.attachments.select_related("uploaded_by"),
        "missing": services.missing_for_submission(report) if "submit" in acts else [],
        "needs_delay_reason": _passed_due_date(report) is not None,
        "judgment": judgment,
        "findings": judgment.findings.select_related("condition") if judgment else [],
        "creator_may_not_judge": _judged_by_another(user, report),
        "claimable": claimable,
        "next_step": report_next_step(user, report, today=timezone.localdate(), unsent=len(claimable)),
        "events": _events(report),
        "person_form": PersonForm(auto_id="person-%s"),
        "attachment_form": AttachmentForm(auto_id="attachment-%s"),
        "submit_form": SubmitForm(auto_id="submit-%s", initial={"delay_reason": report.delay_reason},
                                  due_date_passed=_passed_due_date(report)),
        "withdraw_form": WithdrawForm(auto_id="withdraw-%s"),
        "return_form": ReturnForm(auto_id="return-%s"),
        "judgment_form": (JudgmentForm(conditions=report.policy.conditions.all(), auto_id="judge-%s")
                          if "judge" in acts else None),
    }
    context.update(bound)
    return render(request, "insurance/report_detail.html", context)


@login_required
def report_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    return _render_report(request, _report_or_404(request.user, pk))


def _report_post(request: AuthedRequest, pk: int, act: Callable[[dict[str, Any]], object],
                 done: str | Callable[[Any], str], form: forms.BaseForm | None = None,
                 form_name: str = "", adding: str = "") -> HttpResponse:
    """Check the report is visible (404), then ``pages.http.post_form``: a form that does not validate, or a
    refusal, shows the page again with the form as typed and the message at its field; after an add the page
    comes back with the add form ``adding`` open."""
    report = _report_or_404(request.user, pk)
    back = redirect("insurance_report_detail", pk=pk)
    return post_form(request, form=form, act=act, done=done, back=back,
                     invalid=lambda f: INPUT_ERROR, refused=attach_service_error,
                     rerender=lambda f: _render_report(request, report, **{form_name: f}),
                     not_found=(AccidentReport.DoesNotExist, Claim.DoesNotExist),
                     then=(lambda _: back_adding(reverse("insurance_report_detail", args=[pk]), adding))
                     if adding else None)


@require_POST
@login_required
def report_add_person(request: AuthedRequest, pk: int) -> HttpResponse:
    form = PersonForm(request.POST, auto_id="person-%s")
    return _report_post(request, pk, lambda d: services.add_person(actor=request.user, report_id=pk,
                                                                   data=form.person_data()),
                        "関係者を登録しました。", form, "person_form", adding="add-person")


@require_POST
@login_required
def report_remove_person(request: AuthedRequest, pk: int, person_pk: int) -> HttpResponse:
    return _report_post(request, pk, lambda d: services.remove_person(actor=request.user, report_id=pk,
                                                                      person_id=person_pk),
                        "関係者を削除しました。")


@require_POST
@login_required
def report_add_attachment(request: AuthedRequest, pk: int) -> HttpResponse:
    form = AttachmentForm(request.POST, request.FILES, auto_id="attachment-%s")
    return _report_post(request, pk, lambda d: services.add_attachment(actor=request.user, report_id=pk,
                                                                       kind=d["kind"], title=d["title"],
                                                                       upload=d["file"]),
                        "添付書類を登録しました。", form, "attachment_form", adding="add-attachment")


@require_POST
@login_required
def report_remove_attachment(request: AuthedRequest, pk: int, attachment_pk: int) -> HttpResponse:
    return _report_post(request, pk, lambda d: services.remove_attachment(actor=request.user, report_id=pk,
                                                                          attachment_id=attachment_pk),
                        "添付書類を削除しました。")


def _submitted(report: AccidentReport) -> str:
    late = "（期限後の報告として、遅延理由書とともに受け付けました）" if report.is_late else ""
    return f"事故報告書を提出しました{late}。市の保険担当が補償の対象かどうかを判定します。"


@require_POST
@login_required
def report_submit(request: AuthedRequest, pk: int) -> HttpResponse:
    report = _report_or_404(request.user, pk)
    form = SubmitForm(request.POST, auto_id="submit-%s", due_date_passed=_passed_due_date(report))
    return _report_post(request, pk, lambda d: services.submit_report(actor=request.user, report_id=pk,
                                                                      delay_reason=d["delay_reason"]),
                        _submitted, form, "submit_form")


@require_POST
@login_required
def report_withdraw(request: AuthedRequest, pk: int) -> HttpResponse:
    form = WithdrawForm(request.POST, auto_id="withdraw-%s")
    return _report_post(request, pk, lambda d: services.withdraw_report(actor=request.user, report_id=pk,
                                                                        reason=d["reason"]),
                        "事故報告書を取り下げました。", form, "withdraw_form")


@require_POST
@login_required
def report_return(request: AuthedRequest, pk: int) -> HttpResponse:
    form = ReturnForm(request.POST, auto_id="return-%s")
    return _report_post(request, pk, lambda d: services.return_report(actor=request.user, report_id=pk,
                                                                      note=d["note"]),
                        "事故報告書を団体へ差し戻しました。", form, "return_form")


def _judged(judgment: Judgment) -> str:
    return "判定を記録しました：" + ("補償の対象です。関係者ごとに請求書類を送付してください。" if judgment.covered
                                 else "補償の対象外です。")


@require_POST
@login_required
def report_judge(request: AuthedRequest, pk: int) -> HttpResponse:
    report = _report_or_404(request.user, pk)
    form = JudgmentForm(request.POST, conditions=report.policy.conditions.all(), auto_id="judge-%s")
    return _report_post(request, pk, lambda d: services.judge_report(actor=request.user, report_id=pk,
                                                                     findings=form.findings(), note=d["note"]),
                        _judged, form, "judgment_form")


@require_POST
@login_required
def report_send_forms(request: AuthedRequest, pk: int) -> HttpResponse:
    form = SendFormsForm(request.POST)
    return _report_post(request, pk, lambda d: claims.send_claim_forms(actor=request.user, report_id=pk,
                                                                       person_id=d["person"]),
                        lambda c: f"請求書類の送付を記録しました（請求 {c.number}）。", form, "send_forms_form")


@login_required
def report_attachment(request: AuthedRequest, pk: int, attachment_pk: int) -> FileResponse:
    """Download an attachment of a report the user may see; logged (files are never served from MEDIA)."""
    report = _report_or_404(request.user, pk)
    attachment = get_object_or_404(report.attachments, pk=attachment_pk)
    handle = _open(attachment.file)
    services.log_access(request.user, report, AccessKind.ATTACHMENT,
                        detail=f"{attachment.get_kind_display()}（書類番号 {attachment.pk}）")
    return _download(handle, attachment.file.name, f"事故報告{report.number}_{attachment.get_kind_display()}")


# -- 保険金請求 ----------------------------------------------------------------------------------------------

@require_GET
@roles_required(*REPORT_ROLES)
def claim_list(request: AuthedRequest) -> HttpResponse:
    """保険金請求の一覧 (numbers, groups, states and amounts; no names), filtered by state."""
    qs = machines.visible_claims(request.user).select_related("report__policy", "report__organization")
    status = request.GET.get("status", "")
    if status in ClaimStatus.values:
        qs = qs.filter(status=status)
    return render(request, "insurance/claim_list.html", {
        "page": _page(request, qs.order_by("-report__accident_date", "report", "serial")),
        "statuses": ClaimStatus.choices, "status": status,
    })


def claim_actions(user: User, claim: Claim) -> set[str]:
    """The acts ``user`` (who can see ``claim``) may take on it now, from the claim's machine; the services check
    them again."""
    edges = workflow.open_edges(CLAIM, claim, user)
    acts = {act for edge, act in (("insurance_file_claim", "file"), ("insurance_forward_claim", "forward"),
                                  ("insurance_record_payment", "payment"), ("insurance_record_denial", "denial"),
                                  ("insurance_withdraw_claim", "withdraw")) if edge in edges}
    if workflow.may(CLAIM, claim, user, "record_treatment"):
        acts.add("treatment" if claim.kind == ClaimKind.INJURY else "damages")
    if workflow.may(CLAIM, claim, user, "add_document"):
        acts |= {"add_document", "remove_document", "claim_form"}
    if user.role == Role.INSURANCE:
        acts.add("document_set")
    return acts


def _amount(claim: Claim) -> tuple[list[object], int | None, bool]:
    """(lines, total, live): the amount computed now while the forms are out, else the amount kept at filing."""
    if claim.status == ClaimStatus.FORMS_SENT:
        try:
            benefit = claims.compute_claim(claim)
        except BenefitInputError:
            return [], None, True
        return list(benefit.lines), benefit.amount, True
    return list(claim.computed_lines), claim.computed_amount, False


def _treatment_bounds(claim: Claim) -> dict[str, dt.date]:
    """The days a treatment may fall on: from the accident to today, outpatient days within the policy's window
    (事故の日を含む日数)."""
    accident, window = claim.report.accident_date, claim.report.policy.outpatient_window_days
    bounds = {"accident_date": accident, "today": timezone.localdate()}
    if window:
        bounds["window_end"] = accident + dt.timedelta(days=window - 1)
    return bounds


def _render_claim(request: AuthedRequest, claim: Claim, **bound: forms.BaseForm) -> HttpResponse:
    """The claim page with ``bound`` forms in place of the empty ones. Logs the view first."""
    user = request.user
    services.log_access(user, claim.report, AccessKind.CLAIM_PAGE, claim=claim, detail=f"請求 {claim.number}")
    acts = claim_actions(user, claim)
    lines, total, live = _amount(claim)
    context = {
        "claim": claim, "report": claim.report, "person": claim.person, "acts": acts,
        "open_date": claims.claim_open_date(claim), "limit_date": claims.claim_limit_date(claim),
        "inpatient": claim.inpatient.all(), "outpatient": [v.day for v in claim.outpatient.all()],
        "documents": claim.documents.select_related("uploaded_by"),
        "missing": claims.missing_for_filing(claim) if "file" in acts else [],
        "lines": lines, "total": total, "live": live,
        "reminders": claim.reminders.select_related("sent_by"),
        "events": _events(claim.report, claim=claim),
        "treatment_form": (TreatmentForm(initial=TreatmentForm.initial_for(claim), auto_id="treatment-%s",
                                         **_treatment_bounds(claim)) if "treatment" in acts else None),
        "damages_form": DamagesForm(initial={"damages": claim.damages}, auto_id="damages-%s"),
        "document_form": ClaimDocumentForm(auto_id="document-%s"),
        "forward_form": ForwardForm(auto_id="forward-%s"),
        "payment_form": PaymentForm(auto_id="payment-%s", initial={"amount": claim.computed_amount}),
        "denial_form": DenialForm(auto_id="denial-%s"),
        "withdraw_form": WithdrawForm(auto_id="withdraw-%s"),
    }
    context.update(bound)
    return render(request, "insurance/claim_detail.html", context)


@login_required
def claim_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    return _render_claim(request, _claim_or_404(request.user, pk))


def _claim_post(request: AuthedRequest, pk: int, act: Callable[[dict[str, Any]], object], done: str,
                form: forms.BaseForm | None = None, form_name: str = "", adding: str = "") -> HttpResponse:
    """As ``_report_post``, for the claim page."""
    claim = _claim_or_404(request.user, pk)
    return post_form(request, form=form, act=act, done=done, back=redirect("insurance_claim_detail", pk=pk),
                     invalid=lambda f: INPUT_ERROR, refused=attach_service_error,
                     rerender=lambda f: _render_claim(request, claim, **{form_name: f}),
                     not_found=(AccidentReport.DoesNotExist, Claim.DoesNotExist),
                     then=(lambda _: back_adding(reverse("insurance_claim_detail", args=[pk]), adding))
                     if adding else None)


@require_POST
@login_required
def claim_treatment(request: AuthedRequest, pk: int) -> HttpResponse:
    claim = _claim_or_404(request.user, pk)
    form = TreatmentForm(request.POST, auto_id="treatment-%s", **_treatment_bounds(claim))
    return _claim_post(request, pk, lambda d: claims.record_treatment(actor=request.user, claim_id=pk,
                                                                      **form.treatment()),
                       "治療の記録を保存しました。", form, "treatment_form")


@require_POST
@login_required
def claim_damages(request: AuthedRequest, pk: int) -> HttpResponse:
    form = DamagesForm(request.POST, auto_id="damages-%s")
    return _claim_post(request, pk, lambda d: claims.record_damages(actor=request.user, claim_id=pk,
                                                                    damages=d["damages"]),
                       "損害額を保存しました。", form, "damages_form")


@require_POST
@login_required
def claim_add_document(request: AuthedRequest, pk: int) -> HttpResponse:
    form = ClaimDocumentForm(request.POST, request.FILES, auto_id="document-%s")
    return _claim_post(request, pk, lambda d: claims.add_claim_document(
        actor=request.user, claim_id=pk, kind=d["kind"], title=d["title"], upload=d["file"], amount=d["amount"]),
        "請求書類を登録しました。", form, "document_form", adding="add-document")


@require_POST
@login_required
def claim_file(request: AuthedRequest, pk: int) -> HttpResponse:
    return _claim_post(request, pk, lambda d: claims.file_claim(actor=request.user, claim_id=pk),
                       "保険金を請求しました。市の保険担当が保険会社へ送付します。")


@require_POST
@login_required
def claim_forward(request: AuthedRequest, pk: int) -> HttpResponse:
    form = ForwardForm(request.POST, auto_id="forward-%s")
    return _claim_post(request, pk, lambda d: claims.forward_claim(actor=request.user, claim_id=pk,
                                                                   insurer_reference=d["insurer_reference"]),
                       "保険会社への送付を記録しました。", form, "forward_form")


@require_POST
@login_required
def claim_payment(request: AuthedRequest, pk: int) -> HttpResponse:
    form = PaymentForm(request.POST, auto_id="payment-%s")
    return _claim_post(request, pk, lambda d: claims.record_payment(actor=request.user, claim_id=pk,
                                                                    paid_on=d["paid_on"], amount=d["amount"],
                                                                    note=d["note"]),
                       "保険金の支払を記録しました。", form, "payment_form")


@require_POST
@login_required
def claim_denial(request: AuthedRequest, pk: int) -> HttpResponse:
    form = DenialForm(request.POST, auto_id="denial-%s")
    return _claim_post(request, pk, lambda d: claims.record_denial(actor=request.user, claim_id=pk,
                                                                   answered_on=d["answered_on"], reason=d["reason"]),
                       "不支払を記録しました。", form, "denial_form")


@require_POST
@login_required
def claim_withdraw(request: AuthedRequest, pk: int) -> HttpResponse:
    form = WithdrawForm(request.POST, auto_id="withdraw-%s")
    return _claim_post(request, pk, lambda d: claims.withdraw_claim(actor=request.user, claim_id=pk,
                                                                    reason=d["reason"]),
                       "請求を取り下げました。", form, "withdraw_form")


@require_POST
@login_required
def claim_remove_document(request: AuthedRequest, pk: int, document_pk: int) -> HttpResponse:
    return _claim_post(request, pk, lambda d: claims.remove_claim_document(actor=request.user, claim_id=pk,
                                                                           document_id=document_pk),
                       "請求書類を削除しました。")


@login_required
def claim_document(request: AuthedRequest, pk: int, document_pk: int) -> FileResponse:
    """Download a claim document (請求書, 領収書, 診断書…); logged."""
    claim = _claim_or_404(request.user, pk)
    document = get_object_or_404(claim.documents, pk=document_pk)
    handle = _open(document.file)
    services.log_access(request.user, claim.report, AccessKind.CLAIM_DOCUMENT, claim=claim,
                        detail=f"請求 {claim.number}：{document.get_kind_display()}（書類番号 {document.pk}）")
    return _download(handle, document.file.name, f"請求{claim.number}_{document.get_kind_display()}")


def _document_set(request: AuthedRequest, pk: int, kind: str, ext: str) -> HttpResponse:
    """The document set sent to the insurer (送付書類) as PDF or Excel: the 保険担当 only; logged."""
    claim = _claim_or_404(request.user, pk)
    if request.user.role != Role.INSURANCE:
        raise PermissionDenied("保険会社への送付書類は、保険担当のみが出力できます。")
    build = documents.claim_pdf if ext == ".pdf" else documents.claim_xlsx
    services.log_access(request.user, claim.report, kind, claim=claim, detail=f"請求 {claim.number}")
    return HttpResponse(build(claim), content_type=CONTENT_TYPES[ext], headers={
        "Content-Disposition": content_disposition_header(True, f"保険金請求_{claim.number}{ext}")})


@login_required
def claim_documents_pdf(request: AuthedRequest, pk: int) -> HttpResponse:
    return _document_set(request, pk, AccessKind.DOCUMENT_SET_PDF, ".pdf")


@login_required
def claim_documents_xlsx(request: AuthedRequest, pk: int) -> HttpResponse:
    return _document_set(request, pk, AccessKind.DOCUMENT_SET_XLSX, ".xlsx")


@require_GET
@login_required
def claim_documents_zip(request: AuthedRequest, pk: int) -> HttpResponse:
    """Everything for the insurer in one ZIP (送付書類一式: the PDF, the workbook and every attached file): the
    保険担当 only; logged once the ZIP is made (a stored file gone answers 404 and logs nothing)."""
    claim = _claim_or_404(request.user, pk)
    if request.user.role != Role.INSURANCE:
        raise PermissionDenied("保険会社への送付書類は、保険担当のみが出力できます。")
    try:
        content = documents.document_set_zip(claim)
    except FileNotFoundError as error:
        raise Http404("添付されたファイルが見つかりません。") from error
    services.log_access(request.user, claim.report, AccessKind.DOCUMENT_SET_ZIP, claim=claim,
                        detail=f"請求 {claim.number}")
    return HttpResponse(content, content_type="application/zip", headers={
        "Content-Disposition": content_disposition_header(True, f"保険金請求_{claim.number}_送付書類一式.zip")})


@require_GET
@login_required
def claim_form_pdf(request: AuthedRequest, pk: int) -> HttpResponse:
    """The claim form (保険金請求書（記入用）) to print, fill by hand, sign and upload: the group and the 保険担当,
    while documents can still be added; logged. Opened in the browser (inline), where it is printed."""
    claim = _claim_or_404(request.user, pk)
    if "claim_form" not in claim_actions(request.user, claim):
        messages.error(request, "保険金請求書（記入用）を印刷できるのは、保険会社へ送付する前の請求だけです。")
        return redirect("insurance_claim_detail", pk=pk)
    services.log_access(request.user, claim.report, AccessKind.CLAIM_FORM, claim=claim, detail=f"請求 {claim.number}")
    return HttpResponse(documents.claim_form_pdf(claim), content_type=CONTENT_TYPES[".pdf"], headers={
        "Content-Disposition": content_disposition_header(False, f"保険金請求書_{claim.number}.pdf")})


# -- 督促・照会 --------------------------------------------------------------------------------------------------

@require_GET
@roles_required(Role.INSURANCE)
def reminder_list(request: AuthedRequest) -> HttpResponse:
    """Reminders due today (``reminders.due_reminders``) with their text; those falling due in the coming
    ``reminders.UPCOMING_DAYS`` days with their day, and when a reminder falls due under each policy concerned;
    the latest ones sent."""
    waiting = (ClaimStatus.FORMS_SENT, ClaimStatus.FORWARDED)
    policies = list(InsurancePolicy.objects.filter(reports__claims__status__in=waiting).distinct()
                    .order_by("-fiscal_year"))
    current = _current_policy()
    return render(request, "insurance/reminders.html", {
        "due": [(d, ReminderKind(d.kind).label, ReminderForm(initial={"claim": d.claim.pk, "kind": d.kind}))
                for d in reminders.due_reminders()],
        "upcoming": [(d, ReminderKind(d.kind).label) for d in reminders.upcoming_reminders()],
        "upcoming_days": reminders.UPCOMING_DAYS,
        "rule_policies": policies or ([current] if current else []),
        "sent": Reminder.objects.select_related("claim__report__policy", "sent_by").order_by("-sent_on", "-pk")[:20],
    })


@require_POST
@roles_required(Role.INSURANCE)
def reminder_send(request: AuthedRequest) -> HttpResponse:
    """Record one reminder as sent; a second click finds none due and says so."""
    form = ReminderForm(request.POST)
    if not form.is_valid():
        messages.error(request, "督促・照会を一覧から選んでください。")
        return redirect("insurance_reminders")
    try:
        reminder = reminders.send_reminder(actor=request.user, claim_id=form.cleaned_data["claim"],
                                           kind=form.cleaned_data["kind"])
    except Claim.DoesNotExist as error:
        raise Http404("保険金請求が見つかりません。") from error
    except InsuranceError as error:
        messages.error(request, str(error))
    else:
        messages.success(request,
                         f"{reminder.get_kind_display()}の送付を記録しました（請求 {reminder.claim.number}）。")
    return redirect("insurance_reminders")


# -- 閲覧記録・統計 ------------------------------------------------------------------------------------------

@require_GET
@roles_required(*LOG_ROLES)
def access_log(request: AuthedRequest) -> HttpResponse:
    """個人情報の閲覧記録: who saw which report's personal data, when and how (filter by user and dates).
    Numbers and kinds only: no personal data on this page."""
    qs = PersonalDataAccess.objects.select_related("user", "report__policy", "claim__report__policy")
    users = User.objects.filter(pk__in=PersonalDataAccess.objects.values("user")).order_by("username")
    form = AccessLogFilterForm(request.GET or None, users=users)
    if form.is_valid():
        data = form.cleaned_data
        if data["user"]:
            qs = qs.filter(user=data["user"])
        if data["date_from"]:
            qs = qs.filter(at__date__gte=data["date_from"])
        if data["date_to"]:
            qs = qs.filter(at__date__lte=data["date_to"])
    return render(request, "insurance/access_log.html", {"page": _page(request, qs), "filter_form": form})


@require_GET
@roles_required(*STATISTICS_ROLES)
def statistics(request: AuthedRequest) -> HttpResponse:
    """保険の集計: counts and sums per 年度 only."""
    return render(request, "insurance/statistics.html", {
        "rows": yearly_statistics(), "report_statuses": ReportStatus.labels, "claim_statuses": ClaimStatus.labels,
    })
