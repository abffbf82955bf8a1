"""Attacks on the competitive programme's services (grants/competitive), each named for what it attacks: the year
limit evaded by retyping a title, a 交付決定 above the 採択額, an application put to the panel after the selection
went to the approver, scores changed under the approver, amounts that are not whole yen within the budget, the
call's last day at 23:59 and 00:00 in Asia/Tokyo, calls that are not open, double clicks, and files that are not
what they claim. Each refusal leaves nothing written."""
import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from grants.cases import lifecycle
from grants.cases.models import GrantCase
from grants.cases.workflows import CaseActionError
from grants.competitive import applications, groups, panel, selection
from grants.competitive.applications import ApplicationError
from grants.competitive.models import GroupRegistration, Project, ProjectPlan, Score, Selection, SelectionLine
from grants.competitive.workflows import COMPETITIVE
from grants.core import workflow
from grants.core.models import AuditEvent
from grants.core.uploads import MAX_UPLOAD_BYTES
from grants.notices.models import Notice
from grants.programmes.models import ProgrammeYear
from tests.competitive import builders, steps
from tests.factories import CURRENT_FY

CASE = COMPETITIVE.machine
TOKYO = ZoneInfo("Asia/Tokyo")


def start(call, org, head, **kwargs):  # type: ignore[no-untyped-def]
    return applications.start_application(call_id=call.pk, actor=head, organization_id=org.pk, **kwargs)


def proposed(call, staff, chosen):  # type: ignore[no-untyped-def]
    """The selection of ``call`` prepared with ``chosen`` (case id → amount) and sent to the approver."""
    lines = [{"case_id": r.plan.case_id, "selected": r.plan.case_id in chosen, "amount": chosen.get(r.plan.case_id, 0),
              "reason": "" if r.plan.case_id in chosen else "評価が及びませんでした。"} for r in panel.ranking(call)]
    sel = selection.prepare(call_id=call.pk, actor=staff, lines=lines)
    return workflow.perform(selection.SELECTION, sel.pk, "propose_selection", actor=staff)


# -- the year limit: "the same project" under a retyped title ------------------------------------------------------

@pytest.fixture
def selected_last_year(npo, staff):  # type: ignore[no-untyped-def]
    """``npo``'s 「子ども食堂の交流会」, funded and closed in a call of the previous 年度 (its 1st year; the state set
    directly: the lifecycle is tested elsewhere)."""
    last = builders.call(builders.programme_year(fiscal_year=CURRENT_FY - 1), staff)
    project = Project.objects.create(organization=npo[0], title="子ども食堂の交流会")
    case = GrantCase.objects.create(programme_year=last.programme_year, organization=npo[0],
                                    project_title=project.title, repeat_year=1)
    GrantCase.objects.filter(pk=case.pk).update(status="closed")
    ProjectPlan.objects.create(case=case, call=last, organization=npo[0], project=project)
    return case


@pytest.mark.parametrize("retyped", ["子ども食堂の交流会", "子ども食堂の　交流会", " 「子ども食堂の交流会」", "子ども食堂の交流会 "])
def test_a_new_project_retyping_an_earlier_projects_title_is_refused_and_nothing_is_created(
        retyped, selected_last_year, shimin_year, open_call, npo) -> None:  # type: ignore[no-untyped-def]
    ProgrammeYear.objects.filter(pk=shimin_year.pk).update(max_project_years=1)
    project = Project.objects.get(organization=npo[0])
    with pytest.raises(ApplicationError, match="継続する事業"):
        start(open_call, *npo, project_title=retyped)
    with pytest.raises(ApplicationError, match="2年目"):  # continuing it is past the limit of one year
        start(open_call, *npo, project_id=project.pk)
    assert list(Project.objects.filter(organization=npo[0])) == [project]
    assert not ProjectPlan.objects.filter(call=open_call).exists()


def test_full_width_letters_do_not_make_a_new_title(open_call, npo) -> None:  # type: ignore[no-untyped-def]
    Project.objects.create(organization=npo[0], title="ABCまちあるき講座")
    with pytest.raises(ApplicationError, match="事業名: 「ABCまちあるき講座」"):
        start(open_call, *npo, project_title="ＡＢＣ まちあるき講座")
    assert Project.objects.filter(organization=npo[0]).count() == 1


