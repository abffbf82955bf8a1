"""Forms of the full-lifecycle parts of a case page (交付申請, 収支予算, 審査, 変更, 実績報告, 返還, 取消).

Forms only parse and label input; every rule is checked again by the service the view calls. Choices of a line
form are limited to the case's own council and programme-year (plan items of the plan in force, purposes of the
year, the council's secretariat staff), so that a forged id is an invalid choice, not another council's row.
"""
from typing import Any

from django import forms
from django.utils import timezone

from grants.cases.budget import MAX_LINE_AMOUNT
from grants.cases.models import GrantCase, LineKind, PerformanceReport, ReportLine
from grants.cases.rules import rule_for_case
from grants.organizations.models import CommunityPlan, ItemLevel, PlanItem, SecretariatStaff
from grants.programmes.models import ActivityPurpose, ExpenseCategory, Treatment
from pages.forms import form_field

MAX_AMOUNT = 10_000_000_000  # ¥10 billion: far above any council grant; the services check the real limits
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
INVALID_CHOICE = "選択肢の中から選んでください。"


def _yen_field(label: str, *, minimum: int = 1, maximum: int = MAX_AMOUNT, **kwargs: Any) -> forms.IntegerField:
    return forms.IntegerField(
        label=label, min_value=minimum, max_value=maximum,
        error_messages={"invalid": "半角数字（円単位の整数）で入力してください。"}, **kwargs,
    )


def _date_field(label: str, *, required: bool = True, **kwargs: Any) -> forms.DateField:
    return forms.DateField(label=label, required=required, widget=DATE,
                           error_messages={"invalid": "日付を正しく入力してください（例: 2026-04-01）。"},
                           **kwargs)


def _note_field(label: str = "理由・備考", *, required: bool = False) -> forms.CharField:
    return forms.CharField(label=label, required=required, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2}))


class ApplicationForm(forms.Form):
    """申請の概要: 事業名, 着手予定日, 完了予定日 (``lifecycle.save_application``)."""

    project_title = forms.CharField(label="事業名", max_length=200)
    project_start = _date_field("着手予定日")
    project_end = _date_field("完了予定日")


class ItemChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: PlanItem) -> str:
        return f"{obj.code} {obj.title}（{obj.get_level_display()}）"


class CategoryChoiceField(forms.ModelChoiceField):
    """費目 labelled with how the programme-year treats them: 「食糧費（条件付きで対象）」."""

    treatments: dict[int, str] = {}

    def label_from_instance(self, obj: ExpenseCategory) -> str:
        treatment = self.treatments.get(obj.pk)
        return f"{obj.name}（{treatment}）" if treatment else f"{obj.name}（対象外）"


class LineForm(forms.Form):
    """One line of the 収支予算書 (``where`` = budget or change) or of the 収支決算書 (``report``)."""

    kind = forms.ChoiceField(label="区分", choices=LineKind.choices, initial=LineKind.EXPENSE)
    category = CategoryChoiceField(label="費目", queryset=ExpenseCategory.objects.all(), required=False,
                                   empty_label="（支出の場合は選んでください）",
                                   error_messages={"invalid_choice": INVALID_CHOICE})
    plan_item = ItemChoiceField(label="計画の施策・取組", queryset=PlanItem.objects.none(), required=False,
                                empty_label="（計画に基づかない経費）",
                                error_messages={"invalid_choice": INVALID_CHOICE})
    purpose = forms.ModelChoiceField(label="活動の目的", queryset=ActivityPurpose.objects.none(), required=False,
                                     empty_label="（選ばない）", error_messages={"invalid_choice": INVALID_CHOICE})
    staff = forms.ModelChoiceField(label="事務局員（人件費の場合）", queryset=SecretariatStaff.objects.none(),
                                   required=False, empty_label="（人件費ではない）",
                                   error_messages={"invalid_choice": INVALID_CHOICE})
    description = forms.CharField(label="内容", max_length=200)
    amount = _yen_field("金額（円）", maximum=MAX_LINE_AMOUNT)
    spent_on = _date_field("支出（予定）日", required=False)
    condition_confirmed = forms.BooleanField(
        label="条件付きの費目の場合、その条件を満たすことを確認しました", required=False)
    recipient = forms.CharField(label="再交付先（交付した団体、再交付の場合のみ）", max_length=120, required=False)

    def __init__(self, *args: Any, case: GrantCase, plan: CommunityPlan | None, where: str,
                 **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"{where}-line-%s")  # several line forms on one page
        super().__init__(*args, **kwargs)
        self.where = where
        items = PlanItem.objects.none()
        if plan is not None:
            items = plan.items.filter(level__in=[ItemLevel.MEASURE, ItemLevel.ACTION]).order_by("code")
        form_field(self, "plan_item", ItemChoiceField).queryset = items
        form_field(self, "purpose", forms.ModelChoiceField).queryset = ActivityPurpose.objects.filter(
            programme_year=case.programme_year_id)
        form_field(self, "staff", forms.ModelChoiceField).queryset = SecretariatStaff.objects.filter(
            organization=case.organization_id)
        rules = list(rule_for_case(case).expense_rules.all())  # a decided case's 費目 as its version states them
        form_field(self, "category", CategoryChoiceField).treatments = {
            r.category_id: r.get_treatment_display() for r in rules}
        conditions = [f"{r.category.name}：{r.condition}" for r in rules if r.treatment == Treatment.CONDITIONAL]
        if conditions:
            self.fields["condition_confirmed"].help_text = "条件付きの費目と条件 ― " + "／".join(conditions)
        if where == "report":
            self.fields["spent_on"].label = "支出日"
        else:
            del self.fields["recipient"]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("kind") == LineKind.EXPENSE and not data.get("category") and "category" not in self.errors:
            self.add_error("category", "支出の明細には費目を選んでください。")
        if data.get("kind") == LineKind.EXPENSE and not data.get("spent_on") and "spent_on" not in self.errors:
            # Without a date the period checks cannot pass: say so now rather than at the review.
            self.add_error("spent_on", f"支出の明細には{self.fields['spent_on'].label}を入力してください。")
        return data

    def service_data(self) -> dict[str, object]:
        """``data`` for ``budget.add_line``."""
        return dict(self.cleaned_data)


