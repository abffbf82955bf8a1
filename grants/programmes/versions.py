"""Versions of a programme-year's rule (交付基準の版): snapshots, their differences in Japanese, and the rule
rebuilt from a snapshot so that a decided case keeps computing with the rule it was decided under (issue 12 §9).

A programme-year's rule is the ``ProgrammeYear`` row's own fields and its child rows, declared once in
``RULE_PARTS`` (a new rule model is covered by adding its related name there). A snapshot is a JSON-serialisable
dict::

    {"model": "programmes.programmeyear", "fields": {attname: value, ...},
     "children": {related_name: [{"model": ..., "fields": {...}, "children": {...}}, ...], ...}}

with every concrete field by attname (dates ISO 8601, decimals as strings), children in their model's order.
``RuleVersion`` rows (``grants.programmes.models``) keep the snapshots; the cases record the version each case
was decided under (``grants.cases.rules``). Who uses a version is known to the layers above through
``register_users`` (programmes does not import cases).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol

from django.apps import apps
from django.db import models, transaction
from django.utils import timezone

from grants.core.fiscal import wareki

from .models import ProgrammeYear, RuleVersion

# The child relations of a programme-year's rule, by related name, each with its own nested parts. A name the
# models do not have (yet) is skipped.
RULE_PARTS: dict[str, dict[str, Any]] = {
    "components": {"bands": {}},
    "repeat_steps": {},
    "cost_bands": {},
    "instalments": {},
    "expense_rules": {},
    "purposes": {},
}

# Reasons of the versions the system takes by itself (a reason typed by the administrator names a 要綱's revision).
FIRST_USE_REASON = "交付決定に用いた交付基準（自動記録）"
Snapshot = dict[str, Any]


class RuleUsers(Protocol):
    """What a layer above knows of the cases decided under a rule (registered with ``register_users``)."""

    def decided_count(self, programme_year: ProgrammeYear, version: RuleVersion | None) -> int:
        """Decided cases of ``programme_year`` computing with ``version`` (or, when None, decided cases recorded
        under no version, which compute with the current rule)."""
        ...

    def adopt(self, programme_year: ProgrammeYear, version: RuleVersion) -> int:
        """Record ``version`` on the decided cases of ``programme_year`` recorded under no version; their number."""
        ...

    def revised(self, programme_year: ProgrammeYear, actor: Any) -> int:
        """Compute again, with the rule as it now stands, the amounts of the cases of ``programme_year`` not yet
        decided (they follow the current rule); the number of cases whose amount changed."""
        ...


_USERS: list[RuleUsers] = []


def register_users(users: RuleUsers) -> None:
    """Register a layer's view of the cases decided under a rule (once per layer, at app loading)."""
    if all(type(u) is not type(users) for u in _USERS):
        _USERS.append(users)


# -- snapshot ------------------------------------------------------------------------------------------------

def _relations(model: type[models.Model]) -> dict[str, models.ForeignObjectRel]:
    return {rel.get_accessor_name() or "": rel for rel in model._meta.related_objects}


def _parts(model: type[models.Model], parts: Mapping[str, Any]) -> list[tuple[str, models.ForeignObjectRel, Any]]:
    """The declared parts of ``model`` that exist, with their relation and their own nested parts."""
    relations = _relations(model)
    return [(name, relations[name], nested) for name, nested in parts.items() if name in relations]


def prefetch_paths(model: type[models.Model] = ProgrammeYear, parts: Mapping[str, Any] = RULE_PARTS,
                   prefix: str = "") -> list[str]:
    """``prefetch_related`` lookups reading every part of a rule (e.g. ``components__bands``)."""
    paths: list[str] = []
    for name, rel, nested in _parts(model, parts):
        paths.append(prefix + name)
        paths += prefetch_paths(rel.related_model, nested, f"{prefix}{name}__")  # type: ignore[arg-type]
    return paths


def load_for_snapshot(programme_year_id: int) -> ProgrammeYear:
    """The stored rule with every part prefetched (one query per part)."""
    return ProgrammeYear.objects.prefetch_related(*prefetch_paths()).get(pk=programme_year_id)


def _json(value: object) -> object:
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _row(obj: models.Model, parts: Mapping[str, Any]) -> Snapshot:
    fields = {f.attname: _json(getattr(obj, f.attname)) for f in obj._meta.concrete_fields}
    children = {
        name: [_row(child, nested) for child in getattr(obj, name).all()]
        for name, _rel, nested in _parts(type(obj), parts)
    }
    return {"model": obj._meta.label_lower, "fields": fields, "children": children}


def snapshot(programme_year: ProgrammeYear) -> Snapshot:
    """The rule as a JSON-serialisable dict (see the module's docstring). Reads the parts through the related
    managers: prefetched ones (``load_for_snapshot``) cost no query. Raises nothing."""
    return _row(programme_year, RULE_PARTS)


# -- a rule from a snapshot ------------------------------------------------------------------------------------

def _refuse_save(*args: object, **kwargs: object) -> None:
    raise ValueError("過去の版の交付基準は保存できません。管理画面で新しい版を作成してください。")


