"""The cast of the evaluation tests (no tests here): a closed case of a programme-year with three 評価項目, its
group's head, staff, two 評価委員, and the steps from assignment to submission through the services."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from grants.accounts.models import Role, User
from grants.cases.models import GrantCase
from grants.evaluation import assignments, scoring
from grants.evaluation.models import Assignment, Criterion, Indicator, SelfAssessment
from grants.organizations.models import Organization
from grants.programmes.models import ProgrammeYear
from tests import factories

CRITERIA = (("目標の達成度", 5, 2), ("地域への波及効果", 5, 1), ("事業の継続性", 3, 1))  # name, 満点, 重み


@dataclass
class Cast:
    year: ProgrammeYear
    org: Organization
    head: User
    case: GrantCase
    staff: User
    staff2: User
    evaluator: User
    evaluator2: User
    criteria: list[Criterion]


def criteria(year: ProgrammeYear) -> list[Criterion]:
    return [Criterion.objects.create(programme_year=year, order=i + 1, name=name, max_score=top, weight=weight,
                                     description=f"{name}の着眼点")
            for i, (name, top, weight) in enumerate(CRITERIA)]


def closed_case(year: ProgrammeYear, org: Organization, status: str = "closed") -> GrantCase:
    """A case created in ``status`` (the lifecycle to 完了 is tested elsewhere; here only the state matters)."""
    return GrantCase.objects.create(programme_year=year, organization=org, status=status, project_title="子ども食堂の交流会",
                                    decided_amount=300_000, confirmed_amount=200_000, closed_on=dt.date(2026, 3, 31))


def cast(prefix: str = "e") -> Cast:
    year = factories.rule()
    org = factories.AssociationFactory(name=f"{prefix}評価対象の会")
    head = factories.UserFactory(username=f"{prefix}-head", role=Role.ASSOCIATION_HEAD)
    factories.RepresentativeFactory(organization=org, user=head, name="代表 花子", started_on=dt.date(2020, 4, 1))
    factories.BankAccountFactory(organization=org, account_number="7654321")
    case = closed_case(year, org)
    found = criteria(year)
    Indicator.objects.create(case=case, order=1, name="参加者数", unit="人", baseline=Decimal("20"),
                             target=Decimal("100"), result=Decimal("120"), result_note="毎回の交流会が満員でした。")
    for criterion, score in zip(found, (4, 3, 2), strict=True):
        SelfAssessment.objects.create(case=case, criterion=criterion, score=score, comment=f"自己評価：{criterion.name}")
    user = factories.UserFactory
    return Cast(year=year, org=org, head=head, case=case,
                staff=user(username=f"{prefix}-staff", role=Role.STAFF),
                staff2=user(username=f"{prefix}-staff2", role=Role.STAFF),
                evaluator=user(username=f"{prefix}-hyoka1", role=Role.EVALUATOR, display_name="評価 一郎"),
                evaluator2=user(username=f"{prefix}-hyoka2", role=Role.EVALUATOR, display_name="評価 二郎"),
                criteria=found)


def assign(c: Cast, evaluator: User | None = None, kind: str = "third_party") -> Assignment:
    return assignments.assign(case_id=c.case.pk, evaluator_id=(evaluator or c.evaluator).pk, kind=kind, actor=c.staff)


def marks(c: Cast, *values: int | None) -> dict[int, int | None]:
    return {criterion.pk: value for criterion, value in zip(c.criteria, values, strict=True)}


def submitted(c: Cast, evaluator: User, values: tuple[int, ...], comments: tuple[str, ...] = (),
              kind: str = "third_party") -> Assignment:
    """An assignment of ``evaluator`` declared without conflict and submitted with ``values``."""
    a = assign(c, evaluator, kind)
    assignments.declare(assignment_id=a.pk, actor=evaluator, conflicted=False)
    texts = {criterion.pk: text for criterion, text in zip(c.criteria, comments, strict=False)}
    return scoring.submit(assignment_id=a.pk, actor=evaluator, scores=marks(c, *values), comments=texts)
