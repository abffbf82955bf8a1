"""Assigning 評価委員 to closed cases and their declaration of conflicts (grants.evaluation.assignments): the
refusals (a case not closed, no criteria, a tied evaluator, twice, not staff, not an evaluator), withdrawal, and the
declaration — a conflict declines the assignment on the rail and the case is no longer theirs to open."""
import datetime as dt

import pytest

from grants.accounts.models import Role
from grants.core.models import AuditEvent
from grants.evaluation import assignments, scoring
from grants.evaluation.machines import EvaluationError
from grants.evaluation.models import Assignment, Criterion
from grants.organizations.models import MemberRole
from tests import factories
from tests.evaluation.cast import assign, cast, closed_case, marks

pytestmark = pytest.mark.django_db


def test_staff_assign_an_evaluator_to_a_closed_case_with_an_audit_row_on_the_assignment() -> None:
    c = cast()
    a = assign(c, kind="peer")
    assert (a.status, a.kind, a.assigned_by, a.conflict_declared) == ("assigned", "peer", c.staff, None)
    row = AuditEvent.objects.get(action="assign_evaluator")
    assert row.object_id == a.pk and "評価 一郎に相互評価を依頼" in row.note
    assert not AuditEvent.objects.for_object(c.case).filter(action="assign_evaluator").exists()


@pytest.mark.parametrize("status", ["decided", "reported", "confirmed"])
def test_a_case_not_closed_is_refused(status: str) -> None:
    c = cast()
    other = closed_case(c.year, factories.AssociationFactory(), status=status)
    with pytest.raises(EvaluationError, match="完了した案件にだけ"):
        assignments.assign(case_id=other.pk, evaluator_id=c.evaluator.pk, kind="peer", actor=c.staff)
    assert not Assignment.objects.exists()


def test_a_programme_year_without_criteria_is_refused() -> None:
    c = cast()
    bare = closed_case(factories.rule(fiscal_year=factories.CURRENT_FY - 1), c.org)
    assert not Criterion.objects.filter(programme_year=bare.programme_year).exists()
    with pytest.raises(EvaluationError, match="評価項目がないため"):
        assignments.assign(case_id=bare.pk, evaluator_id=c.evaluator.pk, kind="peer", actor=c.staff)


@pytest.mark.parametrize("role", [MemberRole.HEAD, MemberRole.TREASURER, MemberRole.CLERK])
def test_attack_an_evaluator_tied_to_the_organisation_is_refused(role: str) -> None:
    c = cast()
    factories.RepresentativeFactory(organization=c.org, user=c.evaluator, role=role, name="評価 一郎",
                                    started_on=dt.date(2019, 4, 1), ended_on=dt.date(2020, 3, 31))  # a past term
    with pytest.raises(EvaluationError, match="役員・利用者（現在または過去）のため"):
        assign(c)
    assert not Assignment.objects.exists()
    assign(c, c.evaluator2)  # an evaluator tied to another organisation only is assignable
    assert Assignment.objects.count() == 1


def test_attack_the_same_evaluator_twice_is_refused_even_after_a_withdrawal() -> None:
    c = cast()
    a = assign(c)
    with pytest.raises(EvaluationError, match="既に割り当てられています"):
        assign(c)
    assignments.withdraw(assignment_id=a.pk, actor=c.staff2)
    with pytest.raises(EvaluationError, match="既に割り当てられています"):
        assign(c)
    assert Assignment.objects.count() == 1


@pytest.mark.parametrize("role", [Role.APPROVER, Role.FINANCE, Role.AUDITOR, Role.EVALUATOR, Role.ASSOCIATION_HEAD])
def test_attack_only_staff_assign(role: str) -> None:
    c = cast()
    actor = factories.UserFactory(username="actor", role=role)
    with pytest.raises(EvaluationError, match="協働推進課の担当者が行います"):
        assignments.assign(case_id=c.case.pk, evaluator_id=c.evaluator.pk, kind="peer", actor=actor)
    assert not Assignment.objects.exists()


@pytest.mark.parametrize("who", ["staff", "panel", "inactive"])
def test_attack_only_an_active_evaluator_is_assigned(who: str) -> None:
    c = cast()
    target = {"staff": c.staff2, "panel": factories.UserFactory(username="judge", role=Role.PANEL),
              "inactive": factories.UserFactory(username="gone", role=Role.EVALUATOR, is_active=False)}[who]
    with pytest.raises(EvaluationError, match="評価委員として登録された利用者を選んでください"):
        assign(c, target)


