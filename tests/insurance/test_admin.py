"""The administrator is not a 保険担当: the admin's audit trail (監査証跡) leaves out the insurance events, whose
notes may speak of an injured person, and a withdrawn report says so when submitted again."""
import pytest
from django.urls import reverse

from grants.core.models import AuditEvent
from grants.insurance import services
from tests import factories
from tests.insurance import builders


@pytest.mark.django_db
def test_the_admin_audit_trail_leaves_out_insurance_events(client, association, association_head, policy, media):
    report = builders.draft_report(association_head, association)
    services.withdraw_report(actor=association_head, report_id=report.pk, reason="山田さんの入院が長引くため")
    assert AuditEvent.objects.filter(content_type__app_label="insurance").exists()
    admin_user = factories.UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(admin_user)
    page = client.get(reverse("admin:core_auditevent_changelist")).content.decode()
    assert "insurance_withdraw_report" not in page and "山田" not in page
    event = AuditEvent.objects.get(action="insurance_withdraw_report")
    assert client.get(reverse("admin:core_auditevent_change", args=[event.pk])).status_code in (302, 404)
