"""Forms of the call pages (募集): the call with its screening criteria, the year's rule with its steps by repeat
year, the 費目 of the year, the panel and the note of an act. They only read and shape input; the rules (who,
when, which values) are in ``grants.competitive.calls`` and ``grants.competitive.panel``."""
from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from grants.accounts.models import User
from grants.competitive.calls import CriterionInput, ExpenseInput, StepInput
from grants.competitive.models import Call
from grants.core.models import concrete_field
from grants.core.money import RoundingMode
from grants.programmes.models import ExpenseCategory, ProgrammeYear, Treatment
from pages.forms import form_field

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
ROW = "__row__"  # replaced by the row's number in the row the script adds (static/js/competitive_calls.js)


def _label(name: str) -> str:
    return str(concrete_field(Call, name).verbose_name)


class CallForm(forms.Form):
    """The call's own fields (``grants.competitive.calls.CALL_FIELDS``); the year is chosen only when it is made."""

    programme_year = forms.ModelChoiceField(label="年度（年度別の交付基準）", queryset=ProgrammeYear.objects.none(),
                                            empty_label=None)
    title = forms.CharField(label=_label("title"), max_length=200,
                            help_text="例: 令和9年度 市民活動交流事業補助金（第1次募集）")
    label = forms.CharField(label=_label("label"), max_length=40, required=False, help_text="例: サンプル")
    summary = forms.CharField(label=_label("summary"), required=False, max_length=4000,
                              widget=forms.Textarea(attrs={"rows": 4}))
    opens_on = forms.DateField(label=_label("opens_on"), widget=DATE)
    closes_on = forms.DateField(label=_label("closes_on"), widget=DATE, help_text="この日の終わりまで受け付けます。")
    budget = forms.IntegerField(label=_label("budget"), min_value=1, help_text="円単位の整数で入力してください。")
    documents = forms.CharField(label=_label("documents"), required=False, max_length=2000,
                                widget=forms.Textarea(attrs={"rows": 5}), help_text="1行に1つずつ書いてください。")
    presentation_on = forms.DateTimeField(label=_label("presentation_on"), required=False, widget=DATETIME,
                                          input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
                                          help_text="公開プレゼンテーションを行わないときは空欄にしてください。")
    presentation_place = forms.CharField(label=_label("presentation_place"), max_length=200, required=False)
    min_members = forms.IntegerField(label=_label("min_members"), min_value=1, max_value=1000, initial=5)
    require_based_in_city = forms.BooleanField(label=_label("require_based_in_city"), required=False, initial=True)
    require_bylaws = forms.BooleanField(label=_label("require_bylaws"), required=False, initial=True)
    require_member_list = forms.BooleanField(label=_label("require_member_list"), required=False, initial=True)
    requires_tax_report = forms.BooleanField(label=_label("requires_tax_report"), required=False, initial=True,
                                             help_text=str(concrete_field(Call, "requires_tax_report").help_text))

    def __init__(self, *args: Any, years: QuerySet[ProgrammeYear] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if years is None:
            del self.fields["programme_year"]
        else:
            form_field(self, "programme_year", forms.ModelChoiceField).queryset = years

    def values(self) -> dict[str, Any]:
        """The call's fields for the service (the year apart)."""
        return {k: v for k, v in self.cleaned_data.items() if k != "programme_year"}


def initial_of(call: Call) -> dict[str, Any]:
    return {name: getattr(call, name) for name in CallForm.base_fields if name != "programme_year"}


class CriterionForm(forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    name = forms.CharField(label="審査項目", max_length=60)
    description = forms.CharField(label="着眼点", max_length=300, required=False)
    weight = forms.IntegerField(label="重み", min_value=1, max_value=100, initial=1,
                                widget=forms.NumberInput(attrs={"class": "short"}))
    max_score = forms.IntegerField(label="満点", min_value=1, max_value=100, initial=5,
                                   widget=forms.NumberInput(attrs={"class": "short"}))


class StepForm(forms.Form):
    from_year = forms.IntegerField(label="適用する年目（から）", min_value=1, max_value=50)
    rate_numerator = forms.IntegerField(label="補助率（分子）", min_value=1, max_value=1000)
    rate_denominator = forms.IntegerField(label="補助率（分母）", min_value=1, max_value=1000)
    cap_amount = forms.IntegerField(label="上限額（円）", min_value=1, required=False)


def _label_rows(formset: forms.BaseFormSet, prefix: str = "") -> forms.BaseFormSet:
    """Each input of a row named by its row and column (「2行目の重み」), as a table cell has no label of its own."""
    for number, form in enumerate(formset.forms, start=1):
        for field in form.fields.values():
            field.widget.attrs["aria-label"] = f"{prefix}{number}行目の{field.label}"
    return formset


class RowFormSet(forms.BaseFormSet):
    """Rows that can be added and removed; a row marked 削除 or left blank is not kept."""

    @property
    def empty_form(self) -> forms.Form:
        form = super().empty_form
        for field in form.fields.values():
            field.widget.attrs["aria-label"] = f"{ROW}行目の{field.label}"
        return form

    def kept(self) -> list[dict[str, Any]]:
        return [f.cleaned_data for f in self.forms
                if f.cleaned_data and not f.cleaned_data.get("DELETE")]


CriterionFormSet = forms.formset_factory(CriterionForm, formset=RowFormSet, extra=2, can_delete=True)
StepFormSet = forms.formset_factory(StepForm, formset=RowFormSet, extra=1, can_delete=True)


def criteria_formset(data: Any = None, call: Call | None = None) -> RowFormSet:
    initial = ([{"id": c.pk, "name": c.name, "description": c.description, "weight": c.weight,
                 "max_score": c.max_score} for c in call.criteria.all()] if call is not None else [])
    return _label_rows(CriterionFormSet(data, initial=initial, prefix="criteria"))  # type: ignore[return-value]


def criteria_of(formset: RowFormSet) -> list[CriterionInput]:
    return [CriterionInput(name=d["name"], description=d["description"] or "", weight=d["weight"],
                           max_score=d["max_score"], pk=d["id"]) for d in formset.kept()]


class RuleForm(forms.Form):
    """The COST-basis fields of the year's rule."""

    rate_numerator = forms.IntegerField(label="補助率（分子）", min_value=1, max_value=1000)
    rate_denominator = forms.IntegerField(label="補助率（分母）", min_value=1, max_value=1000,
                                          help_text="例: 3分の2なら 分子 2、分母 3")
    cap_amount = forms.IntegerField(label="上限額（円）", min_value=1, required=False,
                                    help_text="年目ごとの上限額がない年に使います。空欄は上限なしです。")
    deduct_income = forms.BooleanField(label="事業収入を控除する", required=False,
                                       help_text="補助対象経費から事業収入（参加費など）を差し引いた額を限度とします。")
    rounding_unit = forms.TypedChoiceField(label="端数処理の単位（円）", coerce=int,
                                           choices=[(1, "1円"), (10, "10円"), (100, "100円"), (1000, "1,000円"),
                                                    (10000, "10,000円")])
    rounding_mode = forms.ChoiceField(label="端数処理の方法", choices=RoundingMode.choices)
    max_project_years = forms.IntegerField(label="同一事業の補助の上限年数", min_value=1, max_value=50,
                                           required=False, help_text="例: 3 なら3年目まで。空欄は制限なしです。")


def rule_initial(year: ProgrammeYear) -> dict[str, Any]:
    return {name: getattr(year, name) for name in RuleForm.base_fields}


def steps_formset(data: Any = None, year: ProgrammeYear | None = None) -> RowFormSet:
    initial = ([{"from_year": s.from_year, "rate_numerator": s.rate_numerator,
                 "rate_denominator": s.rate_denominator, "cap_amount": s.cap_amount}
                for s in year.repeat_steps.order_by("from_year")] if year is not None else [])
    return _label_rows(StepFormSet(data, initial=initial, prefix="steps"))  # type: ignore[return-value]


def steps_of(formset: RowFormSet) -> list[StepInput]:
    return [StepInput(d["from_year"], d["rate_numerator"], d["rate_denominator"], d["cap_amount"])
            for d in formset.kept()]


class ExpenseForm(forms.Form):
    category = forms.IntegerField(widget=forms.HiddenInput)
    treatment = forms.ChoiceField(label="取扱い", required=False,
                                  choices=[("", "設定しない（対象外・表示しない）"), *Treatment.choices])
    condition = forms.CharField(label="対象となる条件", max_length=200, required=False)
    reason = forms.CharField(label="対象外の理由", max_length=200, required=False)


ExpenseFormSet = forms.formset_factory(ExpenseForm, extra=0)


def expense_formset(year: ProgrammeYear, data: Any = None) -> tuple[forms.BaseFormSet, list[ExpenseCategory]]:
    """One row per 費目, in the order of the 費目, with the year's treatment of it."""
    categories = list(ExpenseCategory.objects.all())
    rules = {r.category_id: r for r in year.expense_rules.all()}
    initial = [{"category": c.pk, "treatment": rules[c.pk].treatment if c.pk in rules else "",
                "condition": rules[c.pk].condition if c.pk in rules else "",
                "reason": rules[c.pk].reason if c.pk in rules else ""} for c in categories]
    formset = ExpenseFormSet(data, initial=initial, prefix="rules")
    for form, category in zip(formset.forms, categories, strict=False):
        for field in form.fields.values():
            field.widget.attrs["aria-label"] = f"{category.name}の{field.label}"
    return formset, categories


def expenses_of(formset: forms.BaseFormSet) -> list[ExpenseInput]:
    return [ExpenseInput(d["category"], d["treatment"], d["condition"] or "", d["reason"] or "")
            for d in (f.cleaned_data for f in formset.forms) if d]


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.display_name or obj.username}（{obj.username}）"


class PanelAssignForm(forms.Form):
    member = MemberChoiceField(label="委嘱する審査委員", queryset=User.objects.none(), empty_label="選んでください")

    def __init__(self, *args: Any, members: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "member", forms.ModelChoiceField).queryset = members


class NoteForm(forms.Form):
    note = forms.CharField(label="理由・備考", required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2}))
