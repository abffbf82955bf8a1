"""The panel (grants/competitive/panel.py): who may open an application (assigned, not tied, not conflicted), the
declaration before opening, scores within 0 … 満点 naming the criterion, and the ranking with ties shared."""
import datetime as dt
from fractions import Fraction

import pytest

from grants.cases.models import GrantCase
from grants.competitive import panel
from grants.competitive.models import ConflictDeclaration, Criterion, Score
from grants.core.models import AuditEvent
from tests import factories
from tests.competitive import builders, steps


def points(case, value=3):  # type: ignore[no-untyped-def]
    return {c.pk: value for c in Criterion.objects.filter(call__applications__case=case)}


def test_a_member_sees_the_applications_in_screening_of_their_call(screened, open_call, npo_b, judge) -> None:  # type: ignore[no-untyped-def]
    steps.draft(open_call, *npo_b, title="まだ下書き")
    assert list(panel.panel_applications(judge, open_call).values_list("case_id", flat=True)) == [screened.pk]
    assert list(panel.assigned_calls(judge)) == [open_call]


def test_a_conflicted_member_can_neither_open_nor_score(screened, open_call, judge) -> None:  # type: ignore[no-untyped-def]
    panel.declare(case_id=screened.pk, actor=judge, conflicted=True, reason="団体の監事を務めています")
    assert not panel.panel_applications(judge, open_call).exists()
    with pytest.raises(GrantCase.DoesNotExist):
        panel.open_application(judge, screened.pk)
    with pytest.raises(GrantCase.DoesNotExist):
        panel.save_scores(case_id=screened.pk, actor=judge, scores=points(screened), comments={})
    assert not Score.objects.exists()


def test_a_member_tied_to_the_group_cannot_open_it_even_before_declaring(screened, npo, judge) -> None:  # type: ignore[no-untyped-def]
    factories.RepresentativeFactory(organization=npo[0], user=judge, title="前代表", name="審査 一郎",
                                    started_on=dt.date(2018, 4, 1), ended_on=dt.date(2020, 3, 31))
    with pytest.raises(GrantCase.DoesNotExist):
        panel.declare(case_id=screened.pk, actor=judge, conflicted=False)
    assert not ConflictDeclaration.objects.exists()


def test_an_unassigned_member_cannot_open_an_application(screened, staff, shimin_year) -> None:  # type: ignore[no-untyped-def]
    other_call = builders.call(shimin_year, staff, publish=False)
    outsider = builders.panel_member(other_call, "judge-other", staff)
    with pytest.raises(GrantCase.DoesNotExist):
        panel.open_application(outsider, screened.pk)


def test_a_conflict_needs_its_reason(screened, judge) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(panel.PanelError, match="利害関係の内容"):
        panel.declare(case_id=screened.pk, actor=judge, conflicted=True, reason=" ")
    assert not ConflictDeclaration.objects.exists()


def test_declaring_twice_keeps_one_declaration(screened, judge) -> None:  # type: ignore[no-untyped-def]
    first = panel.declare(case_id=screened.pk, actor=judge, conflicted=False)
    again = panel.declare(case_id=screened.pk, actor=judge, conflicted=False)
    assert again.pk == first.pk
    assert ConflictDeclaration.objects.count() == 1
    assert AuditEvent.objects.filter(action="declare_conflict").count() == 1


def test_scoring_before_declaring_is_refused(screened, judge) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(panel.PanelError, match="利害関係の有無を申告"):
        panel.save_scores(case_id=screened.pk, actor=judge, scores=points(screened), comments={})
    assert not Score.objects.exists()


def test_a_score_out_of_range_is_refused_naming_the_criterion_and_nothing_is_written(screened, judge) -> None:  # type: ignore[no-untyped-def]
    panel.declare(case_id=screened.pk, actor=judge, conflicted=False)
    scores = points(screened)
    last = Criterion.objects.get(name="発展性")
    scores[last.pk] = 6
    with pytest.raises(panel.PanelError, match="発展性: 0〜5点"):
        panel.save_scores(case_id=screened.pk, actor=judge, scores=scores, comments={})
    assert not Score.objects.exists()
    assert not AuditEvent.objects.filter(action="score_application").exists()


def test_saving_again_replaces_the_members_scores(screened, judge) -> None:  # type: ignore[no-untyped-def]
    panel.declare(case_id=screened.pk, actor=judge, conflicted=False)
    panel.save_scores(case_id=screened.pk, actor=judge, scores=points(screened, 2), comments={})
    panel.save_scores(case_id=screened.pk, actor=judge, scores=points(screened, 4), comments={})
    assert sorted(Score.objects.values_list("score", flat=True)) == [4, 4, 4, 4]


def test_two_applications_with_equal_weighted_means_share_a_rank(open_call, npo, npo_b, staff, judge, judge2) -> None:  # type: ignore[no-untyped-def]
    a = steps.screening(open_call, *npo, staff)
    b = steps.screening(open_call, *npo_b, staff, title="まちなかコンサート")
    third_org, third_head = builders.group("third-head", "ゆだ朗読の会", confirmed_by=staff)
    c = steps.screening(open_call, third_org, third_head, staff, title="朗読会")
    steps.score(a, judge, 4)
    steps.score(a, judge2, 2)   # mean of 32 and 16 = 24
    steps.score(b, judge, 3)    # 24 from one member
    steps.score(c, judge, 5)    # 40
    ranked = panel.ranking(open_call)
    assert [(r.plan.case_id, r.rank, r.tied, r.scorers) for r in ranked] == [
        (c.pk, 1, False, 1), (a.pk, 2, True, 2), (b.pk, 2, True, 1)]
    assert ranked[1].score == Fraction(24)
