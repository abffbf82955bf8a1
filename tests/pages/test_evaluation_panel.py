"""Next year's screening panel sees the evaluation of earlier 年度 of the same group (pages/competitive/panel.py's
application page): targets against results, the 自己評価, the evaluators' means and comments — and never another
group's evaluation, nor a later year's, nor anything before the member declared no conflict."""
from decimal import Decimal

import pytest
from django.utils import timezone

from grants.cases.models import GrantCase
from grants.evaluation.models import Assignment, EvaluationKind, Indicator, Score, SelfAssessment
from tests import factories
from tests.cases.steps import login
from tests.competitive import builders
from tests.evaluation.targets_world import criteria
from tests.factories import CURRENT_FY


def evaluated_case(year, org, staff, *, title: str, comment: str, result: str = "120"):  # type: ignore[no-untyped-def]
    """A closed case of ``org`` in ``year`` with one target, a 自己評価 and one submitted evaluation."""
    found = criteria(year) if not year.evaluation_criteria.exists() else list(year.evaluation_criteria.all())
    case = GrantCase.objects.create(programme_year=year, organization=org, status="closed", project_title=title)
    Indicator.objects.create(case=case, order=1, name="交流会の参加者数", unit="人", target=Decimal("100"),
                             result=Decimal(result), result_note="毎回満員")
    SelfAssessment.objects.create(case=case, criterion=found[0], score=4, comment="")
    SelfAssessment.objects.create(case=case, criterion=found[1], score=2, comment="")
    evaluator = factories.UserFactory(username=f"hyoka-{case.pk}", role="evaluator")
    assignment = Assignment.objects.create(case=case, evaluator=evaluator, kind=EvaluationKind.THIRD_PARTY,
                                           assigned_by=staff, conflict_declared=False)
    Assignment.objects.filter(pk=assignment.pk).update(status="submitted", submitted_at=timezone.now())
    for criterion, score in zip(found, (5, 3, 2), strict=True):
        Score.objects.create(assignment=assignment, criterion=criterion, score=score,
                             comment=comment if criterion == found[0] else "")
    return case


@pytest.mark.django_db
def test_the_panel_sees_the_earlier_evaluation_of_the_same_group_only(client, screened, npo, npo_b, judge,  # type: ignore[no-untyped-def]
                                                                       staff) -> None:
    last = builders.programme_year(fiscal_year=CURRENT_FY - 1)
    evaluated_case(last, npo[0], staff, title="昨年度の子ども食堂", comment="地域の協力者が増えた（同じ団体）")
    evaluated_case(last, npo_b[0], staff, title="他団体の音楽祭", comment="他団体への講評")
    # A later year's case of the same group is not "earlier".
    later = builders.programme_year(fiscal_year=CURRENT_FY + 1)
    evaluated_case(later, npo[0], staff, title="来年度の事業", comment="来年度の講評")
    login(client, judge)
    html = client.get(f"/panel/applications/{screened.pk}/").content.decode()
    assert "昨年度の子ども食堂" not in html  # the declaration comes first
    client.post(f"/panel/applications/{screened.pk}/declare/", {"conflicted": "no"})
    html = client.get(f"/panel/applications/{screened.pk}/").content.decode()
    assert "これまでの評価（同じ団体・同じ事業の過年度）" in html
    assert "昨年度の子ども食堂" in html and "地域の協力者が増えた（同じ団体）" in html
    assert "120.0%" in html and "達成" in html
    # 自己評価 (4 × 2 + 2 × 1) / 3 = 3.3; evaluators (5 × 2 + 3 + 2) / 4 = 3.75 → 3.8
    assert "3.3点" in html and "3.8点（評価した委員 1人）" in html
    for other in ("他団体の音楽祭", "他団体への講評", "来年度の事業", "来年度の講評"):
        assert other not in html
    assert "hyoka-" not in html  # no evaluator is named


@pytest.mark.django_db
def test_a_group_without_earlier_evaluation_is_said_so(client, screened, npo_b, judge, staff) -> None:  # type: ignore[no-untyped-def]
    last = builders.programme_year(fiscal_year=CURRENT_FY - 1)
    evaluated_case(last, npo_b[0], staff, title="他団体の音楽祭", comment="他団体への講評")
    login(client, judge)
    client.post(f"/panel/applications/{screened.pk}/declare/", {"conflicted": "no"})
    html = client.get(f"/panel/applications/{screened.pk}/").content.decode()
    assert 'id="no-earlier-evaluation"' in html and "他団体の音楽祭" not in html
