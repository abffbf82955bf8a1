"""Pages of the 消費税仕入控除税額 report (``grants.competitive.tax``): the staff list (overdue, coming, all, with
filters), the report's page (its facts, what staff asked to fix, the form the group or staff submit, the buttons
``workflow.offers`` gives staff), and the evidence download. A report the user may not see answers 404; every
write goes through the service and the rail."""
from __future__ import annotations

import os

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from grants.competitive import tax
from grants.competitive.models import TaxCreditReport, TaxExemption, TaxReportStatus
from grants.competitive.tax import TAX_REPORT, ReportFilter
from grants.core import workflow
from grants.core.workflow import ActionRefused
from pages.http import AuthedRequest, city_user_required, post_form

SUBMITTED = "消費税仕入控除税額の報告書を提出しました。市の確認をお待ちください。"
DONE = {"confirm_tax_report": "報告を確認しました。",
        "return_tax_report": "報告を差し戻しました。団体が直して提出するまでお待ちください。"}
FIELD_OF = {"仕入控除税額": "amount", "根拠資料": "evidence", "報告が不要となる理由": "exemption"}


class TaxReportForm(forms.Form):
    """The report: the 仕入控除税額 (whole yen, 0 allowed), or an exemption with its evidence. The service checks
    which of the two is required; the form only reads the input."""

    exemption = forms.ChoiceField(label="報告が不要となる理由", choices=TaxExemption.choices, required=False,
                                  widget=forms.RadioSelect,
                                  help_text="該当するものがなければ「該当なし」を選び、仕入控除税額を入力してください。")
    amount = forms.IntegerField(label="仕入控除税額（円）", required=False, min_value=0,
                                help_text="0円の場合も「0」と入力してください。円単位の整数で入力します。",
                                widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    evidence = forms.FileField(label="根拠資料", required=False,
                               help_text="報告が不要となる理由を確かめられる資料（届出書・申告書の写しなど）。"
                                         "PDF・Word・Excel・画像（JPEG/PNG）、10MBまで。")

    def keep_refusal(self, exc: ActionRefused) -> None:
        """Show the service's refusal at the field it names (「仕入控除税額: …」), else above the form."""
        label, _, text = str(exc).partition(": ")
        field = FIELD_OF.get(label)
        self.add_error(field, text if field else str(exc))


class NoteForm(forms.Form):
    note = forms.CharField(label="備考", required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))


class FilterForm(forms.Form):
    window = forms.ChoiceField(label="期限", choices=list(tax.WINDOWS.items()), required=False)
    status = forms.ChoiceField(label="状態", choices=[("", "すべて"), *TaxReportStatus.choices], required=False)
    q = forms.CharField(label="団体名", required=False, max_length=100)


def _report_or_404(request: AuthedRequest, pk: int) -> TaxCreditReport:
    try:
        return workflow.access(TAX_REPORT, request.user, pk)
    except TaxCreditReport.DoesNotExist as exc:
        raise Http404("報告が見つかりません。") from exc


@city_user_required
def tax_report_list(request: AuthedRequest) -> HttpResponse:
    """City users: the reports by due date, filtered by window (overdue, coming within 90 days, all), state and
    group name."""
    form = FilterForm(request.GET or None, auto_id="filter-%s")
    data = form.cleaned_data if form.is_valid() else {}
    filters = ReportFilter(window=data.get("window") or "all", status=data.get("status") or "", q=data.get("q") or "")
    today = timezone.localdate()
    reports = list(tax.tax_reports(request.user, filters, today=today))
    return render(request, "competitive/tax/list.html", {
        "form": form, "reports": reports, "today": today, "coming_days": tax.COMING_DAYS,
        "window_label": tax.WINDOWS.get(filters.window, ""),
        "overdue": {r.pk for r in reports if r.status == TaxReportStatus.DUE and r.due_on < today},
    })


def _detail(request: AuthedRequest, report: TaxCreditReport, form: TaxReportForm | None = None,
            status: int = 200) -> HttpResponse:
    user = request.user
    acts = workflow.open_edges(TAX_REPORT, report, user)
    submit = acts.pop("submit_tax_report", None)
    if form is None and submit is not None and submit.enabled:
        form = TaxReportForm(initial={"exemption": report.exemption, "amount": report.amount}, auto_id="tax-%s")
    return render(request, "competitive/tax/detail.html", {
        "report": report, "case": report.case, "form": form if submit is not None and submit.enabled else None,
        "submit_refusal": submit.refusal if submit is not None else None,
        "offers": list(acts.values()), "note_form": NoteForm(auto_id="note-%s"),
        "return_note": tax.last_return_note(report) if report.status == TaxReportStatus.DUE else "",
        "overdue": report.status == TaxReportStatus.DUE and report.due_on < timezone.localdate(),
    }, status=status)


@login_required
def tax_report_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    return _detail(request, _report_or_404(request, pk))


@require_POST
@login_required
def tax_report_submit(request: AuthedRequest, pk: int) -> HttpResponse:
    """Submit the report; bad input or a refusal shows the page again with what was typed and the error at its
    field (the file must be chosen again)."""
    report = _report_or_404(request, pk)
    form = TaxReportForm(request.POST, request.FILES, auto_id="tax-%s")
    return post_form(
        request, form=form, back=redirect("tax_report_detail", pk=pk),
        act=lambda data: tax.submit_tax_report(report_id=pk, actor=request.user, exemption=data["exemption"] or "",
                                               amount=data["amount"], evidence=data["evidence"]),
        done=SUBMITTED, not_found=TaxCreditReport.DoesNotExist,
        rerender=lambda bound: _detail(request, report, bound, status=400),  # type: ignore[arg-type]
        refused=lambda bound, exc: bound.keep_refusal(exc),  # type: ignore[attr-defined]
    )


@require_POST
@login_required
def tax_report_act(request: AuthedRequest, pk: int, edge: str) -> HttpResponse:
    """Confirm or return a submitted report (the buttons ``workflow.offers`` gives staff); the rail refuses the
    rest (the submitter confirming, a group, a missing reason)."""
    _report_or_404(request, pk)
    if edge not in DONE:
        raise Http404("この手続はありません。")
    return post_form(
        request, form=NoteForm(request.POST), back=redirect("tax_report_detail", pk=pk),
        act=lambda data: workflow.perform(TAX_REPORT, pk, edge, actor=request.user, note=data["note"]),
        done=DONE[edge], not_found=TaxCreditReport.DoesNotExist)


@login_required
def tax_report_evidence(request: AuthedRequest, pk: int) -> FileResponse:
    """Download the evidence of an exemption: whoever may see the report (the city's roles, which check, approve
    or audit it, and the group itself; others 404, as the permission matrix records); never from MEDIA."""
    report = _report_or_404(request, pk)
    if not report.evidence:
        raise Http404("ファイルが見つかりません。")
    try:
        handle = report.evidence.open("rb")
    except FileNotFoundError as exc:
        raise Http404("ファイルが見つかりません。") from exc
    return FileResponse(handle, as_attachment=True, filename=f"根拠資料{os.path.splitext(report.evidence.name)[1]}")
