from typing import Any

from django import forms
from django.conf import settings

from grants.accounts.models import Role, User
from grants.organizations.models import MAX_FIGURE, MAX_HOUSEHOLDS, Measure
from pages.forms import TypedDecimalField, TypedIntegerField, form_field


class NoteForm(forms.Form):
    note = forms.CharField(
        label="理由・備考", required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )


class CountCorrectionForm(forms.Form):
    households = TypedIntegerField(label="基準日の世帯数", min_value=0, max_value=MAX_HOUSEHOLDS)
    reason = forms.CharField(label="訂正の理由", widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class FigureCorrectionForm(forms.Form):
    """A figure the rule uses (人口, 面積 …) corrected on the case page: the value with at most the measure's
    decimal places, and the reason. ``prefix`` is the measure's code, so that each measure has its own form."""

    value = TypedDecimalField(label="値", min_value=0, max_value=MAX_FIGURE, max_digits=12)
    reason = forms.CharField(label="訂正の理由", widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)

    def __init__(self, *args: Any, measure: Measure, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", f"figure-{measure.code}")
        super().__init__(*args, **kwargs)
        self.measure = measure
        places = measure.decimal_places
        self.fields["value"] = TypedDecimalField(
            label=f"基準日の{measure.name}（{measure.unit}）", min_value=0, max_value=MAX_FIGURE, max_digits=12,
            decimal_places=places,
        )


class OverrideForm(forms.Form):
    """A staff override of a failed check. ``choices``: the checks that may be overridden (the programme's checks,
    or where overrides need approval its failed checks, whose codes name the line, e.g. ``category@b12``)."""

    check_code = forms.ChoiceField(label="確認項目", choices=[])
    justification = forms.CharField(
        label="特例とする理由", widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "check_code", forms.ChoiceField).choices = choices


class AnnualRunForm(forms.Form):
    SOURCE_CHOICES = [
        ("on_file", "登録済みの世帯数を使う"),
        ("import", "世帯数のファイル（Excel・CSV）を取り込む"),
    ]
    source = forms.ChoiceField(
        label="世帯数の出所", choices=SOURCE_CHOICES, widget=forms.RadioSelect, initial="on_file"
    )
    file = forms.FileField(
        label="世帯数のファイル", required=False,
        help_text=(
            "1行目に「団体コード」「世帯数」の見出しを置き、2行目から1団体1行で入力してください"
            "（.xlsx または .csv）。大きさは"
        ),
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        upload = data.get("file")
        if data.get("source") == "import" and not upload:
            self.add_error("file", "取り込むファイルを選んでください。")
        if upload and upload.size > settings.HOUSEHOLD_IMPORT_MAX_BYTES:
            self.add_error("file", f"ファイルが大きすぎます（{_megabytes(settings.HOUSEHOLD_IMPORT_MAX_BYTES)}まで）。")
        return data

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text += (
            f"{_megabytes(settings.HOUSEHOLD_IMPORT_MAX_BYTES)}、{settings.IMPORT_MAX_ROWS:,}行までです。"
        )


def _megabytes(size: int) -> str:
    """``size`` bytes as the limit is written to users: 「5MB」, 「1.5MB」."""
    return f"{size / (1024 * 1024):g}MB"


class ChangeHeadForm(forms.Form):
    name = forms.CharField(label="新しい代表者の氏名", max_length=100)
    title = forms.CharField(label="役職", max_length=40, initial="会長")
    started_on = forms.DateField(label="就任日", widget=forms.DateInput(attrs={"type": "date"}))
    username = forms.CharField(
        label="ログインID（任意）", max_length=150, required=False,
        help_text="新しい代表者がこのシステムを使う場合、その方の利用者IDを入力してください。",
    )

    def clean_username(self) -> User | None:
        username = self.cleaned_data["username"].strip()
        if not username:
            return None
        user = User.objects.filter(username=username, role=Role.ASSOCIATION_HEAD, is_active=True).first()
        if user is None:
            raise forms.ValidationError("この利用者IDの団体代表者は登録されていません。")
        return user
