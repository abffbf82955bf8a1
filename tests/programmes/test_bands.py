"""Band tables entered as the 要綱 writes them: count bands 「1〜100」「101以上」 without gap or overlap, cost bands
「100,000円までの部分」「それを超える部分」 — the checks of grants.programmes.bands, through the real admin pages."""
import pytest
from django.urls import reverse

from grants.programmes.bands import CostRow, CountRow, cost_band_errors, count_band_errors
from grants.programmes.engine import compute, load_rule
from grants.programmes.models import AmountBasis, ComponentBand, ComponentKind, CostBand, FormulaComponent
from tests import factories
from tests.admin_forms import change_form_data

pytestmark = pytest.mark.django_db


def test_bands_that_follow_one_another_are_sound() -> None:
    assert count_band_errors([CountRow(1, 1, 100), CountRow(2, 101, 200), CountRow(3, 201, None)]) == []


def test_a_gap_between_bands_is_named_with_the_counts_it_leaves_out() -> None:
    assert count_band_errors([CountRow(1, 1, 100), CountRow(2, 120, None)]) == [
        "1行目と2行目の間（101〜119）がどの区分にも入っていません。"
    ]


def test_an_overlap_is_named_by_both_rows_whatever_order_they_were_entered_in() -> None:
    assert count_band_errors([CountRow(1, 150, None), CountRow(2, 1, 200)]) == [
        "1行目（150以上）が2行目（1〜200）と重なっています。"
    ]


def test_the_lower_bound_meaning_above_is_caught_as_a_wrong_start() -> None:
    """The old entry (0/100/200 meaning 「…を超える」) typed as from-counts: 0 is refused by the field; 100 as the
    first band's start leaves 1〜99 out."""
    errors = count_band_errors([CountRow(1, 100, 200), CountRow(2, 201, None)])
    assert errors == ["1行目（100〜200）：最初の区分は1から始めてください（1〜99がどの区分にも入っていません）。"]


def test_an_open_band_before_the_last_overlaps_what_follows() -> None:
    errors = count_band_errors([CountRow(1, 1, None), CountRow(2, 101, None)])
    assert errors and "上限のない区分は最後の1行だけ" in errors[0]


def test_two_cost_bands_for_the_same_part_are_refused() -> None:
    assert cost_band_errors([CostRow(1, 100_000), CostRow(2, 100_000), CostRow(3, None), CostRow(4, None)]) == [
        "1行目と2行目が同じ100,000円までの部分です。1行にまとめてください。",
        "3行目と4行目が同じそれを超える部分（空欄）です。1行にまとめてください。",
    ]


# -- through the admin ----------------------------------------------------------------------------------------

def _component_page(client, component: FormulaComponent) -> tuple[str, dict[str, object]]:  # type: ignore[no-untyped-def]
    url = reverse("admin:programmes_formulacomponent_change", args=[component.pk])
    return url, change_form_data(client.get(url))


def _with_bands(data: dict[str, object], bands: list[tuple[object, object, object]]) -> dict[str, object]:
    data = dict(data)
    data.update({"bands-TOTAL_FORMS": len(bands), "bands-INITIAL_FORMS": 0})
    for index, (start, end, unit) in enumerate(bands):
        data.update({f"bands-{index}-from_count": start, f"bands-{index}-to_count": end,
                     f"bands-{index}-unit_amount": unit})
    return data


def test_admin_saves_bands_entered_from_and_to_and_the_case_amount_follows(client, root) -> None:  # type: ignore[no-untyped-def]
    py = factories.rule(components=[(ComponentKind.PER_HOUSEHOLD, "世帯割", 0)])
    component = FormulaComponent.objects.get(programme_year=py)
    url, data = _component_page(client, component)
    response = client.post(url, _with_bands(data, [(1, 100, 600), (101, "", 400)]))
    assert response.status_code == 302, response.content.decode()[:3000]
    assert [str(band) for band in ComponentBand.objects.filter(component=component)] == [
        "1〜100：1件あたり600円", "101以上：1件あたり400円"
    ]
    result = compute(load_rule(py.pk), {"households": 130})
    assert result.lines[0].basis == "1〜100の部分 100 × 600円 ＋ 101以上の部分 30 × 400円"
    assert result.amount == 72_000


