"""The selection (grants/competitive/selection.py): prepared by staff within the budget with a reason for each 不採択,
decided by an approver who did not prepare it, each application then 採択 / 不採択 with its numbered notice."""
import re

import pytest

from grants.accounts.models import Role
from grants.competitive import panel, selection
from grants.competitive.models import Selection, SelectionLine
from grants.core import workflow
from grants.notices.models import Notice
from reports.pdf import render_notice_pdf
from tests.competitive import steps
from tests.reports.pdf_tools import pdf_text

REASON = "予算の範囲内で、より評価の高い事業を採択しました。"


@pytest.fixture
def two(open_call, npo, npo_b, staff, judge):  # type: ignore[no-untyped-def]
    good = steps.screening(open_call, *npo, staff)
    weak = steps.screening(open_call, *npo_b, staff, title="まちなかコンサート")
    steps.score(good, judge, 5)
    steps.score(weak, judge, 2)
    return good, weak


def lines(good, weak, amount=150_000, reason=REASON, weak_selected=False, weak_amount=0):  # type: ignore[no-untyped-def]
    return [{"case_id": good.pk, "selected": True, "amount": amount, "reason": ""},
            {"case_id": weak.pk, "selected": weak_selected, "amount": weak_amount, "reason": reason}]


def proposed(open_call, staff, two):  # type: ignore[no-untyped-def]
    sel = selection.prepare(call_id=open_call.pk, actor=staff, lines=lines(*two))
    return workflow.perform(selection.SELECTION, sel.pk, "propose_selection", actor=staff)


def test_a_selection_over_the_budget_is_refused_and_nothing_is_written(open_call, staff, two) -> None:  # type: ignore[no-untyped-def]
    open_call.budget = 200_000
    open_call.save()
    with pytest.raises(selection.SelectionError, match="予算額 200,000円 を超えています"):
        selection.prepare(call_id=open_call.pk, actor=staff,
                          lines=lines(*two, weak_selected=True, weak_amount=100_000))
    assert not SelectionLine.objects.exists()


def test_a_not_selected_application_needs_its_reason(open_call, staff, two) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(selection.SelectionError, match="「まちなかコンサート」の不採択の理由"):
        selection.prepare(call_id=open_call.pk, actor=staff, lines=lines(*two, reason="  "))
    assert not SelectionLine.objects.exists()


def test_an_amount_above_the_amount_applied_for_is_refused(open_call, staff, two) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(selection.SelectionError, match="採択額: 1円以上、申請額 150,000円 以下"):
        selection.prepare(call_id=open_call.pk, actor=staff, lines=lines(*two, amount=150_001))
    assert not SelectionLine.objects.exists()


def test_every_application_in_screening_needs_a_line(open_call, staff, two) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(selection.SelectionError, match="審査中の申請1件"):
        selection.prepare(call_id=open_call.pk, actor=staff, lines=lines(*two)[:1])


def test_only_staff_prepare(open_call, approver, two) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(selection.SelectionError, match="担当職員のみ"):
        selection.prepare(call_id=open_call.pk, actor=approver, lines=lines(*two))
    assert not Selection.objects.exists()


def test_the_person_who_prepared_cannot_decide_and_nothing_is_written(open_call, staff, two) -> None:  # type: ignore[no-untyped-def]
    sel = proposed(open_call, staff, two)
    with pytest.raises(selection.SelectionError, match="決裁者のみ"):
        workflow.perform(selection.SELECTION, sel.pk, "decide_selection", actor=staff)
    staff.role = Role.APPROVER  # the preparer became an approver since: still not the one to decide
    staff.save()
    with pytest.raises(selection.SelectionError, match="採択案を作成した方は、同じ採択を決定できません。"):
        workflow.perform(selection.SELECTION, sel.pk, "decide_selection", actor=staff)
    sel.refresh_from_db()
    assert (sel.status, sel.decided_by) == ("proposed", None)
    assert not Notice.objects.exists()
    assert {c.status for c in (two[0], two[1])} == {"screening"}


def test_deciding_moves_each_application_with_one_numbered_notice(open_call, staff, approver, two, tmp_path) -> None:  # type: ignore[no-untyped-def]
    sel = proposed(open_call, staff, two)
    workflow.perform(selection.SELECTION, sel.pk, "decide_selection", actor=approver)
    good, weak = (c.__class__.objects.get(pk=c.pk) for c in two)
    assert (good.status, weak.status) == ("selected", "not_selected")
    notices = {n.kind: n for n in Notice.objects.filter(case__in=two)}
    assert set(notices) == {"selection", "non_selection"}
    assert Notice.objects.count() == 2
    assert notices["selection"].amount == 150_000
    text = pdf_text(render_notice_pdf(notices["selection"]), tmp_path)
    assert "採択通知書" in text and notices["selection"].document_number in text and "令和" in text
    flat = re.sub(r"\s", "", text)
    assert "採択額金150,000円" in flat  # the 採択額, not only the amount applied for
    title = "「" + re.sub(r"\s", "", open_call.title) + "」"
    assert title in flat  # the walk-through found the call's name printed as 「」
    refusal = re.sub(r"\s", "", pdf_text(render_notice_pdf(notices["non_selection"]), tmp_path))
    assert re.sub(r"\s", "", REASON) in refusal and title in refusal


def test_a_second_click_on_decide_does_nothing_more(open_call, staff, approver, two) -> None:  # type: ignore[no-untyped-def]
    sel = proposed(open_call, staff, two)
    workflow.perform(selection.SELECTION, sel.pk, "decide_selection", actor=approver)
    with pytest.raises(selection.SelectionError, match="決定済"):
        workflow.perform(selection.SELECTION, sel.pk, "decide_selection", actor=approver)
    assert Notice.objects.count() == 2


def test_a_returned_selection_may_be_prepared_again(open_call, staff, approver, two) -> None:  # type: ignore[no-untyped-def]
    sel = proposed(open_call, staff, two)
    with pytest.raises(selection.SelectionError, match="理由を入力"):
        workflow.perform(selection.SELECTION, sel.pk, "return_selection", actor=approver)
    workflow.perform(selection.SELECTION, sel.pk, "return_selection", actor=approver, note="採択額を見直してください")
    assert selection.last_return_note(sel) == "採択額を見直してください"
    selection.prepare(call_id=open_call.pk, actor=staff, lines=lines(*two, amount=120_000))
    assert SelectionLine.objects.get(case=two[0]).amount == 120_000
    assert [r.rank for r in panel.ranking(open_call)] == [1, 2]


def test_a_selection_without_any_application_in_screening_is_refused(open_call, staff) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(selection.SelectionError, match="審査中の申請がない"):
        selection.prepare(call_id=open_call.pk, actor=staff, lines=[])
    assert not SelectionLine.objects.exists()
