"""The admin of the organisations (grants/organizations/admin.py): household counts are append-only there too."""
import pytest
from django.urls import reverse

from grants.cases import services
from grants.organizations.models import HouseholdCount
from tests import factories

pytestmark = pytest.mark.django_db


def _admin(client):  # type: ignore[no-untyped-def]
    user = factories.UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(user)
    return user


def test_regression_admin_can_delete_household_count_history(client, case) -> None:  # type: ignore[no-untyped-def]
    """Was a bug, now fixed (organizations/admin.py HouseholdCountAdmin): change is refused ("append-only: a correction is a new
    row with a reason") but has_delete_permission is not overridden, so the admin can delete counts —
    including the head's corrections with their reasons — and the history of the figure the amount was
    computed from is gone. Also override has_delete_permission (and a DB trigger as for the ledger)."""
    _admin(client)
    services.correct_household_count(case_id=case.pk, actor=case.organization.representatives.first().user,
                                     households=130, reason="転入")
    row = HouseholdCount.objects.filter(source="correction").get()
    client.post(reverse("admin:organizations_householdcount_delete", args=[row.pk]), {"post": "yes"})
    assert HouseholdCount.objects.filter(pk=row.pk).exists()
