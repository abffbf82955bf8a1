"""Forged ids on the evaluation pages: huge, negative, another's — a 4xx or a refusal, never a 500, nothing
written."""
import pytest
from django.test import Client
from django.urls import reverse

from grants.evaluation.models import Assignment, Publication, Score
from tests import factories
from tests.evaluation.cast import assign, cast, closed_case, submitted

pytestmark = pytest.mark.django_db

HUGE = 99999999999999999999


def client_of(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def test_attack_huge_ids_on_every_evaluation_url() -> None:
    c = cast()
    a = assign(c)
    ev, st = client_of(c.evaluator), client_of(c.staff)
    for client, method, url, data in [
        (ev, "get", f"/evaluation/{HUGE}/", None),
        (ev, "post", f"/evaluation/{HUGE}/declare/", {"conflicted": "no"}),
        (ev, "post", f"/evaluation/{HUGE}/scores/", {"intent": "submit"}),
        (st, "get", f"/cases/{HUGE}/evaluation/", None),
        (st, "post", f"/cases/{HUGE}/evaluation/assign/", {"evaluator": c.evaluator.pk, "kind": "peer"}),
        (st, "post", f"/cases/{c.case.pk}/evaluation/assign/", {"evaluator": HUGE, "kind": "peer"}),
        (st, "post", f"/cases/{c.case.pk}/evaluation/{HUGE}/withdraw/", {"note": ""}),
        (st, "post", f"/cases/{HUGE}/evaluation/{a.pk}/withdraw/", {"note": ""}),
        (st, "post", f"/cases/{c.case.pk}/evaluation/publication/", {"publish_scores": "on", "comments": [HUGE]}),
        (st, "post", f"/cases/{HUGE}/evaluation/targets/", {}),
        (st, "post", f"/cases/{HUGE}/evaluation/results/", {}),
    ]:
        response = getattr(client, method)(url, data) if data is not None else getattr(client, method)(url)
        assert response.status_code < 500, (url, response.status_code)
    assert Assignment.objects.count() == 1 and not Publication.objects.exists()


def test_attack_staff_publish_a_comment_of_another_case() -> None:
    c = cast()
    submitted(c, c.evaluator, (4, 3, 2), ("この案件の講評", "", ""))
    other_case = closed_case(c.year, factories.AssociationFactory(name="別の会"))
    other = Assignment.objects.create(case=other_case, evaluator=c.evaluator2, kind="peer", assigned_by=c.staff,
                                      conflict_declared=False)
    Assignment.objects.filter(pk=other.pk).update(status="submitted")
    foreign = Score.objects.create(assignment=other, criterion=c.criteria[0], score=1, comment="別の案件の講評")
    response = client_of(c.staff).post(reverse("case_evaluation_publication", args=[c.case.pk]),
                                       {"publish_scores": "on", "summary": "", "comments": [str(foreign.pk)]})
    assert response.status_code < 500
    foreign.refresh_from_db()
    assert not foreign.comment_published