def test_attack_a_forged_kind_is_refused() -> None:
    c = cast()
    with pytest.raises(EvaluationError, match="相互評価か第三者評価"):
        assign(c, kind="self")


def test_staff_withdraw_an_assignment_not_yet_submitted_but_not_a_submitted_one() -> None:
    c = cast()
    a = assign(c)
    with pytest.raises(EvaluationError, match="協働推進課の担当者が取り消します"):
        assignments.withdraw(assignment_id=a.pk, actor=c.evaluator)
    assert assignments.withdraw(assignment_id=a.pk, actor=c.staff).status == "withdrawn"
    with pytest.raises(Assignment.DoesNotExist):
        assignments.open_assignment(c.evaluator, a.pk)
    b = assign(c, c.evaluator2)
    assignments.declare(assignment_id=b.pk, actor=c.evaluator2, conflicted=False)
    scoring.submit(assignment_id=b.pk, actor=c.evaluator2, scores=marks(c, 4, 4, 3), comments={})
    with pytest.raises(EvaluationError, match="取り消せません"):
        assignments.withdraw(assignment_id=b.pk, actor=c.staff)


def test_declaring_no_conflict_once_then_the_case_opens() -> None:
    c = cast()
    a = assign(c)
    declared = assignments.declare(assignment_id=a.pk, actor=c.evaluator, conflicted=False)
    assert declared.conflict_declared is False and declared.declared_at is not None
    again = assignments.declare(assignment_id=a.pk, actor=c.evaluator, conflicted=False)
    assert (again.conflict_declared, again.status) == (False, "assigned")  # the same answer twice: once
    assert assignments.open_assignment(c.evaluator, a.pk) == a
    assert AuditEvent.objects.filter(action="declare_no_conflict", object_id=a.pk).count() == 1
    # a conflict found once the case was read is still declared, and declines the assignment
    late = assignments.declare(assignment_id=a.pk, actor=c.evaluator, conflicted=True, reason="親族が会員")
    assert (late.conflict_declared, late.status, late.conflict_reason) == (True, "declined", "親族が会員")


def test_declaring_a_conflict_declines_on_the_rail_and_the_case_no_longer_opens() -> None:
    c = cast()
    a = assign(c)
    with pytest.raises(EvaluationError, match="その内容を入力してください"):
        assignments.declare(assignment_id=a.pk, actor=c.evaluator, conflicted=True, reason="  ")
    declined = assignments.declare(assignment_id=a.pk, actor=c.evaluator, conflicted=True, reason="妻が会員です")
    assert (declined.status, declined.conflict_declared, declined.conflict_reason) == ("declined", True, "妻が会員です")
    assert AuditEvent.objects.filter(action="decline_evaluation", machine="evaluation_assignment").count() == 1
    with pytest.raises(Assignment.DoesNotExist):
        assignments.open_assignment(c.evaluator, a.pk)
    with pytest.raises(EvaluationError, match="辞退（利益相反の申出）」のため、変更できません"):
        scoring.save_draft(assignment_id=a.pk, actor=c.evaluator, scores=marks(c, 3, 3, 3), comments={})
    with pytest.raises(EvaluationError, match="辞退"):
        scoring.submit(assignment_id=a.pk, actor=c.evaluator, scores=marks(c, 3, 3, 3), comments={})


def test_attack_a_reason_too_long_is_refused() -> None:
    c = cast()
    a = assign(c)
    with pytest.raises(EvaluationError, match="300文字以内"):
        assignments.declare(assignment_id=a.pk, actor=c.evaluator, conflicted=True, reason="あ" * 301)
    assert Assignment.objects.get().conflict_declared is None


def test_attack_another_evaluator_cannot_declare_or_open_an_assignment() -> None:
    c = cast()
    a = assign(c)
    for actor in (c.evaluator2, c.staff, c.head):
        with pytest.raises(Assignment.DoesNotExist):
            assignments.declare(assignment_id=a.pk, actor=actor, conflicted=False)
        with pytest.raises(Assignment.DoesNotExist):
            assignments.open_assignment(actor, a.pk)
    assert Assignment.objects.get().conflict_declared is None
    assert list(assignments.my_assignments(c.evaluator2)) == []
    assert list(assignments.my_assignments(c.staff)) == []
