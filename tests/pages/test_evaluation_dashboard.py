"""The dashboard's 事業の評価 (reports.dashboard.evaluation_totals): per programme-year with criteria, the cases,
those reported with a 自己評価, those evaluated, the mean self and evaluator scores and the share of targets reached,
checked against figures worked out by hand; the table on the page; a constant number of queries."""
import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from grants.cases.models import GrantCase, PerformanceReport
from grants.evaluation.models import Assignment, EvaluationKind, Indicator, Score, SelfAssessment
from reports.dashboard import evaluation_totals
from tests.cases.steps import login
from tests.councils import builders
from tests.evaluation.targets_world import criteria
from tests.factories import CURRENT_FY, UserFactory


def _case(year, org, status="reported"):  # type: ignore[no-untyped-def]
    return GrantCase.objects.create(programme_year=year, organization=org, status=status, project_title="活動")


def _report(case, user, submitted=True):  # type: ignore[no-untyped-def]
    PerformanceReport.objects.create(case=case, narrative="実施した。", completed_on=timezone.localdate(),
                                     updated_by=user, submitted_at=timezone.now() if submitted else None)


def _self(case, found, *scores):  # type: ignore[no-untyped-def]
    for criterion, score in zip(found, scores, strict=False):
        SelfAssessment.objects.create(case=case, criterion=criterion, score=score)


def _indicator(case, order, target, result, baseline=None):  # type: ignore[no-untyped-def]
    Indicator.objects.create(case=case, order=order, name=f"指標{order}", unit="人", target=Decimal(target),
                             baseline=None if baseline is None else Decimal(baseline),
                             result=None if result is None else Decimal(result))


def _evaluation(case, found, staff, n, *scores, submitted=True):  # type: ignore[no-untyped-def]
    evaluator = UserFactory(username=f"hyoka-{case.pk}-{n}", role="evaluator")
    a = Assignment.objects.create(case=case, evaluator=evaluator, kind=EvaluationKind.PEER, assigned_by=staff,
                                  conflict_declared=False)
    if submitted:
        Assignment.objects.filter(pk=a.pk).update(status="submitted", submitted_at=timezone.now())
    for criterion, score in zip(found, scores, strict=True):
        Score.objects.create(assignment=a, criterion=criterion, score=score)


def world(katsudo, staff):  # type: ignore[no-untyped-def]
    """Criteria 目標の達成度 (5点, 重み2), 地域への波及効果 (5点, 重み1), 事業の継続性 (3点, 重み1, not self-asked).

    A: reported, 自己評価 4・3 → (4×2 + 3×1) / 3 = 11/3; targets 100 → 120 (reached) and 500 → 200 with 300
       (a reduction, 66.7%: not reached); evaluated twice: 5・2・3 and 3・4・1 → means 4・3・2 → (8 + 3 + 2) / 4 = 3.25.
    B: reported, 自己評価 5・5 → 5; target 10 → 10 (reached); evaluated once 4・4・2 → (8 + 4 + 2) / 4 = 3.5, and an
       evaluation not submitted (1・1・1) that does not count.
    C: decided, its 自己評価 (1・1) and result saved but the report not submitted: not counted.
    D: a case of last year's programme-year (with its own criteria): not counted.

    Self mean (11/3 + 5) / 2 = 13/3 = 4.33… → 4.3 (the cases' rounded means would give (3.7 + 5) / 2 = 4.35 → 4.4);
    evaluator mean (3.25 + 3.5) / 2 = 3.375 → 3.4; targets reached 2 of 3 = 66.7%."""
    found = criteria(katsudo)
    a_org, a_user = builders.council(name="大歳地域づくり協議会", username="a-sec")
    b_org, b_user = builders.council(name="湯田地域づくり協議会", username="b-sec")
    c_org, c_user = builders.council(name="小郡地域づくり協議会", username="c-sec")
    a, b, c = _case(katsudo, a_org), _case(katsudo, b_org), _case(katsudo, c_org, status="decided")
    _report(a, a_user), _report(b, b_user), _report(c, c_user, submitted=False)
    _self(a, found, 4, 3), _self(b, found, 5, 5), _self(c, found, 1, 1)
    _indicator(a, 1, "100", "120"), _indicator(a, 2, "200", "300", baseline="500"), _indicator(b, 1, "10", "10")
    _indicator(c, 1, "10", "1")
    _evaluation(a, found, staff, 1, 5, 2, 3), _evaluation(a, found, staff, 2, 3, 4, 1)
    _evaluation(b, found, staff, 1, 4, 4, 2), _evaluation(b, found, staff, 2, 1, 1, 1, submitted=False)
    last = builders.katsudo_year(fiscal_year=CURRENT_FY - 1, base_date=dt.date(CURRENT_FY - 1, 4, 1),
                                 application_opens=dt.date(CURRENT_FY - 1, 4, 1),
                                 application_closes=dt.date(CURRENT_FY - 1, 5, 31))
    old = criteria(last)
    d = _case(last, a_org)
    _report(d, a_user), _self(d, old, 1, 1), _indicator(d, 1, "10", "1")
    return found


