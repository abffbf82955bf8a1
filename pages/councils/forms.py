"""Forms of the council pages: 地域づくり計画, its items and attachments, and 事務局員. They only read and
shape input; the rules (who, when, which values) are in the services ``plans`` and ``staff``."""
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from grants.core.fiscal import fiscal_year_label, fiscal_year_of
from grants.councils.plans import MAX_ATTACHMENT_BYTES
from grants.organizations.models import CommunityPlan, ItemLevel, Organization, PayBasis, PlanStatus
from pages.forms import form_field

TEXTAREA = {"rows": 3}


def fiscal_year_choices(around: int | None = None, before: int = 10, after: int = 10) -> list[tuple[int, str]]:
    """年度 choices labelled in 和暦 with the Western year: (2026, "令和8年度（2026年度）")."""
    centre = around or fiscal_year_of(timezone.localdate())
    return [(fy, f"{fiscal_year_label(fy)}（{fy}年度）") for fy in range(centre - before, centre + after + 1)]


class PlanFilterForm(forms.Form):
    status = forms.ChoiceField(label="状態", required=False, choices=[("", "すべて"), *PlanStatus.choices])
    organization = forms.ModelChoiceField(label="協議会", required=False, queryset=Organization.objects.none(),
                                          empty_label="すべて")

    def __init__(self, *args: Any, councils: QuerySet[Organization], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "organization", forms.ModelChoiceField).queryset = councils


class PlanCreateForm(forms.Form):
    organization = forms.ModelChoiceField(label="協議会", queryset=Organization.objects.none(), empty_label=None)
    term_label = forms.CharField(label="期", max_length=40, help_text="例: 第3期")
    title = forms.CharField(label="計画の名称", max_length=200)
    first_fiscal_year = forms.TypedChoiceField(label="計画期間（初年度）", coerce=int, choices=[])
    last_fiscal_year = forms.TypedChoiceField(label="計画期間（最終年度）", coerce=int, choices=[])
    vision = forms.CharField(label="目指す地域の姿", required=False, max_length=4000,
                             widget=forms.Textarea(attrs=TEXTAREA))

    def __init__(self, *args: Any, councils: QuerySet[Organization], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "organization", forms.ModelChoiceField).queryset = councils
        years = fiscal_year_choices()
        this_year = fiscal_year_of(timezone.localdate())
        for name, initial in (("first_fiscal_year", this_year), ("last_fiscal_year", this_year + 4)):
            form_field(self, name, forms.ChoiceField).choices = years
            self.fields[name].initial = initial


class PlanItemForm(forms.Form):
    level = forms.ChoiceField(label="階層", choices=ItemLevel.choices)
    parent = forms.TypedChoiceField(label="上位の項目", coerce=int, required=False, empty_value=None, choices=[],
                                    help_text="施策は分野の下に、取組は施策の下に置きます。分野では空欄にしてください。")
    code = forms.CharField(label="番号", max_length=20, help_text="例: 1-2-3")
    title = forms.CharField(label="名称", max_length=200)
    description = forms.CharField(label="内容", required=False, max_length=4000,
                                  widget=forms.Textarea(attrs=TEXTAREA))

    def __init__(self, *args: Any, plan: CommunityPlan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        parents = plan.items.filter(level__in=[ItemLevel.FIELD, ItemLevel.MEASURE]).order_by("code")
        form_field(self, "parent", forms.ChoiceField).choices = [
            ("", "なし（分野）"),
            *((item.pk, f"{item.get_level_display()} {item.code} {item.title}") for item in parents),
        ]


class AttachmentForm(forms.Form):
    title = forms.CharField(label="資料名", max_length=200, help_text="例: 地域づくり計画書、総会の議事録")
    file = forms.FileField(
        label="ファイル", help_text=f"PDF・Word・Excel・画像（JPEG/PNG）、{MAX_ATTACHMENT_BYTES // 1024 // 1024}MBまで")


class ReturnForm(forms.Form):
    note = forms.CharField(label="差戻しの理由", max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class ApproveForm(forms.Form):
    note = forms.CharField(label="備考（任意）", required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2}))


class RevisionForm(forms.Form):
    reason = forms.CharField(label="改定の理由", max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class StaffForm(forms.Form):
    """A 事務局員 record. Required-ness by pay basis is the model's rule (``SecretariatStaff.clean``), checked
    by the service."""

    name = forms.CharField(label="氏名", max_length=100)
    role = forms.CharField(label="職名", max_length=40, help_text="例: 事務局長、事務局員")
    pay_basis = forms.ChoiceField(label="給与の形態", choices=PayBasis.choices, widget=forms.RadioSelect,
                                  initial=PayBasis.MONTHLY)
    monthly_wage = forms.IntegerField(label="月給（円）", required=False, min_value=0,
                                      help_text="月給の方のみ入力してください。")
    hourly_rate = forms.IntegerField(label="時給（円）", required=False, min_value=0,
                                     help_text="時給の方のみ入力してください。")
    hours_per_month = forms.IntegerField(label="月間の勤務時間", required=False, min_value=0,
                                         help_text="時給の方のみ入力してください。")
    social_insurance_monthly = forms.IntegerField(label="社会保険料の事業主負担（月額・円）", min_value=0, initial=0)
    employed_from = forms.DateField(label="雇用開始日", widget=forms.DateInput(attrs={"type": "date"}))
    employed_until = forms.DateField(label="雇用終了日（任意）", required=False,
                                     widget=forms.DateInput(attrs={"type": "date"}))


class StaffEndForm(forms.Form):
    employed_until = forms.DateField(label="雇用終了日", widget=forms.DateInput(attrs={"type": "date"}))