def test_a_different_title_is_a_new_project_for_staff_to_judge_at_acceptance(open_call, npo) -> None:  # type: ignore[no-untyped-def]
    """The system compares titles only; whether 「…（応用編）」 is the same project is staff's call at 受付."""
    Project.objects.create(organization=npo[0], title="ABCまちあるき講座")
    case = start(open_call, *npo, project_title="ABCまちあるき講座（応用編）")
    assert case.repeat_year == 1


def test_another_groups_project_of_the_same_title_does_not_bar_a_group(open_call, npo, npo_b) -> None:  # type: ignore[no-untyped-def]
    Project.objects.create(organization=npo_b[0], title="子ども食堂の交流会")
    assert start(open_call, *npo, project_title="子ども食堂の交流会").repeat_year == 1


@pytest.mark.parametrize("how", ["continue", "new"])
def test_a_group_that_applied_to_one_call_of_the_year_is_refused_in_another_and_nothing_is_created(
        how, open_call, shimin_year, npo, staff) -> None:  # type: ignore[no-untyped-def]
    """One case per group and programme-year (grants.cases): the second call's start was an IntegrityError (500)."""
    first = steps.submitted(open_call, *npo)
    second_call = builders.call(shimin_year, staff)
    kwargs = {"project_id": first.project_plan.project_id} if how == "continue" else {"project_title": "高齢者サロン"}
    with pytest.raises(ApplicationError, match=f"同じ年度の「{open_call.title}」に申請しています"):
        start(second_call, *npo, **kwargs)
    assert not ProjectPlan.objects.filter(call=second_call).exists()
    assert Project.objects.filter(organization=npo[0]).count() == 1


# -- amounts: the 採択額 bounds the 交付決定 ---------------------------------------------------------------------------

def test_the_assessed_amount_may_not_exceed_the_selected_amount(open_call, npo, staff, staff2, approver) -> None:  # type: ignore[no-untyped-def]
    case = steps.selected(open_call, *npo, staff, approver, amount=100_000)
    assert case.applied_amount == 150_000
    with pytest.raises(CaseActionError, match="採択額 100,000円 を超える"):
        lifecycle.verify(case_id=case.pk, actor=staff2, assessed_amount=150_000, completion_deadline=case.project_end)
    case.refresh_from_db()
    assert (case.status, case.assessed_amount) == ("selected", None)
    assert not AuditEvent.objects.filter(action="verify").exists()
    case = lifecycle.verify(case_id=case.pk, actor=staff2, assessed_amount=100_000, completion_deadline=case.project_end,
                            note="採択額で査定")
    assert (case.status, case.assessed_amount) == ("verified", 100_000)


@pytest.mark.parametrize("amount", [-1, 0, 150_000.5, "150000", True, 150_001])
def test_a_selection_amount_that_is_not_whole_yen_up_to_the_applied_amount_is_refused(amount, screened, staff) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(selection.SelectionError, match="採択額"):
        selection.prepare(call_id=screened.project_plan.call_id, actor=staff,
                          lines=[{"case_id": screened.pk, "selected": True, "amount": amount}])
    assert not SelectionLine.objects.exists()


def test_an_application_of_another_call_is_refused_in_a_selection(open_call, shimin_year, screened, npo_b,
                                                                  staff) -> None:  # type: ignore[no-untyped-def]
    other = builders.call(shimin_year, staff)
    theirs = steps.screening(other, *npo_b, staff, title="まちなかコンサート")
    with pytest.raises(selection.SelectionError, match="2行目"):
        selection.prepare(call_id=open_call.pk, actor=staff, lines=[
            {"case_id": screened.pk, "selected": True, "amount": 150_000},
            {"case_id": theirs.pk, "selected": True, "amount": 150_000}])
    assert not SelectionLine.objects.exists()


def test_a_budget_lowered_after_the_proposal_stops_the_decision(open_call, screened, staff, approver) -> None:  # type: ignore[no-untyped-def]
    sel = proposed(open_call, staff, {screened.pk: 150_000})
    type(open_call).objects.filter(pk=open_call.pk).update(budget=100_000)  # as the admin could
    with pytest.raises(selection.SelectionError, match="予算額 100,000円 を超えて"):
        workflow.perform(selection.SELECTION, sel.pk, "decide_selection", actor=approver)
    sel.refresh_from_db()
    screened.refresh_from_db()
    assert (sel.status, screened.status) == ("proposed", "screening")
    assert not Notice.objects.exists()


# -- the selection and the panel: what the approver decides stands ---------------------------------------------------