def _build(data: Snapshot, parts: Mapping[str, Any]) -> models.Model:
    model = apps.get_model(data["model"])
    stored = data.get("fields", {})
    values = {f.attname: f.to_python(stored[f.attname]) for f in model._meta.concrete_fields if f.attname in stored}
    obj = model(**values)
    obj._state.adding = False
    setattr(obj, "save", _refuse_save)  # noqa: B010 (an instance attribute shadows the method)
    setattr(obj, "delete", _refuse_save)  # noqa: B010
    cache: dict[str, models.QuerySet[Any]] = {}
    for name, rel, nested in _parts(model, parts):
        rows = [_build(child, nested) for child in data.get("children", {}).get(name, [])]
        for child in rows:
            rel.field.set_cached_value(child, obj)
        # What prefetch_related leaves: ``manager.all()`` answers these rows; any other query answers none
        # (never the stored rows of today's rule).
        queryset = rel.related_model._default_manager.none()  # type: ignore[union-attr]
        setattr(queryset, "_result_cache", rows)  # noqa: B010
        setattr(queryset, "_prefetch_done", True)  # noqa: B010
        cache[name] = queryset
    setattr(obj, "_prefetched_objects_cache", cache)  # noqa: B010
    return obj


def rule_from_snapshot(data: Snapshot) -> ProgrammeYear:
    """An unsaved ``ProgrammeYear`` (with the stored id, so its parts can be read) whose parts are the snapshot's,
    prefetched: ``rule.components.all()``, ``component.bands.all()``, ``rule.repeat_steps.all()`` … return them
    without a query, so ``grants.programmes.engine.compute`` takes it like a loaded rule. ``save`` and ``delete``
    raise ``ValueError``. Fields the snapshot lacks (added to the model later) take their default."""
    rule = _build(data, RULE_PARTS)
    assert isinstance(rule, ProgrammeYear)
    return rule


# -- differences in words ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Change:
    """One difference between two snapshots: ``label`` names the field or the row (in Japanese), ``old`` and
    ``new`` are the values as shown to people; ``kind`` is ``changed``, ``added`` (old empty, new a summary of
    the row) or ``removed`` (new empty, old a summary)."""

    label: str
    old: str
    new: str
    kind: str = "changed"

    def __str__(self) -> str:
        if self.kind == "added":
            return f"{self.label}を追加（{self.new}）" if self.new else f"{self.label}を追加"
        if self.kind == "removed":
            return f"{self.label}を削除（{self.old}）" if self.old else f"{self.label}を削除"
        return f"{self.label}: {self.old} → {self.new}"


def _is_yen(field: models.Field[Any, Any]) -> bool:
    return "（円" in str(field.verbose_name)


def field_label(field: models.Field[Any, Any]) -> str:
    """The field's Japanese name without its unit (「上限額（円）」 → 「上限額」)."""
    name = str(field.verbose_name)
    return name.split("（円")[0] if _is_yen(field) else name


def show(field: models.Field[Any, Any], value: object) -> str:
    """A stored (snapshot) value as people read it: yen with separators, 和暦 dates, choices by their label."""
    if value is None or value == "":
        return "（なし）"
    target = field.related_model if field.is_relation else None
    if isinstance(target, type) and issubclass(target, models.Model):
        related = target._default_manager.filter(pk=value).first()
        return str(related) if related is not None else f"（削除済み: {value}）"
    if field.flatchoices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "はい" if value else "いいえ"
    if isinstance(field, models.DateField) and isinstance(value, str):
        return wareki(dt.date.fromisoformat(value))
    if isinstance(value, int) and _is_yen(field):
        return f"{value:,}円"
    return str(value)


def _shown_fields(model: type[models.Model], parent: models.ForeignObjectRel | None) -> list[models.Field[Any, Any]]:
    skip = {model._meta.pk.attname} | ({parent.field.attname} if parent is not None else set())
    return [f for f in model._meta.concrete_fields if f.attname not in skip]


def _name_of(data: Snapshot, parts: Mapping[str, Any]) -> str:
    model = apps.get_model(data["model"])
    try:
        return str(_build(data, {}))
    except Exception:  # a row of an older shape that its __str__ cannot read
        return str(model._meta.verbose_name)


def _summary(data: Snapshot, parent: models.ForeignObjectRel, name: str) -> str:
    model = apps.get_model(data["model"])
    parts = []
    for field in _shown_fields(model, parent):
        value = data["fields"].get(field.attname)
        if value is None or value == "" or field.attname not in data["fields"]:
            continue
        shown = show(field, value)
        if shown != name:
            parts.append(f"{field_label(field)} {shown}")
    return "、".join(parts)


def _diff_fields(model: type[models.Model], parent: models.ForeignObjectRel | None, old: Snapshot, new: Snapshot,
                 prefix: str) -> list[Change]:
    changes = []
    for field in _shown_fields(model, parent):
        before, after = old["fields"].get(field.attname), new["fields"].get(field.attname)
        if before != after:
            changes.append(Change(f"{prefix}{field_label(field)}", show(field, before), show(field, after)))
    return changes