def conditional_rules(case: GrantCase) -> dict[int, str]:
    """費目 id → condition text of the conditional 費目 of the case's rule (its decision's version once decided),
    shown beside the lines and the form."""
    return {r.category_id: r.condition for r in rule_for_case(case).expense_rules.all()
            if r.treatment == Treatment.CONDITIONAL}


class VerifyForm(forms.Form):
    """審査 of the application (``lifecycle.verify``)."""

    assessed_amount = _yen_field("査定額（円）")
    conditions = forms.CharField(label="交付の条件", required=False, max_length=2000,
                                 widget=forms.Textarea(attrs={"rows": 2}))
    completion_deadline = _date_field("完了期限")
    note = _note_field("備考（申請額より低く査定する場合は理由）")


class ChangeStartForm(forms.Form):
    """A new 変更承認申請 (``lifecycle.start_change``)."""

    reason = forms.CharField(label="変更の理由", max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    requested_amount = _yen_field("変更後の交付申請額（円）")
    new_completion_deadline = _date_field("変更後の完了期限（変更する場合のみ）", required=False)


class ChangeCheckForm(forms.Form):
    """審査 of a 変更承認申請 (``lifecycle.check_change``)."""

    assessed_amount = _yen_field("変更後の査定額（円）")
    note = _note_field("備考")


class NoteForm(forms.Form):
    note = _note_field()


class RequiredNoteForm(forms.Form):
    note = _note_field("理由", required=True)


class ReportForm(forms.Form):
    """The 実績報告's narrative and completion date (``lifecycle.save_report``)."""

    narrative = forms.CharField(label="事業の実施状況", max_length=10_000, widget=forms.Textarea(attrs={"rows": 4}))
    completed_on = _date_field("事業完了日")


class ReceiptForm(forms.Form):
    """A copy of a receipt for the 実績報告 (``receipts.add_receipt``)."""

    title = forms.CharField(label="内容（例: 講師謝礼の領収書）", max_length=200)
    line = forms.ModelChoiceField(label="対応する明細（任意）", queryset=ReportLine.objects.none(), required=False,
                                  empty_label="（明細を指定しない）",
                                  error_messages={"invalid_choice": INVALID_CHOICE})
    file = forms.FileField(label="ファイル（PDF・JPEG・PNG、10MBまで）",
                           widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}))

    def __init__(self, *args: Any, report: PerformanceReport | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if report is not None:
            form_field(self, "line", forms.ModelChoiceField).queryset = ReportLine.objects.filter(report=report)


class RefundReceiptForm(forms.Form):
    """A payment received against the 返還命令 (``refunds.record_refund_receipt``)."""

    amount = _yen_field("納付額（円）")
    received_on = _date_field("納付日", initial=timezone.localdate)


class CancelForm(forms.Form):
    """取消 of the decision (``lifecycle.cancel``)."""

    note = _note_field("取消の理由", required=True)
    kept_amount = _yen_field("取消後に残す額（円、全部取消は0）", minimum=0, initial=0)