@pytest.mark.django_db
def test_the_evaluation_per_programme_matches_the_figures_worked_by_hand(katsudo, staff) -> None:  # type: ignore[no-untyped-def]
    world(katsudo, staff)
    [row] = evaluation_totals(CURRENT_FY)
    assert (row.programme_year_id, row.cases, row.reported, row.evaluated) == (katsudo.pk, 3, 2, 2)
    assert (row.self_mean, row.evaluator_mean) == (Decimal("4.3"), Decimal("3.4"))
    assert (row.targets, row.achieved, row.achieved_share) == (3, 2, Decimal("66.7"))
    [last] = evaluation_totals(CURRENT_FY - 1)
    assert (last.cases, last.reported, last.self_mean, last.evaluated, last.evaluator_mean) == (1, 1, Decimal("1.0"),
                                                                                                  0, None)
    assert (last.targets, last.achieved, last.achieved_share) == (1, 0, Decimal("0.0"))


@pytest.mark.django_db
def test_a_programme_year_without_criteria_has_no_row(katsudo) -> None:  # type: ignore[no-untyped-def]
    assert evaluation_totals(CURRENT_FY) == []


@pytest.mark.django_db
def test_the_dashboard_shows_the_evaluation_table_in_a_fixed_number_of_queries(client, katsudo, staff) -> None:  # type: ignore[no-untyped-def]
    world(katsudo, staff)
    login(client, staff)
    with CaptureQueriesContext(connection) as small:
        evaluation_totals(CURRENT_FY)
    org, user = builders.council(name="宮野地域づくり協議会", username="e-sec")
    more = _case(katsudo, org)
    _report(more, user), _self(more, list(katsudo.evaluation_criteria.order_by("order")), 2, 2)
    with CaptureQueriesContext(connection) as large:
        evaluation_totals(CURRENT_FY)
    assert len(small) == len(large) == 7
    html = client.get(reverse("dashboard")).content.decode()
    assert 'id="evaluation-totals"' in html and "事業の評価" in html
    row = html.split(f'data-evaluation="{katsudo.pk}"')[1].split("</tr>")[0]
    assert 'data-field="cases">4件' in row and 'data-field="reported">3件' in row
    assert 'data-field="evaluated">2件' in row and 'data-field="evaluator_mean">3.4点' in row
    # 自己評価 with the new case's (2×2 + 2×1) / 3 = 2: (11/3 + 5 + 2) / 3 = 32/9 = 3.55… → 3.6
    assert 'data-field="self_mean">3.6点' in row and "66.7%（3件中2件）" in row


@pytest.mark.django_db
def test_the_dashboard_is_for_city_staff_only(client, katsudo, staff, council) -> None:  # type: ignore[no-untyped-def]
    world(katsudo, staff)
    login(client, council[1])
    assert client.get(reverse("dashboard")).status_code == 403
