"""Forms of the 市民活動団体 registration pages. They only parse and label input; every rule (法人番号 check digit,
bank and branch codes, 口座名義, files, login) is checked by ``grants.competitive.groups``, whose errors the view
puts back at the field they name."""
from __future__ import annotations

from typing import Any

from django import forms

from grants.competitive.groups import LABELS, MAX_MEMBERS, MAX_PURPOSE
from grants.core.uploads import MAX_UPLOAD_BYTES
from grants.organizations.kana import ACCOUNT_NAME_INPUT_MAX_CHARS
from grants.organizations.models import AccountType, Area
from pages.forms import form_field

FILE_HELP = f"PDF・Word・Excel・画像（JPEG/PNG）、{MAX_UPLOAD_BYTES // 1024 // 1024}MBまで"
YES_NO = [("yes", "はい（市内に活動拠点があります）"), ("no", "いいえ")]


def _text(name: str, max_length: int, *, required: bool = True, help_text: str = "",
          autocomplete: str = "") -> forms.CharField:
    attrs = {"autocomplete": autocomplete} if autocomplete else {}
    return forms.CharField(label=LABELS[name], max_length=max_length, required=required, help_text=help_text,
                           widget=forms.TextInput(attrs=attrs))


class GroupForm(forms.Form):
    """What a group says of itself and its bank account (registration and correction)."""

    name = _text("name", 120, help_text="例: 特定非営利活動法人 やまぐち子ども食堂ネット", autocomplete="organization")
    name_kana = _text("name_kana", 200, help_text="カタカナで入力してください。例: ヤマグチコドモショクドウネット")
    area = forms.ModelChoiceField(label=LABELS["area"], queryset=Area.objects.order_by("code"),
                                  empty_label="選んでください", help_text="主に活動している地域を選んでください。")
    corporate_number = _text("corporate_number", 20, required=False,
                             help_text="NPO法人などの法人の方のみ、13桁の法人番号を入力してください（任意団体は空欄）。")
    representative_name = _text("representative_name", 100, autocomplete="name")
    contact_name = _text("contact_name", 100, required=False, help_text="代表者と異なる場合に入力してください。")
    phone = _text("phone", 20, help_text="例: 083-000-0000", autocomplete="tel")
    email = forms.CharField(label=LABELS["email"], max_length=254,
                            widget=forms.TextInput(attrs={"autocomplete": "email", "inputmode": "email"}))
    address = _text("address", 200, help_text="団体の事務所や主な活動場所の住所", autocomplete="street-address")
    based_in_city = forms.TypedChoiceField(label=LABELS["based_in_city"], choices=YES_NO, widget=forms.RadioSelect,
                                           coerce=lambda value: value == "yes")
    members = forms.IntegerField(label="構成員数（人）", min_value=1, max_value=MAX_MEMBERS,
                                 error_messages={"invalid": "半角数字で入力してください。"})
    purpose = forms.CharField(label=LABELS["purpose"], max_length=MAX_PURPOSE,
                              widget=forms.Textarea(attrs={"rows": 4}))
    no_political_aim = forms.BooleanField(label="政治活動（政党や候補者の支持など）を目的としていません",
                                          required=False)
    no_religious_aim = forms.BooleanField(label="宗教活動を目的としていません", required=False)
    no_profit_aim = forms.BooleanField(label="営利を目的としていません", required=False)
    bylaws = forms.FileField(label=LABELS["bylaws"], help_text=FILE_HELP)
    member_list = forms.FileField(label=LABELS["member_list"], help_text=FILE_HELP)
    bank_code = _text("bank_code", 4, help_text="4桁（例: 山口銀行 0170）")
    branch_code = _text("branch_code", 3, help_text="3桁")
    account_type = forms.ChoiceField(label=LABELS["account_type"], choices=AccountType.choices,
                                     initial=AccountType.ORDINARY)
    account_number = _text("account_number", 7, help_text="7桁以内の数字")
    holder_kana = _text("holder_kana", ACCOUNT_NAME_INPUT_MAX_CHARS,
                        help_text="通帳のとおりにカタカナで入力してください（全角・半角のどちらでも構いません）。"
                                  "例: トクヒ）ヤマグチコドモシヨクドウネツト")

    legends: tuple[tuple[str, tuple[str, ...]], ...] = (
        ("団体について", ("name", "name_kana", "area", "corporate_number")),
        ("代表者と連絡先", ("representative_name", "contact_name", "phone", "email")),
        ("活動拠点と構成員", ("address", "based_in_city", "members")),
        ("団体の目的", ("purpose", "no_political_aim", "no_religious_aim", "no_profit_aim")),
        ("提出書類", ("bylaws", "member_list")),
        ("振込先口座（補助金の振込先）", ("bank_code", "branch_code", "account_type", "account_number", "holder_kana")),
    )

    @property
    def groups(self) -> list[tuple[str, list[forms.BoundField]]]:
        """(legend, bound fields) for each fieldset of the page."""
        return [(legend, [self[name] for name in names if name in self.fields]) for legend, names in self.legends]

    def add_service_errors(self, errors: dict[str, list[str]]) -> None:
        """Put the service's errors at the fields they name (the rest at the top of the form)."""
        names = {"area_id": "area", "password": "password1"}
        for name, texts in errors.items():
            field = names.get(name, name)
            for text in texts:
                self.add_error(field if field in self.fields else None, text)


class RegistrationForm(GroupForm):
    """The public registration form: the group, its files, its bank account and the representative's login."""

    username = forms.CharField(label=LABELS["username"], max_length=150,
                               help_text="半角英数字と @ . + - _ が使えます。ログインのときに使います。",
                               widget=forms.TextInput(attrs={"autocomplete": "username"}))
    password1 = forms.CharField(label="パスワード", strip=False,
                                help_text="8文字以上。ほかの人に推測されにくいものにしてください。",
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password2 = forms.CharField(label="パスワード（確認のためもう一度）", strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    legends = (*GroupForm.legends, ("ログインの設定（代表者の方が使います）", ("username", "password1", "password2")))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password1") and data.get("password2") and data["password1"] != data["password2"]:
            self.add_error("password2", "1回目に入力したパスワードと一致しません。")
        return data


class EditForm(GroupForm):
    """The group's correction of its registration: the files are kept unless chosen again."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("bylaws", "member_list"):
            self.fields[name].required = False
            self.fields[name].help_text = f"差し替えるときだけ選んでください。{FILE_HELP}"


class NoteForm(forms.Form):
    note = forms.CharField(label="差戻しの理由（直していただく点）", required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 3}))


class StatusFilterForm(forms.Form):
    status = forms.ChoiceField(label="状態", required=False, choices=[])

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "status", forms.ChoiceField).choices = [("", "すべて"), *choices]
