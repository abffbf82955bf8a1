"""Forms of the evaluation pages: the evaluator's declaration and scores, staff's assignment and publication."""
from __future__ import annotations

from typing import Any

from django import forms

from grants.evaluation import assignments
from grants.evaluation.models import Criterion, EvaluationKind, Score


class DeclarationForm(forms.Form):
    """利益相反の申告: a conflict (with what it is) or none."""

    conflicted = forms.TypedChoiceField(
        label="この案件の団体との利益相反", widget=forms.RadioSelect, coerce=lambda v: v == "yes",
        choices=[("no", "利益相反はありません"), ("yes", "利益相反があります（この案件の評価を辞退します）")],
        help_text="団体の役員・会員である、親族が関わっている、業務上の取引があるなどの場合は「あります」を選んでください。",
        error_messages={"required": "どちらかを選んでください。"},
    )
    reason = forms.CharField(label="利益相反の内容", required=False, max_length=assignments.REASON_MAX,
                             widget=forms.Textarea(attrs={"rows": 2}),
                             help_text=f"「あります」を選んだときは、その内容を入力してください（{assignments.REASON_MAX}文字以内）。")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("conflicted") and not (data.get("reason") or "").strip():
            self.add_error("reason", "利益相反があるときは、その内容を入力してください。")
        return data


class ScoreForm(forms.Form):
    """One score (1 … 満点, blank while a draft) and one comment (講評) per criterion; ``intent``: 下書き or 提出."""

    intent = forms.ChoiceField(choices=[("draft", "下書きを保存する"), ("submit", "評価を提出する")],
                               widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, criteria: list[Criterion], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        for c in criteria:
            bounds = f"1〜{c.max_score}の整数で入力してください。"
            self.fields[f"score_{c.pk}"] = forms.IntegerField(
                label=f"{c.name}の点数", min_value=1, max_value=c.max_score, required=False,
                help_text=f"1〜{c.max_score}点（重み {c.weight}）。着眼点：{c.description or '—'}",
                error_messages={"invalid": bounds, "min_value": bounds, "max_value": bounds})
            self.fields[f"comment_{c.pk}"] = forms.CharField(
                label=f"{c.name}の講評", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))

    def pairs(self) -> list[tuple[Criterion, forms.BoundField, forms.BoundField]]:
        return [(c, self[f"score_{c.pk}"], self[f"comment_{c.pk}"]) for c in self.criteria]

    def scores(self) -> tuple[dict[int, int | None], dict[int, str]]:
        data = self.cleaned_data
        return ({c.pk: data.get(f"score_{c.pk}") for c in self.criteria},
                {c.pk: data.get(f"comment_{c.pk}") or "" for c in self.criteria})

    def submitting(self) -> bool:
        return self.cleaned_data.get("intent") == "submit"


class AssignForm(forms.Form):
    """Staff assign a 評価委員 (active, of the role) to the case, choosing 相互評価 or 第三者評価."""

    evaluator = forms.ModelChoiceField(
        label="評価委員", queryset=assignments.evaluators(), empty_label="選んでください",
        error_messages={"required": "評価委員を選んでください。",
                        "invalid_choice": "評価委員として登録された利用者を選んでください。"})
    kind = forms.ChoiceField(label="評価の種類", choices=EvaluationKind.choices, widget=forms.RadioSelect,
                             error_messages={"required": "評価の種類を選んでください。"})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["evaluator"].queryset = assignments.evaluators()  # type: ignore[attr-defined]


class WithdrawForm(forms.Form):
    note = forms.CharField(label="取消の理由", required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class PublicationForm(forms.Form):
    """What is published of the case's evaluation: the scores (means), the 講評 for the public, the comments."""

    publish_scores = forms.BooleanField(label="評価点（評価項目ごとの平均点）を公表する", required=False)
    summary = forms.CharField(label="公表用の講評", required=False, max_length=4000,
                              widget=forms.Textarea(attrs={"rows": 4}),
                              help_text="評価委員会としての講評を、公表する文章で入力してください（4,000文字以内）。")
    comments = forms.MultipleChoiceField(label="公表する評価委員の講評", required=False,
                                         widget=forms.CheckboxSelectMultiple,
                                         help_text="公表には評価委員の氏名は載りません。",
                                         error_messages={"invalid_choice": "提出された評価の講評から選んでください。"})

    def __init__(self, *args: Any, comments: list[Score], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["comments"].choices = [  # type: ignore[attr-defined]
            (str(s.pk), f"{s.criterion.name}：{s.comment}") for s in comments]

    def chosen(self) -> set[int]:
        return {int(pk) for pk in self.cleaned_data.get("comments") or []}
