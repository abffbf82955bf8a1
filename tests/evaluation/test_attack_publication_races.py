"""Races on PostgreSQL: two staff deciding the publication at once; the same publication form (one-time key)
sent twice at once; a publication racing a submission."""
import re

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from grants.core import once
from grants.core.models import AuditEvent
from grants.evaluation import assignments, publication, scoring
from grants.evaluation.models import Publication, Score
from tests.concurrency import run_together
from tests.evaluation.cast import assign, cast, marks, submitted

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
]


def test_two_staff_publishing_at_once_leave_one_publication() -> None:
    c = cast()
    submitted(c, c.evaluator, (4, 3, 2), ("講評A", "講評B", ""))
    ids = list(Score.objects.exclude(comment="").values_list("pk", flat=True))
    outcomes = run_together(
        lambda: publication.decide_publication(case_id=c.case.pk, actor=c.staff, publish_scores=True,
                                               summary="一人目", published_comments={ids[0]}),
        lambda: publication.decide_publication(case_id=c.case.pk, actor=c.staff2, publish_scores=False,
                                               summary="二人目", published_comments={ids[1]}))
    assert all(isinstance(o, Publication) for o in outcomes), outcomes
    assert Publication.objects.count() == 1
    p = Publication.objects.get()
    published = set(Score.objects.filter(comment_published=True).values_list("pk", flat=True))
    # The comments published are those of the decision that stands.
    assert (p.summary, published) in [("一人目", {ids[0]}), ("二人目", {ids[1]})], (p.summary, published)


def test_the_same_publication_form_sent_twice_at_once_acts_once() -> None:
    c = cast()
    submitted(c, c.evaluator, (4, 3, 2), ("講評A", "", ""))
    url = reverse("case_evaluation", args=[c.case.pk])
    clients = []
    for _ in range(2):
        client = Client()
        client.force_login(c.staff)
        clients.append(client)
    html = clients[0].get(url).content.decode()
    form = html.split(reverse("case_evaluation_publication", args=[c.case.pk]))[1].split("</form>")[0]
    key = re.search(rf'name="{once.FIELD}" value="([^"]+)"', form).group(1)  # type: ignore[union-attr]
    data = {"publish_scores": "on", "summary": "公表", once.FIELD: key}
    target = reverse("case_evaluation_publication", args=[c.case.pk])
    outcomes = run_together(*(lambda cl=cl: cl.post(target, data) for cl in clients))
    assert all(getattr(o, "status_code", 500) in (200, 302) for o in outcomes), outcomes
    assert AuditEvent.objects.filter(action="decide_evaluation_publication").count() == 1


def test_a_publication_racing_a_submission_counts_only_what_was_submitted() -> None:
    c = cast()
    submitted(c, c.evaluator, (4, 3, 2))
    second = assign(c, c.evaluator2)
    assignments.declare(assignment_id=second.pk, actor=c.evaluator2, conflicted=False)
    outcomes = run_together(
        lambda: scoring.submit(assignment_id=second.pk, actor=c.evaluator2, scores=marks(c, 1, 1, 1), comments={}),
        lambda: publication.decide_publication(case_id=c.case.pk, actor=c.staff, publish_scores=True, summary="",
                                               published_comments=set()))
    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    results = publication.published_results(c.case.programme_year.fiscal_year)
    # what staff reviewed: the second evaluation counts exactly when it was submitted by the time they decided
    second.refresh_from_db()
    decided_at = Publication.objects.get(case=c.case).decided_at
    assert results[c.case.pk].evaluators == (2 if second.submitted_at <= decided_at else 1)