def test_an_application_accepted_after_the_selection_is_decided_is_refused(open_call, npo, npo_b, staff,
                                                                          approver) -> None:  # type: ignore[no-untyped-def]
    good = steps.screening(open_call, *npo, staff)
    late = steps.submitted(open_call, *npo_b, title="まちなかコンサート")  # not yet put to the panel
    steps.decide_selection(open_call, staff, approver, {good.pk: 150_000})
    offer = workflow.open_edges(CASE, late, staff)["accept_for_screening"]
    assert offer.refusal == "この募集の採択はすでに決定しているため、審査会に付すことはできません。"
    with pytest.raises(CaseActionError, match="すでに決定"):
        workflow.perform(CASE, late.pk, "accept_for_screening", actor=staff)
    late.refresh_from_db()
    assert late.status == "submitted"
    assert not AuditEvent.objects.filter(action="accept_for_screening", object_id=str(late.pk)).exists()


def test_an_application_accepted_while_the_selection_is_with_the_approver_is_refused(open_call, screened, npo_b,
                                                                                    staff, approver) -> None:  # type: ignore[no-untyped-def]
    late = steps.submitted(open_call, *npo_b, title="まちなかコンサート")  # not yet put to the panel
    sel = proposed(open_call, staff, {screened.pk: 150_000})
    with pytest.raises(CaseActionError, match="決裁に回っています"):
        workflow.perform(CASE, late.pk, "accept_for_screening", actor=staff)
    workflow.perform(selection.SELECTION, sel.pk, "return_selection", actor=approver, note="後から届いた申請も含めて")
    assert workflow.perform(CASE, late.pk, "accept_for_screening", actor=staff).status == "screening"


def test_a_member_cannot_change_scores_once_the_selection_is_with_the_approver(open_call, screened, staff,
                                                                              judge) -> None:  # type: ignore[no-untyped-def]
    steps.score(screened, judge, 2)
    proposed(open_call, staff, {screened.pk: 150_000})
    criteria = {s.criterion_id: 5 for s in Score.objects.all()}
    with pytest.raises(panel.PanelError, match="決裁に回っている"):
        panel.save_scores(case_id=screened.pk, actor=judge, scores=criteria, comments={})
    assert set(Score.objects.values_list("score", flat=True)) == {2}


def test_a_member_of_another_call_cannot_open_or_score_this_one(open_call, shimin_year, screened, staff) -> None:  # type: ignore[no-untyped-def]
    other = builders.call(shimin_year, staff)
    outsider = builders.panel_member(other, "judge-other", staff)
    with pytest.raises(GrantCase.DoesNotExist):
        panel.declare(case_id=screened.pk, actor=outsider, conflicted=False)
    with pytest.raises(GrantCase.DoesNotExist):
        panel.save_scores(case_id=screened.pk, actor=outsider, scores={}, comments={})
    assert not panel.panel_applications(outsider, open_call).exists()
    assert not Score.objects.exists()


# -- the window, in Asia/Tokyo -----------------------------------------------------------------------------------

def at(monkeypatch, day: dt.date, hour: int, minute: int, second: int = 0) -> None:  # type: ignore[no-untyped-def]
    moment = dt.datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=TOKYO)
    monkeypatch.setattr(timezone, "now", lambda: moment)


def test_submitting_at_23_59_of_the_last_day_is_accepted_and_at_00_00_the_next_is_refused(
        monkeypatch, shimin_year, npo, npo_b, staff) -> None:  # type: ignore[no-untyped-def]
    last_day = timezone.localdate()
    call = builders.call(shimin_year, staff, closes_on=last_day)
    early, late = steps.draft(call, *npo), steps.draft(call, *npo_b, title="まちなかコンサート")
    at(monkeypatch, last_day, 23, 59, 59)
    assert workflow.perform(CASE, early.pk, "submit", actor=npo[1]).status == "submitted"
    at(monkeypatch, last_day + dt.timedelta(days=1), 0, 0)
    assert workflow.open_edges(CASE, late, npo_b[1])["submit"].refusal is not None
    with pytest.raises(CaseActionError, match="受付期間.*外のため、提出できません"):
        workflow.perform(CASE, late.pk, "submit", actor=npo_b[1])
    late.refresh_from_db()
    assert (late.status, late.applied_amount) == ("draft", None)


def test_starting_at_00_00_after_the_last_day_is_refused(monkeypatch, shimin_year, npo, staff) -> None:  # type: ignore[no-untyped-def]
    last_day = timezone.localdate()
    call = builders.call(shimin_year, staff, closes_on=last_day)
    at(monkeypatch, last_day + dt.timedelta(days=1), 0, 0)
    with pytest.raises(ApplicationError, match="受付期間"):
        start(call, *npo, project_title="子ども食堂の交流会")
    assert not GrantCase.objects.exists()


