"""Attacks on the admin of a rule: the same form posted twice (a double click on 保存, or two administrators adding at
once). Each page's rows are refused when rows were saved since it was opened, and a component is not added twice
under one name, so that no band, component or row is saved twice and counted twice."""
import pytest
from django.urls import reverse

from grants.programmes.engine import compute, load_rule
from grants.programmes.models import ComponentBand, ComponentKind, FormulaComponent
from tests import factories
from tests.admin_forms import change_form_data

pytestmark = pytest.mark.django_db

STALE = "同じ内容を二重に保存しないよう、画面を開き直してから入力してください。"


def test_bands_posted_twice_are_saved_once(client, root) -> None:  # type: ignore[no-untyped-def]
    """Saved twice, 1〜100 and 101以上 would each be paid twice (130 households: 144,000円 instead of 72,000円)."""
    py = factories.rule(components=[(ComponentKind.PER_HOUSEHOLD, "世帯割", 0)])
    component = FormulaComponent.objects.get(programme_year=py)
    url = reverse("admin:programmes_formulacomponent_change", args=[component.pk])
    data = change_form_data(client.get(url))
    data.update({"bands-TOTAL_FORMS": 2, "bands-INITIAL_FORMS": 0,
                 "bands-0-from_count": 1, "bands-0-to_count": 100, "bands-0-unit_amount": 600,
                 "bands-1-from_count": 101, "bands-1-to_count": "", "bands-1-unit_amount": 400})
    assert client.post(url, data).status_code == 302
    again = client.post(url, data)
    assert again.status_code == 200
    page = again.content.decode()
    assert "この画面を開いた後に、段階区分が保存されています（1〜100：1件あたり600円、101以上：1件あたり400円）。" in page
    assert STALE in page
    assert ComponentBand.objects.filter(component=component).count() == 2
    assert compute(load_rule(py.pk), {"households": 130}).amount == 72_000


def test_a_component_row_posted_twice_on_the_rules_page_is_added_once(client, root) -> None:  # type: ignore[no-untyped-def]
    py = factories.rule()
    url = reverse("admin:programmes_programmeyear_change", args=[py.pk])
    data = change_form_data(client.get(url))
    total = int(data["components-TOTAL_FORMS"])
    data.update({f"components-{total}-{name}": value for name, value in {
        "order": 9, "kind": "flat", "label": "加算", "unit_amount": 5_000, "condition_input": "",
        "condition_min": "", "measure": ""}.items()})
    data["components-TOTAL_FORMS"] = total + 1
    assert client.post(url, data).status_code == 302
    again = client.post(url, data)
    assert again.status_code == 200 and STALE in again.content.decode()
    assert FormulaComponent.objects.filter(programme_year=py, label="加算").count() == 1


def test_a_component_added_twice_on_its_own_page_is_added_once(client, root) -> None:  # type: ignore[no-untyped-def]
    py = factories.rule()
    url = reverse("admin:programmes_formulacomponent_add")
    data = {"programme_year": py.pk, "order": 5, "kind": "flat", "label": "加算", "unit_amount": 5_000,
            "condition_input": "", "condition_min": "", "bands-TOTAL_FORMS": 0, "bands-INITIAL_FORMS": 0}
    assert client.post(url, data).status_code == 302
    again = client.post(url, data)
    assert again.status_code == 200
    assert "この交付基準には、同じ名称の算定項目「加算」がすでにあります。" in again.content.decode()
    assert FormulaComponent.objects.filter(programme_year=py, label="加算").count() == 1
