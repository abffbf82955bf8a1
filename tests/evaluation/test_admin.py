"""The evaluation's admin: criteria per programme-year are edited there, each change audited with its old and new
values; a criterion already answered keeps its programme-year, 満点 and 重み and cannot be deleted; assignments are
read-only."""
import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from grants.core.models import AuditEvent
from grants.evaluation.models import Assignment, Criterion, SelfAssessment
from tests.admin_forms import change_form_data
from tests.councils.steps import draft
from tests.evaluation.targets_world import criteria


@pytest.mark.django_db
def test_a_criterion_is_edited_with_an_audit_row_and_kept_once_answered(client, root, katsudo, council,  # type: ignore[no-untyped-def]
                                                                         staff) -> None:
    found = criteria(katsudo)
    url = reverse("admin:evaluation_criterion_change", args=[found[0].pk])
    page = client.get(url)
    assert page.status_code == 200 and "満点" in page.content.decode() and "自己評価でも尋ねる" in page.content.decode()
    data = change_form_data(page)
    data.update(max_score="4", name="目標の達成")
    assert client.post(url, data).status_code == 302
    found[0].refresh_from_db()
    assert (found[0].name, found[0].max_score) == ("目標の達成", 4)
    event = AuditEvent.objects.get(content_type=ContentType.objects.get_for_model(Criterion), object_id=found[0].pk)
    assert event.action == "admin_change" and "目標の達成度" in event.note and "目標の達成" in event.note

    case, _, _ = draft(katsudo, council, staff)
    SelfAssessment.objects.create(case=case, criterion=found[0], score=3)
    data = change_form_data(client.get(url))
    assert "max_score" not in data and "weight" not in data and "programme_year" not in data
    data.update(max_score="10", name="目標の達成度")
    assert client.post(url, data).status_code == 302
    found[0].refresh_from_db()
    assert (found[0].name, found[0].max_score) == ("目標の達成度", 4)
    assert client.post(reverse("admin:evaluation_criterion_delete", args=[found[0].pk]),
                       {"post": "yes"}).status_code == 403
    assert Criterion.objects.filter(pk=found[0].pk).exists()
    # An unused criterion may still be deleted (audited).
    response = client.post(reverse("admin:evaluation_criterion_delete", args=[found[2].pk]), {"post": "yes"})
    assert response.status_code == 302 and not Criterion.objects.filter(pk=found[2].pk).exists()


@pytest.mark.django_db
def test_assignments_are_read_only_in_the_admin(client, root) -> None:  # type: ignore[no-untyped-def]
    assert client.get(reverse("admin:evaluation_assignment_changelist")).status_code == 200
    assert client.get(reverse("admin:evaluation_assignment_add")).status_code == 403
    assert not Assignment.objects.exists()
