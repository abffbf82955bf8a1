import re
from collections.abc import Sequence
from typing import Any

from django import forms

from grants.ledger.transfers import earliest_transfer_date
from pages.forms import TypedIntegerField


class BatchForm(forms.Form):
    """A new batch: its transfer date and note, and what goes in — the payments ticked in the queue's tables, or,
    with ``year`` (a programme-year's id among ``years``), every payable payment of that programme-year."""

    year = forms.TypedChoiceField(
        label="事業・年度ごとにまとめて入れる", required=False, coerce=int, empty_value=None,
        help_text="選ぶと、表での選択にかかわらず、その事業・年度の振込待ちの支払をすべて入れます"
                  "（振込先口座に問題のある支払は入れず、振込待ちに残します）。")
    transfer_date = forms.DateField(label="振込指定日", widget=forms.DateInput(attrs={"type": "date"}),
                                    help_text="銀行の営業日（土日・祝日・12月31日〜1月3日を除く）を指定してください。")
    note = forms.CharField(label="摘要", max_length=200, required=False)

    def __init__(self, *args: Any, years: Sequence[tuple[int, str]] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        year = self.fields["year"]
        assert isinstance(year, forms.TypedChoiceField)
        year.choices = [("", "—（表で選んだ支払を入れる）"), *years]
        # Read when the form is drawn (a reader who is not offered the form costs no query).
        self.fields["transfer_date"].initial = earliest_transfer_date


class ResultForm(forms.Form):
    result = forms.ChoiceField(choices=[("paid", "振込完了"), ("returned", "返却")])
    reason = forms.CharField(label="返却の理由", max_length=200, required=False)


class CodeResultForm(forms.Form):
    """The bank's result of one transfer, named by the 顧客コード its result line carries (振込結果・振込不能)."""

    code = forms.CharField(label="顧客コード", max_length=10)
    # The amount of the result line, checked against the payment the code names: a mistyped code cannot record a
    # result (a 返却 reverses the payment) on another payee's transfer.
    amount = TypedIntegerField(label="振込金額（円）", min_value=1)
    result = forms.ChoiceField(label="結果", choices=[("", "選んでください"), ("paid", "振込完了"),
                                                    ("returned", "返却")])
    reason = forms.CharField(label="返却の理由", max_length=200, required=False)


def parse_case_ids(values: list[str]) -> list[int]:
    """Case ids from the checkboxes: ASCII digits only ("²".isdigit() is true, and int() refuses it)."""
    return [int(v) for v in values if re.fullmatch(r"[0-9]{1,12}", v)]

