"""The 評価 section of the case page ``/cases/<pk>/``: the group's targets (目標と指標) while its application may be
edited, its results and 自己評価 while its 実績報告 may be written, and what the reader may see of the evaluation
(``grants.evaluation.summary``): staff everything; the group its own targets, results and 自己評価, and the
evaluators' scores and comments only as staff published them.

Two POST views, one form each, through ``pages.http.post_form``: a form with an error comes back as typed on the
case page with each error at its row's field (the service's ``EvaluationInputError`` names them); a case the user
may not see answers 404 before the form is read.
"""
from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.views.decorators.http import require_POST

from grants.accounts.models import User
from grants.cases.models import GrantCase
from grants.cases.workflows import workflow_of
from grants.core import workflow
from grants.core.workflow import ActionRefused
from grants.evaluation import targets
from grants.evaluation.models import Criterion, Indicator
from grants.evaluation.summary import case_evaluation
from grants.evaluation.targets import EvaluationInputError, ResultRow, SelfScore, TargetRow
from pages.cases.full import back_to_case, case_or_404, typed_again
from pages.http import AuthedRequest, post_form

EXTRA_ROWS = 2  # blank rows offered after the ones written


def _value(decimal: Decimal | None) -> str:
    """A stored value as the group typed it: 120.00 → "120", 1.50 → "1.5"."""
    if decimal is None:
        return ""
    text = f"{decimal:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


class TargetRowForm(forms.Form):
    """One indicator: every field optional here (a blank row is left out); the service says what is missing."""

    name = forms.CharField(label="指標名", required=False, max_length=targets.MAX_NAME,
                           help_text="例: 講座の参加者数")
    unit = forms.CharField(label="単位", required=False, max_length=targets.MAX_UNIT, help_text="例: 人")
    baseline = forms.DecimalField(label="現状値", required=False, max_digits=12, decimal_places=2,
                                  help_text="分からない場合は空欄で構いません。")
    target = forms.DecimalField(label="目標値", required=False, max_digits=12, decimal_places=2)

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return not any(data.get(name) not in (None, "") for name in self.fields)


TargetFormSet = forms.formset_factory(TargetRowForm, extra=EXTRA_ROWS, max_num=targets.MAX_INDICATORS,
                                      validate_max=True)


class TargetsForm(forms.Form):
    """The targets as a formset (``rows``) within one form, so that the case page's one way of posting a form
    (validate, act once, show it again as typed) takes it. ``cleaned_data["rows"]``: the filled rows in order."""

    def __init__(self, data: Any = None, *, indicators: Sequence[Indicator] = (), **kwargs: Any) -> None:
        super().__init__(data, auto_id="targets-%s", **kwargs)
        initial = [{"name": i.name, "unit": i.unit, "baseline": _value(i.baseline), "target": _value(i.target)}
                   for i in indicators]
        self.rows = TargetFormSet(data, initial=initial, prefix="target", auto_id="targets-%s")
        self.filled: list[int] = []  # the index of the form of each filled row

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not self.rows.is_valid():
            messages = [str(e) for e in self.rows.non_form_errors()]
            raise forms.ValidationError(messages or ["入力に誤りがあります。各行の表示を確かめてください。"])
        self.filled = [i for i, form in enumerate(self.rows.forms) if not form.is_blank()]
        cleaned["rows"] = [TargetRow(name=self.rows.forms[i].cleaned_data["name"],
                                     unit=self.rows.forms[i].cleaned_data["unit"],
                                     baseline=self.rows.forms[i].cleaned_data["baseline"],
                                     target=self.rows.forms[i].cleaned_data["target"]) for i in self.filled]
        return cleaned

    def place(self, exc: ActionRefused) -> None:
        """Put the service's errors at the fields of the rows they name (row n of the filled rows)."""
        if not isinstance(exc, EvaluationInputError):
            self.add_error(None, str(exc))
            return
        for (_, index, field), texts in exc.errors.items():
            at = self.filled[index] if index < len(self.filled) else 0
            form = self.rows.forms[at] if self.rows.forms else None
            for text in texts:
                if form is not None and field in form.fields:
                    form.add_error(field, text)
                else:
                    self.add_error(None, text)


