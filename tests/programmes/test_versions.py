"""Versions of a rule (issue 12 §9): a snapshot rebuilt as a rule computes exactly as the stored rule for every rule
shape of ``test_engine``, reads no row of today's rule, cannot be saved; the differences read in Japanese; the
version a decision takes is the current one, and versions are never edited."""
import inspect
import json

import pytest
from django.db import DatabaseError, transaction

from grants.programmes import versions
from grants.programmes.engine import compute, load_rule
from grants.programmes.models import ComponentBand, ComponentKind, FormulaComponent, ProgrammeYear, RuleVersion
from tests import factories
from tests.programmes import test_engine

pytestmark = pytest.mark.django_db

# Every input any shape reads; a shape ignores what it does not use.
INPUTS = {
    "households": 130, "population": 13_274, "newsletters": 2, "eligible_cost": 1_234_567, "income": 100_000,
    "running_costs": 480_000, "staff_costs": [2_100_000, 1_500_000], "year_no": 2,
}


def _shape_builders() -> list[str]:
    """The rule shapes of test_engine: its module-level functions called without arguments (kudamatsu, nagahama,
    hamamatsu, 大和高田市, sammu, the cost bands …), so a shape added there is covered here."""
    names = []
    for name, function in inspect.getmembers(test_engine, inspect.isfunction):
        if function.__module__ != test_engine.__name__ or name.startswith(("test_", "_")):
            continue
        if all(p.default is not inspect.Parameter.empty for p in inspect.signature(function).parameters.values()):
            names.append(name)
    return sorted(names)


def banded_households() -> ProgrammeYear:
    """均等割 20,500円 + 世帯割 by bands (1〜100世帯 600円, 101世帯から 400円), cap 100,000円, 千円未満切捨て."""
    py = factories.rule(code="banded", components=[(ComponentKind.FLAT, "均等割", 20_500)], cap=100_000, unit=1000)
    per = FormulaComponent.objects.create(programme_year=py, order=2, kind=ComponentKind.PER_HOUSEHOLD, label="世帯割")
    ComponentBand.objects.create(component=per, from_count=1, to_count=100, unit_amount=600)
    ComponentBand.objects.create(component=per, from_count=101, to_count=None, unit_amount=400)
    return py


def outcome(rule: ProgrammeYear) -> object:
    """The computation, or the refusal, of ``rule`` on ``INPUTS`` (as data, to compare two rules)."""
    try:
        return compute(rule, INPUTS).as_json()
    except ValueError as error:
        return (type(error).__name__, str(error))


def test_the_shapes_of_test_engine_are_found() -> None:
    assert {"kudamatsu", "nagahama", "hamamatsu", "yamato_takada", "sammu"} <= set(_shape_builders())


@pytest.mark.parametrize("builder", [*_shape_builders(), "banded_households"])
def test_a_rule_rebuilt_from_its_snapshot_computes_as_the_stored_rule(builder: str) -> None:
    py = banded_households() if builder == "banded_households" else getattr(test_engine, builder)()
    data = versions.snapshot(versions.load_for_snapshot(py.pk))
    rebuilt = versions.rule_from_snapshot(json.loads(json.dumps(data)))  # as stored in a JSON field
    assert outcome(rebuilt) == outcome(load_rule(py.pk))
    for year_no in (1, 3):
        assert outcome_for(rebuilt, year_no) == outcome_for(load_rule(py.pk), year_no)


def outcome_for(rule: ProgrammeYear, year_no: int) -> object:
    try:
        return compute(rule, {**INPUTS, "year_no": year_no}).as_json()
    except ValueError as error:
        return (type(error).__name__, str(error))


def test_snapshot_of_a_rebuilt_rule_is_the_snapshot() -> None:
    py = banded_households()
    data = versions.snapshot(versions.load_for_snapshot(py.pk))
    assert versions.snapshot(versions.rule_from_snapshot(data)) == data