def _diff_rows(model: type[models.Model], parent: models.ForeignObjectRel | None, old: Snapshot, new: Snapshot,
               parts: Mapping[str, Any], prefix: str) -> list[Change]:
    changes = _diff_fields(model, parent, old, new, prefix)
    for name, rel, nested in _parts(model, parts):
        child_model = rel.related_model
        what = str(child_model._meta.verbose_name)  # type: ignore[union-attr]
        before = {row["fields"]["id"]: row for row in old.get("children", {}).get(name, [])}
        after = {row["fields"]["id"]: row for row in new.get("children", {}).get(name, [])}
        for key, row in before.items():
            label = f"{prefix}{what}「{_name_of(row, nested)}」"
            if key not in after:
                changes.append(Change(label, _summary(row, rel, _name_of(row, nested)), "", "removed"))
            else:
                changes += _diff_rows(child_model, rel, row, after[key], nested, f"{label}の")  # type: ignore[arg-type]
        for key, row in after.items():
            if key not in before:
                name_ = _name_of(row, nested)
                changes.append(Change(f"{prefix}{what}「{name_}」", "", _summary(row, rel, name_), "added"))
                for child_name, child_rel, _grand in _parts(child_model, nested):  # type: ignore[arg-type]
                    grand_what = str(child_rel.related_model._meta.verbose_name)  # type: ignore[union-attr]
                    for grand in row.get("children", {}).get(child_name, []):
                        grand_name = _name_of(grand, _grand)
                        changes.append(Change(f"{prefix}{what}「{name_}」の{grand_what}「{grand_name}」", "",
                                              _summary(grand, child_rel, grand_name), "added"))
    return changes


def diff(old: Snapshot | None, new: Snapshot) -> list[Change]:
    """The differences from snapshot ``old`` to ``new`` of the same rule, in order: the rule's own fields, then
    each part's rows (matched by id) changed, removed or added, with their nested rows. ``old`` None (a new rule)
    lists every part as added. E.g. ``上限額: 200,000円 → 250,000円``, ``算定項目「世帯割」を追加（単価 300円）``."""
    if old is None:
        old = {"model": new["model"], "fields": dict(new["fields"]), "children": {}}
    return _diff_rows(ProgrammeYear, None, old, new, RULE_PARTS, "")


# -- versions -----------------------------------------------------------------------------------------------------

def latest_version(programme_year: ProgrammeYear) -> RuleVersion | None:
    return RuleVersion.objects.filter(programme_year=programme_year).order_by("-number").first()


def current_version(programme_year: ProgrammeYear, current: Snapshot | None = None) -> RuleVersion | None:
    """The version whose snapshot is the rule as it stands (``current``, else read now), or None when the rule
    has no version yet or was changed since its latest one."""
    latest = latest_version(programme_year)
    if latest is None:
        return None
    if current is None:
        current = snapshot(load_for_snapshot(programme_year.pk))
    return latest if latest.snapshot == current else None


def record_version(programme_year: ProgrammeYear, data: Snapshot, *, actor: Any, reason: str) -> RuleVersion:
    """Append the next version (1, 2, …) of ``programme_year`` with snapshot ``data``; call inside the
    transaction of the change, the programme-year's row locked."""
    latest = latest_version(programme_year)
    return RuleVersion.objects.create(
        programme_year=programme_year, number=(latest.number if latest else 0) + 1, snapshot=data,
        created_by=actor, reason=reason,
    )


def version_for_decision(programme_year_id: int, *, actor: Any) -> RuleVersion:
    """The version a case decided now is decided under: the current one, else a new one taken from the rule as it
    stands (version 1 the first time). Locks the programme-year's row (decisions and the admin's edits of one rule
    take turns); call inside the decision's transaction."""
    with transaction.atomic():
        programme_year = ProgrammeYear.objects.select_for_update().get(pk=programme_year_id)
        data = snapshot(load_for_snapshot(programme_year_id))
        found = current_version(programme_year, data)
        if found is not None:
            return found
        return record_version(programme_year, data, actor=actor, reason=FIRST_USE_REASON)


def decided_count(programme_year: ProgrammeYear, version: RuleVersion | None) -> int:
    """Decided cases computing with the rule as it stands: those recorded under ``version`` (the current one, or
    None) and those decided before versions were recorded."""
    total = 0
    for users in _USERS:
        if version is not None:
            total += users.decided_count(programme_year, version)
        total += users.decided_count(programme_year, None)
    return total


def revised(programme_year: ProgrammeYear, *, actor: Any) -> int:
    """After a change of the rule: the undecided cases' amounts computed again (``RuleUsers.revised``); how many
    changed. Call inside the transaction of the change."""
    return sum(users.revised(programme_year, actor) for users in _USERS)


def adopt(programme_year: ProgrammeYear, version: RuleVersion) -> int:
    """Record ``version`` on the decided cases recorded under no version (decided before versions existed)."""
    return sum(users.adopt(programme_year, version) for users in _USERS)


def version_label(version: RuleVersion) -> str:
    """「第1版（令和8年4月1日）」: the version's number and the day it was taken (Japan time)."""
    return f"第{version.number}版（{wareki(timezone.localdate(version.created_at))}）"