class ResultsForm(forms.Form):
    """実績値 and 達成状況の説明 of each indicator (``result_<id>``, ``note_<id>``), and the 自己評価 on each criterion
    asked (``score_<id>``, ``comment_<id>``). Every field optional here; the service says what is missing."""

    def __init__(self, data: Any = None, *, indicators: Sequence[Indicator], asked: Sequence[Criterion],
                 answers: dict[int, tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(data, auto_id="results-%s", **kwargs)
        self.indicators, self.asked = list(indicators), list(asked)
        for n, i in enumerate(self.indicators, start=1):
            self.fields[f"result_{i.pk}"] = forms.DecimalField(
                label=f"{n}. {i.name}の実績値（{i.unit}）", required=False, max_digits=12, decimal_places=2,
                initial=_value(i.result), help_text=f"目標値: {_value(i.target)}{i.unit}")
            self.fields[f"note_{i.pk}"] = forms.CharField(
                label=f"{n}. {i.name}の達成状況の説明", required=False, max_length=targets.MAX_TEXT,
                initial=i.result_note, widget=forms.Textarea(attrs={"rows": 2}))
        for c in self.asked:
            score, comment = answers.get(c.pk, (None, ""))
            self.fields[f"score_{c.pk}"] = forms.TypedChoiceField(
                label=f"自己評価「{c.name}」の点数", required=False, coerce=int, empty_value=None,
                choices=[("", "選んでください"), *((n, f"{n}点") for n in range(1, c.max_score + 1))],
                initial=score, help_text=(c.description + " " if c.description else "") + f"（{c.max_score}点満点）")
            self.fields[f"comment_{c.pk}"] = forms.CharField(
                label=f"自己評価「{c.name}」のコメント", required=False, max_length=targets.MAX_TEXT,
                initial=comment, widget=forms.Textarea(attrs={"rows": 2}))

    def rows(self) -> tuple[list[ResultRow], list[SelfScore]]:
        d = self.cleaned_data
        return ([ResultRow(i.pk, d.get(f"result_{i.pk}"), d.get(f"note_{i.pk}") or "") for i in self.indicators],
                [SelfScore(c.pk, d.get(f"score_{c.pk}"), d.get(f"comment_{c.pk}") or "") for c in self.asked])

    def place(self, exc: ActionRefused) -> None:
        if not isinstance(exc, EvaluationInputError):
            self.add_error(None, str(exc))
            return
        fields = {"result": "result", "result_note": "note", "score": "score", "comment": "comment"}
        for (part, index, field), texts in exc.errors.items():
            rows = self.indicators if part == "result" else self.asked
            name = f"{fields[field]}_{rows[index].pk}" if index < len(rows) else None
            for text in texts:
                if name in self.fields:
                    self.add_error(name, text)
                else:
                    self.add_error(None, text)


def _results_form(case: GrantCase, data: Any = None) -> ResultsForm:
    indicators = list(Indicator.objects.filter(case=case).order_by("order"))
    asked = targets.self_criteria(case.programme_year_id)
    answers = {s.criterion_id: (s.score, s.comment) for s in case.self_assessments.all()}
    return ResultsForm(data, indicators=indicators, asked=asked, answers=answers)


def evaluation_context(case: GrantCase, user: User) -> dict[str, object]:
    """What ``evaluation/_case_section.html`` shows to ``user`` (who may see ``case``): ``evaluation`` (None when the
    case neither evaluates nor has any of an evaluation), and the forms open to the user now."""
    nothing: dict[str, object] = {"evaluation": None, "targets_form": None, "results_form": None}
    if not workflow_of(case).budget_lines:
        return nothing  # a formula grant's 申請書兼請求書 states no targets
    asks = targets.evaluates(case)
    if not asks and not targets.has_any(case):
        return nothing
    shown = case_evaluation(case, internal=user.is_city_user)
    machine = workflow_of(case).machine
    editing = asks and workflow.may(machine, case, user, "edit_application")
    reporting = asks and workflow.may(machine, case, user, "write_report")
    return {
        "evaluation": shown,
        "evaluation_asks": asks,
        "targets_missing": asks and editing and not shown.indicators,
        "targets_form": TargetsForm(indicators=[row.indicator for row in shown.indicators]) if editing else None,
        "results_form": _results_form(case) if reporting else None,
    }


@require_POST
@login_required
def save_targets(request: AuthedRequest, pk: int) -> HttpResponse:
    """Replace the case's targets by the rows posted (``grants.evaluation.targets.save_targets``)."""
    case = case_or_404(request, pk)
    form = TargetsForm(request.POST, indicators=list(case.indicators.order_by("order")))
    return post_form(request, form=form, done="目標と指標を保存しました。", back=back_to_case(pk, "evaluation-targets"),
                     act=lambda d: targets.save_targets(case_id=pk, actor=request.user, rows=d["rows"]),
                     invalid=lambda _: "目標と指標の入力に誤りがあります。各行の表示を確かめてください。",
                     refused=lambda f, exc: f.place(exc),  # type: ignore[attr-defined]
                     rerender=typed_again(request, pk, "targets_form"), not_found=GrantCase.DoesNotExist)


@require_POST
@login_required
def save_results(request: AuthedRequest, pk: int) -> HttpResponse:
    """Record the results and the 自己評価 posted (``grants.evaluation.targets.save_results``)."""
    case = case_or_404(request, pk)
    form = _results_form(case, request.POST)

    def act(_: dict[str, Any]) -> None:
        results, scores = form.rows()
        targets.save_results(case_id=pk, actor=request.user, results=results, scores=scores)

    return post_form(request, form=form, act=act, done="実績と自己評価を保存しました。",
                     back=back_to_case(pk, "evaluation-results"),
                     invalid=lambda _: "実績と自己評価の入力に誤りがあります。各欄の表示を確かめてください。",
                     refused=lambda f, exc: f.place(exc),  # type: ignore[attr-defined]
                     rerender=typed_again(request, pk, "results_form"), not_found=GrantCase.DoesNotExist)