def test_a_call_not_yet_open_or_not_published_cannot_be_applied_to(shimin_year, npo, staff) -> None:  # type: ignore[no-untyped-def]
    today = timezone.localdate()
    upcoming = builders.call(shimin_year, staff, opens_on=today + dt.timedelta(days=1),
                             closes_on=today + dt.timedelta(days=30))
    draft_call = builders.call(shimin_year, staff, publish=False)
    with pytest.raises(ApplicationError, match="受付期間"):
        start(upcoming, *npo, project_title="子ども食堂の交流会")
    with pytest.raises(type(draft_call).DoesNotExist):
        start(draft_call, *npo, project_title="子ども食堂の交流会")
    assert not GrantCase.objects.exists()


# -- double clicks ----------------------------------------------------------------------------------------------

def test_a_double_click_on_accept_puts_the_application_to_the_panel_once(open_call, npo, staff) -> None:  # type: ignore[no-untyped-def]
    case = steps.submitted(open_call, *npo)
    workflow.perform(CASE, case.pk, "accept_for_screening", actor=staff)
    with pytest.raises(CaseActionError):
        workflow.perform(CASE, case.pk, "accept_for_screening", actor=staff)
    assert AuditEvent.objects.filter(action="accept_for_screening").count() == 1


def test_a_double_click_on_submit_submits_once(open_call, npo) -> None:  # type: ignore[no-untyped-def]
    case = steps.draft(open_call, *npo)
    workflow.perform(CASE, case.pk, "submit", actor=npo[1])
    with pytest.raises(CaseActionError):
        workflow.perform(CASE, case.pk, "submit", actor=npo[1])
    assert AuditEvent.objects.filter(action="submit", object_id=str(case.pk)).count() == 1


def test_a_double_click_on_prepare_and_propose_keeps_one_set_of_lines_and_one_proposal(open_call, screened,
                                                                                      staff) -> None:  # type: ignore[no-untyped-def]
    lines = [{"case_id": screened.pk, "selected": True, "amount": 150_000}]
    first = selection.prepare(call_id=open_call.pk, actor=staff, lines=lines)
    again = selection.prepare(call_id=open_call.pk, actor=staff, lines=lines)
    assert first.pk == again.pk
    assert list(SelectionLine.objects.values_list("case_id", "amount")) == [(screened.pk, 150_000)]
    workflow.perform(selection.SELECTION, first.pk, "propose_selection", actor=staff)
    with pytest.raises(selection.SelectionError):
        workflow.perform(selection.SELECTION, first.pk, "propose_selection", actor=staff)
    with pytest.raises(selection.SelectionError, match="決裁に回した採択案は変更できません"):
        selection.prepare(call_id=open_call.pk, actor=staff, lines=lines)
    assert AuditEvent.objects.filter(action="propose_selection").count() == 1
    assert Selection.objects.count() == 1


# -- files that are not what they claim ---------------------------------------------------------------------------

def test_a_bylaws_file_that_claims_to_be_a_pdf_but_is_html_is_refused(db) -> None:  # type: ignore[no-untyped-def]
    fake = SimpleUploadedFile("kiyaku.pdf", b"<html><script>alert(1)</script></html>", content_type="application/pdf")
    with pytest.raises(groups.GroupInputError) as refused:
        builders.register(bylaws=fake)
    assert "bylaws" in refused.value.errors
    assert not GroupRegistration.objects.exists()


def test_a_file_over_ten_megabytes_is_refused(db) -> None:  # type: ignore[no-untyped-def]
    huge = SimpleUploadedFile("meibo.pdf", b"%PDF-" + b"0" * MAX_UPLOAD_BYTES, content_type="application/pdf")
    with pytest.raises(groups.GroupInputError, match="10MB以下"):
        builders.register(member_list=huge)
    assert not GroupRegistration.objects.exists()


def test_a_path_in_a_files_name_does_not_leave_the_groups_folder(db) -> None:  # type: ignore[no-untyped-def]
    sneaky = builders.pdf("../../../settings/kiyaku.pdf")
    registration = builders.register(bylaws=sneaky)
    name = registration.bylaws.name
    assert name.startswith(f"groups/{registration.organization_id}/") and ".." not in name
    assert name.endswith(".pdf")
