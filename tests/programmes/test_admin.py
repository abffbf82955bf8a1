"""Rules are data: an administrator edits a programme-year's rule in the admin, and the next computation uses it."""
import pytest
from django.urls import reverse

from grants.programmes.engine import compute, load_rule
from grants.programmes.models import FormulaComponent
from tests import factories

pytestmark = pytest.mark.django_db


def test_admin_edits_unit_amount_and_floor(client) -> None:  # type: ignore[no-untyped-def]
    admin = factories.UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(admin)
    py = factories.rule()
    flat = FormulaComponent.objects.get(programme_year=py, label="均等割")
    url = reverse("admin:programmes_formulacomponent_change", args=[flat.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {
        "programme_year": py.pk, "order": 0, "kind": "flat", "label": "均等割", "unit_amount": 12_000,
        "condition_input": "", "condition_min": "",
        "bands-TOTAL_FORMS": 0, "bands-INITIAL_FORMS": 0, "bands-MIN_NUM_FORMS": 0, "bands-MAX_NUM_FORMS": 1000,
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    assert compute(load_rule(py.pk), {"households": 10}).amount == 12_000 + 10 * 500