def test_rebuilt_rule_computes_without_a_query(django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    data = versions.snapshot(versions.load_for_snapshot(banded_households().pk))
    with django_assert_num_queries(0):
        rule = versions.rule_from_snapshot(data)
        assert compute(rule, {"households": 130}).amount == 92_000


def test_rebuilt_rule_keeps_the_old_values_when_the_stored_rule_changes() -> None:
    py = banded_households()
    data = versions.snapshot(versions.load_for_snapshot(py.pk))
    ComponentBand.objects.filter(component__programme_year=py).update(unit_amount=1)
    FormulaComponent.objects.filter(programme_year=py, kind=ComponentKind.FLAT).delete()
    rule = versions.rule_from_snapshot(data)
    assert compute(rule, {"households": 130}).amount == 92_000
    # a query other than .all() on a part answers nothing, never today's rows
    assert list(rule.components.filter(kind=ComponentKind.FLAT)) == []


def test_rebuilt_rule_cannot_be_saved_or_deleted() -> None:
    py = factories.rule()
    rule = versions.rule_from_snapshot(versions.snapshot(versions.load_for_snapshot(py.pk)))
    rule.cap_amount = 1
    with pytest.raises(ValueError, match="過去の版の交付基準は保存できません"):
        rule.save()
    with pytest.raises(ValueError, match="過去の版の交付基準は保存できません"):
        rule.components.all()[0].save()
    with pytest.raises(ValueError):
        rule.delete()
    py.refresh_from_db()
    assert py.cap_amount is None


def test_snapshot_skips_parts_not_declared_and_keeps_fields_added_later() -> None:
    py = factories.rule()
    data = versions.snapshot(versions.load_for_snapshot(py.pk))
    del data["fields"]["rounding_mode"]  # a field the model gained after the snapshot: its default
    data["children"]["no_such_part"] = [{"model": "programmes.formulacomponent", "fields": {}}]
    rule = versions.rule_from_snapshot(data)
    assert rule.rounding_mode == "floor"
    assert compute(rule, {"households": 10}).amount == 15_000


# -- differences in words ----------------------------------------------------------------------------------------

def _snap(py: ProgrammeYear) -> versions.Snapshot:
    return versions.snapshot(versions.load_for_snapshot(py.pk))


def test_diff_names_a_changed_field_with_yen_and_choices() -> None:
    py = factories.rule(cap=200_000)
    before = _snap(py)
    ProgrammeYear.objects.filter(pk=py.pk).update(cap_amount=250_000, floor_amount=5_000, rounding_mode="round",
                                                  deduct_income=True)
    lines = [str(c) for c in versions.diff(before, _snap(py))]
    assert "上限額: 200,000円 → 250,000円" in lines
    assert "下限額: （なし） → 5,000円" in lines
    assert "事業収入を控除する: いいえ → はい" in lines
    assert any(line.startswith("端数処理の方法: ") and "→" in line for line in lines)
    assert len(lines) == 4


def test_diff_names_parts_added_removed_and_changed() -> None:
    py = banded_households()
    before = _snap(py)
    FormulaComponent.objects.create(programme_year=py, order=3, kind=ComponentKind.PER_CAPITA, label="人口割",
                                    unit_amount=300)
    FormulaComponent.objects.filter(programme_year=py, label="均等割").delete()
    ComponentBand.objects.filter(component__programme_year=py, unit_amount=400).update(unit_amount=450)
    lines = [str(c) for c in versions.diff(before, _snap(py))]
    added = next(line for line in lines if line.startswith("算定項目「人口割」を追加"))
    assert "単価 300円" in added
    removed = next(line for line in lines if line.startswith("算定項目「均等割」を削除"))
    assert "単価 20,500円" in removed
    band = next(line for line in lines if "段階区分" in line)
    assert band.startswith("算定項目「世帯割」の段階区分「") and band.endswith("単価: 400円 → 450円")
    assert len(lines) == 3


def test_diff_of_an_unchanged_rule_is_empty_and_of_a_new_rule_lists_its_parts() -> None:
    py = factories.rule()
    assert versions.diff(_snap(py), _snap(py)) == []
    lines = [str(c) for c in versions.diff(None, _snap(py))]
    assert lines == [line for line in lines if line.startswith("算定項目「")] and len(lines) == 2


# -- versions --------------------------------------------------------------------------------------------------

def test_a_decision_takes_version_1_once_and_a_new_version_after_a_change() -> None:
    py = factories.rule()
    first = versions.version_for_decision(py.pk, actor=None)
    assert (first.number, first.reason) == (1, versions.FIRST_USE_REASON)
    assert versions.version_for_decision(py.pk, actor=None) == first  # the JSON stored equals the rule read again
    ProgrammeYear.objects.filter(pk=py.pk).update(cap_amount=9_000)
    second = versions.version_for_decision(py.pk, actor=None)
    assert second.number == 2
    assert versions.rule_from_snapshot(first.snapshot).cap_amount is None
    assert versions.rule_from_snapshot(second.snapshot).cap_amount == 9_000


def test_a_version_is_never_edited_or_deleted() -> None:
    version = versions.version_for_decision(factories.rule().pk, actor=None)
    version.reason = "書き換え"
    with pytest.raises(ValueError, match="交付基準の版は変更できません"):
        version.save()
    with pytest.raises(ValueError, match="交付基準の版は削除できません"):
        version.delete()
    with pytest.raises(DatabaseError), transaction.atomic():
        RuleVersion.objects.filter(pk=version.pk).update(reason="書き換え")
    with pytest.raises(DatabaseError), transaction.atomic():
        RuleVersion.objects.filter(pk=version.pk).delete()
