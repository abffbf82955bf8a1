"""The permission matrix's cells of the evaluation pages alone (the whole matrix, tests/pages/test_permission_matrix.py,
holds the same lines: this runs them in seconds), and the other side of the matrix's unassigned 評価委員: the
evaluator assigned to the world's case opens their assignment, and nothing else — not another evaluator's
assignment, not the case page, not the city's page of its evaluation."""
import pytest
from django.test import Client
from django.urls import reverse

from grants.accounts.models import Role
from grants.evaluation.models import Assignment
from tests import factories
from tests.pages import permission_world as world
from tests.pages.test_permission_matrix import PAGES, breaches, run

pytestmark = pytest.mark.django_db

EVALUATION_VIEWS = [view for view in PAGES if view.key.startswith(("evaluation_", "case_evaluation"))]


def test_the_evaluation_pages_answer_every_role_as_the_policy_says() -> None:
    assert len(EVALUATION_VIEWS) == 8
    cast = world.build()
    results = run(EVALUATION_VIEWS, cast)
    found = breaches(EVALUATION_VIEWS, results, cast)
    assert found == [], "\n".join(found)


def test_an_assigned_evaluator_opens_only_their_own_assignment() -> None:
    cast = world.build()
    mine: Assignment = cast.objects["assignment"]
    other = Assignment.objects.create(
        case=cast.objects["closed_case"], kind="third_party", assigned_by=mine.assigned_by,
        evaluator=factories.UserFactory(username="w-evaluator2", role=Role.EVALUATOR))
    client = Client()
    client.force_login(mine.evaluator)
    assert client.get(reverse("evaluation_assignment", args=[mine.pk])).status_code == 200
    assert mine.case.reference in client.get(reverse("evaluation_home")).content.decode()
    assert client.get(reverse("evaluation_assignment", args=[other.pk])).status_code == 404
    assert client.post(reverse("evaluation_declare", args=[other.pk]), {"conflicted": "no"}).status_code == 404
    assert client.get(reverse("case_detail", args=[mine.case_id])).status_code == 404
    assert client.get(reverse("case_evaluation", args=[mine.case_id])).status_code == 403
    for key in ("case", "full", "application"):  # the world's other cases
        assert client.get(reverse("case_detail", args=[cast.objects[key].pk])).status_code == 404
    assert Assignment.objects.get(pk=other.pk).conflict_declared is None
