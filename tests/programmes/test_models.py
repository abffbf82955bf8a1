"""Attacks on the checks of a rule's models through the admin: a value the database refuses (a denominator or a
rounding unit of 0) is named at its field in Japanese, never by the internal name of a database constraint."""
import pytest
from django.urls import reverse

from grants.programmes.models import Instalment, RepeatYearStep
from tests import factories
from tests.admin_forms import change_form_data

pytestmark = pytest.mark.django_db


ROWS = {
    "repeat_steps": {"from_year": 2, "rate_numerator": 1, "rate_denominator": 0, "cap_amount": ""},
    "instalments": {"order": 1, "label": "第1回", "share_numerator": 1, "share_denominator": 0,
                    "pay_on": f"{factories.CURRENT_FY}-05-01"},
}


@pytest.mark.parametrize(("fields", "rows", "message"), [
    ({"rate_denominator": 0}, {}, "補助率は分母1以上、分子は分母以下にしてください"),
    ({"rounding_unit": 0}, {}, "端数処理の単位は1円以上にしてください"),
    ({"penalty_rounding_unit": 0}, {}, "端数処理の単位は1円以上にしてください"),
    ({"max_project_years": 3}, {"repeat_steps": ROWS["repeat_steps"]}, "補助率は分母1以上、分子は分母以下にしてください"),
    ({}, {"instalments": ROWS["instalments"]}, "割合は0より大きく1以下にしてください"),
])
def test_a_zero_the_database_refuses_is_named_at_its_field(client, root, fields, rows, message) -> None:  # type: ignore[no-untyped-def]
    py = factories.rule()
    url = reverse("admin:programmes_programmeyear_change", args=[py.pk])
    data = change_form_data(client.get(url))
    data.update(fields)
    for prefix, row in rows.items():
        data.update({f"{prefix}-TOTAL_FORMS": 1, f"{prefix}-INITIAL_FORMS": 0})
        data.update({f"{prefix}-0-{name}": value for name, value in row.items()})
    response = client.post(url, data)
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    assert "制約" not in page and "_positive" not in page
    assert not RepeatYearStep.objects.exists() and not Instalment.objects.exists()
