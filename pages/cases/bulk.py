"""The bulk acts of the case list (一括の手続), for city staff.

The list's bulk form names an edge (only those the user's role may take in bulk: ``grants.cases.bulk.bulk_edges``)
and either the cases ticked on the page or every case matching the list's filter. Sending it shows the
confirmation (``case_bulk``: how many cases, which ones) with the chosen ids fixed in the form and a one-time
key; confirming takes the edge on each case through ``grants.cases.bulk`` — within the request up to
``BULK_ACT_IN_REQUEST_MAX`` cases (the result page at once), else as a background job (its page shows the
progress, then links to ``case_bulk_result``). The same confirmation sent twice acts once (``act_once``)."""
from __future__ import annotations

import re

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from grants.cases.bulk import (
    KIND,
    NOTHING,
    BulkResult,
    bulk_label,
    bulk_perform,
    job_result,
    queue_bulk_act,
)
from grants.cases.models import GrantCase
from grants.cases.workflows import CaseActionError
from grants.jobs.services import visible_jobs
from pages.cases.filters import case_filter
from pages.http import AuthedRequest, city_user_required, post_form

# The most cases one confirmation may name (a city has a few thousand associations).
MAX_CASES = 20_000
# The cases the confirmation lists by name; the rest are counted.
SHOWN = 200


class BulkChoiceForm(forms.Form):
    """The list's bulk form: the edge, and the ticked cases (``case``, read from the request: many checkboxes) or
    every case of the filter (``filter``: the list's query string)."""

    edge = forms.CharField(max_length=60)
    scope = forms.ChoiceField(choices=[("selected", "チェックした案件"), ("filter", "絞り込みに該当するすべての案件")])
    filter = forms.CharField(max_length=2000, required=False)


class BulkConfirmForm(forms.Form):
    """The confirmation: the edge and the ids it was shown for, comma-separated."""

    edge = forms.CharField(max_length=60)
    cases = forms.RegexField(regex=re.compile(r"^[0-9]{1,12}(,[0-9]{1,12})*$"), max_length=MAX_CASES * 13)

    def clean_cases(self) -> list[int]:
        ids = sorted({int(pk) for pk in self.cleaned_data["cases"].split(",")})
        if len(ids) > MAX_CASES:
            raise forms.ValidationError(f"一度に行えるのは{MAX_CASES:,}件までです。")
        return ids


def _list_url(query: str = "") -> str:
    return reverse("case_list") + (f"?{query}" if query else "")


def _chosen(request: AuthedRequest, form: BulkChoiceForm) -> list[int]:
    """The ids the bulk form names, among the cases the user may see."""
    visible = GrantCase.objects.visible_to(request.user)
    if form.cleaned_data["scope"] == "filter":
        qs = case_filter(QueryDict(form.cleaned_data["filter"]), request.user).qs
    else:
        ticked = [int(v) for v in request.POST.getlist("case")[: MAX_CASES + 1] if re.fullmatch(r"[0-9]{1,12}", v)]
        qs = visible.filter(pk__in=ticked)
    return list(qs.order_by("pk").values_list("pk", flat=True)[: MAX_CASES + 1])


def _cases(request: AuthedRequest, ids: list[int]) -> dict[int, GrantCase]:
    return GrantCase.objects.visible_to(request.user).filter(pk__in=ids).select_related(
        "organization", "programme_year__programme").in_bulk()


@require_POST
@city_user_required
def case_bulk(request: AuthedRequest) -> HttpResponse:
    """The list's bulk form answered with its confirmation; the confirmation (``confirm``) carried out."""
    if "confirm" in request.POST:
        return _carry_out(request)
    form = BulkChoiceForm(request.POST)
    back = redirect(_list_url(request.POST.get("filter", "")[:2000]))
    if not form.is_valid():
        messages.error(request, "手続と対象を選んでください。")
        return back
    try:
        label = bulk_label(form.cleaned_data["edge"], request.user)
    except CaseActionError as exc:
        messages.error(request, str(exc))
        return back
    ids = _chosen(request, form)
    if not ids:
        messages.error(request, NOTHING + "一覧で案件にチェックを付けるか、"
                                          "「絞り込みに該当するすべての案件」を選んでください。")
        return back
    if len(ids) > MAX_CASES:
        messages.error(request, f"一度に行えるのは{MAX_CASES:,}件までです。絞り込んでから行ってください。")
        return back
    cases = _cases(request, ids[:SHOWN])
    return render(request, "cases/bulk_confirm.html", {
        "label": label, "edge": form.cleaned_data["edge"], "ids": ",".join(map(str, ids)), "count": len(ids),
        "shown": [cases[pk] for pk in ids[:SHOWN] if pk in cases], "more": max(0, len(ids) - SHOWN),
        "background": len(ids) > settings.BULK_ACT_IN_REQUEST_MAX, "back": _list_url(form.cleaned_data["filter"]),
    })


def _carry_out(request: AuthedRequest) -> HttpResponse:
    form = BulkConfirmForm(request.POST)
    back = redirect("case_list")
    if form.is_valid() and len(form.cleaned_data["cases"]) > settings.BULK_ACT_IN_REQUEST_MAX:
        return post_form(
            request, form=form, back=back,
            act=lambda d: queue_bulk_act(edge=d["edge"], case_ids=d["cases"], actor=request.user),
            done=lambda job: (f"{len(job.params['cases']):,}件の一括の手続を受け付けました。"
                              "この画面で進み具合を確認できます。"),
            then=lambda job: redirect("job_detail", pk=job.pk))
    return post_form(
        request, form=form, back=back, invalid=lambda f: "確認の画面を開き直してください。手続は行っていません。",
        act=lambda d: bulk_perform(edge=d["edge"], case_ids=d["cases"], actor=request.user),
        done=lambda result: result.message(),
        then=lambda result: _result_page(request, result, summary=False))


def _result_page(request: AuthedRequest, result: BulkResult, *, summary: bool) -> HttpResponse:
    """The cases done and set aside; ``summary``: the message of the act as a paragraph (a job's result, opened
    later; right after the act the page's message says it)."""
    ids = [*result.done, *(s.case_id for s in result.set_aside)]
    cases = _cases(request, ids)
    return render(request, "cases/bulk_result.html", {
        "result": result,
        "done": [cases[pk] for pk in result.done if pk in cases],
        "set_aside": [(cases.get(s.case_id), s) for s in result.set_aside], "summary": summary,
    })


@require_GET
@city_user_required
def case_bulk_result(request: AuthedRequest, pk: int) -> HttpResponse:
    """What a bulk job did: the cases acted on and each case set aside with its reason."""
    job = get_object_or_404(visible_jobs(request.user).filter(kind=KIND), pk=pk)
    result = job_result(job)
    if result is None:
        raise Http404("結果はまだできていません。")
    return _result_page(request, result, summary=True)
