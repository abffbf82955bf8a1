"""The administrator changes what is published of a kind at /admin/: the save is audited, and the files change."""
import pytest
from django.test import Client
from django.urls import reverse

from grants.core.models import AuditEvent
from grants.opendata import dataset
from grants.opendata.models import KindPolicy, PublicationMode
from grants.organizations.models import OrganizationKind
from tests.admin_forms import change_form_data
from tests.opendata import builders
from tests.opendata.builders import FY

pytestmark = pytest.mark.django_db


def test_changing_a_kinds_mode_in_the_admin_is_audited_and_changes_the_data(client: Client, root: object) -> None:
    builders.city()
    policy = KindPolicy.objects.get(kind=OrganizationKind.JICHIKAI)
    url = reverse("admin:opendata_kindpolicy_change", args=[policy.pk])
    data = change_form_data(client.get(url))
    data["mode"] = PublicationMode.INDIVIDUAL
    assert client.post(url, data).status_code == 302
    event = AuditEvent.objects.for_object(policy).get()
    assert "個別に公表" in event.note and "地域ごとの合計のみ" in event.note
    assert "大殿第1自治会" in [row.recipient_name for row in dataset.award_rows(FY)]


def test_the_kind_of_a_stored_policy_cannot_be_changed_nor_the_row_deleted(client: Client, root: object) -> None:
    builders.city()
    policy = KindPolicy.objects.get(kind=OrganizationKind.JICHIKAI)
    url = reverse("admin:opendata_kindpolicy_change", args=[policy.pk])
    data = {**change_form_data(client.get(url)), "kind": OrganizationKind.KYOGIKAI, "mode": policy.mode}
    client.post(url, data)
    assert KindPolicy.objects.get(pk=policy.pk).kind == OrganizationKind.JICHIKAI
    assert client.post(reverse("admin:opendata_kindpolicy_delete", args=[policy.pk]), {"post": "yes"}).status_code == 403
    assert KindPolicy.objects.filter(pk=policy.pk).exists()