def test_admin_refuses_a_gap_and_keeps_what_was_typed(client, root) -> None:  # type: ignore[no-untyped-def]
    py = factories.rule(components=[(ComponentKind.PER_HOUSEHOLD, "世帯割", 0)])
    component = FormulaComponent.objects.get(programme_year=py)
    url, data = _component_page(client, component)
    response = client.post(url, _with_bands(data, [(1, 100, 600), (120, "", 400)]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "1行目と2行目の間（101〜119）がどの区分にも入っていません。" in page
    assert 'value="120"' in page
    assert not ComponentBand.objects.filter(component=component).exists()


def _errors(response) -> str:  # type: ignore[no-untyped-def]
    """The errors of a refused admin page, for the failure message."""
    context = response.context
    found = [str(context["adminform"].form.errors)]
    for inline in context["inline_admin_formsets"]:
        found += [str(inline.formset.non_form_errors()), str(inline.formset.errors)]
    return " ".join(found)


def _rule_page(client, py) -> tuple[str, dict[str, object]]:  # type: ignore[no-untyped-def]
    url = reverse("admin:programmes_programmeyear_change", args=[py.pk])
    return url, change_form_data(client.get(url))


def _with_cost_bands(data: dict[str, object], bands: list[tuple[object, int, int]]) -> dict[str, object]:
    data = dict(data)
    data.update({"cost_bands-TOTAL_FORMS": len(bands), "cost_bands-INITIAL_FORMS": 0})
    for index, (up_to, numerator, denominator) in enumerate(bands):
        data.update({f"cost_bands-{index}-up_to": up_to, f"cost_bands-{index}-rate_numerator": numerator,
                     f"cost_bands-{index}-rate_denominator": denominator})
    return data


def _cost_rule(**fields: object):  # type: ignore[no-untyped-def]
    py = factories.rule(components=[])
    py.components.all().delete()
    py.programme.workflow = "full"  # the flow that supplies the eligible cost (a formula flow cannot)
    py.programme.save()
    for name, value in {"amount_basis": AmountBasis.COST, **fields}.items():
        setattr(py, name, value)
    py.save()
    return py


def test_admin_saves_marginal_cost_bands(client, root) -> None:  # type: ignore[no-untyped-def]
    py = _cost_rule()
    url, data = _rule_page(client, py)
    response = client.post(url, _with_cost_bands(data, [(100_000, 1, 1), ("", 2, 3)]))
    assert response.status_code == 302, _errors(response)
    assert [str(band) for band in CostBand.objects.filter(programme_year=py)] == [
        "100,000円までの部分：補助率 1/1", "それを超える部分：補助率 2/3"
    ]
    assert compute(load_rule(py.pk), {"eligible_cost": 160_000}).amount == 140_000


@pytest.mark.parametrize(("fields", "bands", "message"), [
    ({}, [(100_000, 1, 1), (100_000, 1, 2)], "1行目と2行目が同じ100,000円までの部分です"),
    ({"rate_numerator": 1, "rate_denominator": 2}, [(100_000, 1, 1), ("", 1, 2)],
     "上の補助率（1/2）は10/10（分子・分母とも同じ数）のままにしてください"),
    ({"amount_basis": AmountBasis.FORMULA}, [("", 1, 2)], "段階別の補助率は、算定方法が"),
])
def test_admin_refuses_contradicting_cost_bands(client, root, fields, bands, message) -> None:  # type: ignore[no-untyped-def]
    py = _cost_rule(**fields)
    url, data = _rule_page(client, py)
    response = client.post(url, _with_cost_bands(data, bands))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not CostBand.objects.filter(programme_year=py).exists()


def test_admin_refuses_cost_bands_beside_a_rate_by_repeat_year(client, root) -> None:  # type: ignore[no-untyped-def]
    py = _cost_rule()
    url, data = _rule_page(client, py)
    data = _with_cost_bands(data, [("", 1, 2)])
    data.update({"repeat_steps-TOTAL_FORMS": 1, "repeat_steps-INITIAL_FORMS": 0, "repeat_steps-0-from_year": 2,
                 "repeat_steps-0-rate_numerator": 2, "repeat_steps-0-rate_denominator": 3,
                 "repeat_steps-0-cap_amount": ""})
    response = client.post(url, data)
    assert response.status_code == 200
    assert "年目ごとの補助率・上限額の1行目の補助率（2/3）" in response.content.decode()
    assert not CostBand.objects.filter(programme_year=py).exists()


# -- attacks: bands the engine would ignore, bounds the database refuses, a table without its last part ----------

def test_bands_on_a_component_that_counts_nothing_are_refused(client, root) -> None:  # type: ignore[no-untyped-def]
    """A 均等割 (定額) has no count to divide: its bands would be saved and silently ignored."""
    py = factories.rule()
    flat = FormulaComponent.objects.get(programme_year=py, label="均等割")
    url, data = _component_page(client, flat)
    response = client.post(url, _with_bands(data, [(1, 100, 600), (101, "", 400)]))
    assert response.status_code == 200
    assert "算定項目「均等割」：段階区分は世帯割・人口割・数量割のときだけ使います。" in response.content.decode()
    assert not ComponentBand.objects.filter(component=flat).exists()


def test_a_banded_component_turned_flat_in_the_rules_table_is_refused(client, root) -> None:  # type: ignore[no-untyped-def]
    py = factories.rule(components=[(ComponentKind.PER_HOUSEHOLD, "世帯割", 0)])
    component = FormulaComponent.objects.get(programme_year=py)
    ComponentBand.objects.create(component=component, from_count=1, to_count=100, unit_amount=600)
    ComponentBand.objects.create(component=component, from_count=101, unit_amount=400)
    url, data = _rule_page(client, py)
    data.update({"components-0-kind": "flat", "components-0-unit_amount": 5_000})
    response = client.post(url, data)
    assert response.status_code == 200
    assert "算定項目「世帯割」：段階区分は世帯割・人口割・数量割のときだけ使います。" in response.content.decode()
    component.refresh_from_db()
    assert component.kind == ComponentKind.PER_HOUSEHOLD


@pytest.mark.parametrize(("bands", "message"), [
    ([(0, 100, 600), (101, "", 400)], "「から」は1以上にしてください"),
    ([(1, 100, 600), (200, 150, 400)], "「まで」（150）が「から」（200）より小さくなっています。"),
])
def test_a_bound_the_database_refuses_is_named_at_its_field_not_by_a_constraint(  # type: ignore[no-untyped-def]
        client, root, bands, message) -> None:
    py = factories.rule(components=[(ComponentKind.PER_HOUSEHOLD, "世帯割", 0)])
    component = FormulaComponent.objects.get(programme_year=py)
    url, data = _component_page(client, component)
    page = client.post(url, _with_bands(data, bands)).content.decode()
    assert message in page
    assert "制約" not in page and "band_" not in page
    assert "重なっています" not in page and "どの区分にも入っていません" not in page  # no second, wrong reason
    assert not ComponentBand.objects.filter(component=component).exists()


def test_cost_bands_without_the_part_above_the_last_bound_are_refused() -> None:
    assert cost_band_errors([CostRow(1, 100_000), CostRow(2, 200_000)]) == [
        "200,000円を超える部分の行がありません。最後の行は「この額までの部分」を空欄にして、それを超える部分の補助率を"
        "定めてください（超える部分に補助しないときは補助率 0/1）。"
    ]


def test_admin_refuses_cost_bands_that_leave_the_rest_unsaid_and_takes_it_at_0_1(client, root) -> None:  # type: ignore[no-untyped-def]
    py = _cost_rule()
    url, data = _rule_page(client, py)
    refused = client.post(url, _with_cost_bands(data, [(100_000, 1, 1), (200_000, 1, 2)]))
    assert refused.status_code == 200 and "200,000円を超える部分の行がありません。" in refused.content.decode()
    assert not CostBand.objects.filter(programme_year=py).exists()
    saved = client.post(url, _with_cost_bands(data, [(100_000, 1, 1), (200_000, 1, 2), ("", 0, 1)]))
    assert saved.status_code == 302, _errors(saved)
    result = compute(load_rule(py.pk), {"eligible_cost": 900_000})
    assert result.amount == 150_000
    assert "200,000円を超える部分 700,000円（補助対象外）" in result.lines[1].basis


def test_a_cost_band_bound_of_0_is_named_at_its_field_not_as_a_second_open_row(client, root) -> None:  # type: ignore[no-untyped-def]
    py = _cost_rule()
    url, data = _rule_page(client, py)
    page = client.post(url, _with_cost_bands(data, [(0, 1, 1), ("", 1, 2)])).content.decode()
    assert "この額までの部分は1円以上にしてください" in page
    assert "制約" not in page and "同じそれを超える部分" not in page
    assert not CostBand.objects.filter(programme_year=py).exists()
