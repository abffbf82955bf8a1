"""How the pages word what was done (grants/core/wording.py): 「申請書兼請求書を提出しました。」, never
「「申請書兼請求書を提出する」を行いました。」 (issue 15) — for every button a machine offers."""
import pytest

from grants.core import workflow
from grants.core.wording import done_message, past_polite


@pytest.mark.parametrize(("label", "message"), [
    ("申請書兼請求書を提出する", "申請書兼請求書を提出しました。"),
    ("審査済にする（決裁へ回す）", "審査済にしました。"),
    ("差し戻す", "差し戻しました。"),
    ("作成中の変更承認申請を取り下げる", "作成中の変更承認申請を取り下げました。"),
    ("受け付ける（審査会に付す）", "受け付けました。"),
    ("もう一度送る", "もう一度送りました。"),
    ("非公開に戻す", "非公開に戻しました。"),
    ("変更を承認しない", "変更を承認しないことにしました。"),
    ("送付を記録", "送付を記録しました。"),
    ("承認して振込ファイルを作成する", "承認して振込ファイルを作成しました。"),
    ("切る", "切りました。"),  # a godan verb in る after an i-row kana
])
def test_a_buttons_label_becomes_its_message(label: str, message: str) -> None:
    assert done_message(label) == message


def test_every_button_of_every_machine_reads_as_done_in_polite_japanese() -> None:
    labels = {edge.label for machine in workflow.MACHINES.values() for edge in machine.edges if edge.page}
    assert labels
    for label in labels:
        message = done_message(label)
        assert message.endswith("ました。") and "を行いました" not in message, (label, message)
        assert "るました" not in message and "すました" not in message and "（" not in message, (label, message)


def test_a_label_that_is_no_verb_phrase_is_refused_by_the_conjugation() -> None:
    with pytest.raises(ValueError):
        past_polite("一覧へ")
    assert done_message("一覧へ") == "「一覧へ」を受け付けました。"
