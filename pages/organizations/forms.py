"""Forms of the pages of an organisation's users (団体の利用者) and of an invitation's link."""
from typing import Any

from django import forms

from grants.organizations.models import MemberRole

BAD_EMAIL = "メールアドレスを正しく入力してください（例: yamada@example.jp）。"
INVITABLE = [(MemberRole.TREASURER.value, MemberRole.TREASURER.label), (MemberRole.CLERK.value, MemberRole.CLERK.label)]


class InviteForm(forms.Form):
    """A 会計 or 担当者 (a new head is invited by 代表者の交代, with the handover day); for staff, when the sitting
    head has no login (``sitting_head``: their name), the head too — the invitation gives their term its login."""

    name = forms.CharField(label="氏名", max_length=100, widget=forms.TextInput(attrs={"autocomplete": "off"}))
    email = forms.EmailField(label="メールアドレス", max_length=254,
                             error_messages={"invalid": BAD_EMAIL})
    role = forms.ChoiceField(label="役割", choices=INVITABLE, widget=forms.RadioSelect, initial=MemberRole.CLERK.value,
                             help_text="会計: 実績報告の収支と領収書を入力できます。"
                                       "担当者: 申請や報告の内容を作成できます。"
                                       "提出・取下げなどの手続は代表者が行います。")

    def __init__(self, *args: Any, sitting_head: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if sitting_head:
            field = self.fields["role"]
            assert isinstance(field, forms.ChoiceField)
            head = (MemberRole.HEAD.value, f"代表者（{sitting_head}さん。ログインがまだありません）")
            field.choices = [*INVITABLE, head]
            field.help_text += "代表者を選ぶと、現在の代表者にログインを発行します（交代ではありません）。"


class HandoverForm(forms.Form):
    """代表者の交代: the next head and the handover day."""

    name = forms.CharField(label="新しい代表者の氏名", max_length=100)
    email = forms.EmailField(label="新しい代表者のメールアドレス", max_length=254,
                             error_messages={"invalid": BAD_EMAIL})
    handover_on = forms.DateField(label="交代日", widget=forms.DateInput(attrs={"type": "date"}),
                                  help_text="この日から新しい代表者が手続を行います。前の代表者は前日まで利用できます。")


class AcceptForm(forms.Form):
    """The invitee's own login name and password (twice)."""

    username = forms.CharField(label="ログイン名", max_length=150,
                               help_text="英数字と @ . + - _ で入力してください。ログインのときに使います。",
                               widget=forms.TextInput(attrs={"autocomplete": "username"}))
    password = forms.CharField(label="パスワード", strip=False,
                               help_text="12文字以上で、数字だけ・よく使われるもの・氏名やメールアドレスに似たものは使えません。",
                               widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password2 = forms.CharField(label="パスワード（確認）", strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
