"""The group's targets (目標と指標) in the application, and its results and 自己評価 in the 実績報告.

A programme-year evaluates when it has criteria (``Criterion``, admin-editable per 年度); its cases in a workflow
with a 交付申請 of lines (``Workflow.budget_lines``: the full lifecycle and the competitive one) then ask:

- in the application, 1 … ``MAX_INDICATORS`` indicators (指標名, 単位, 現状値 optional, 目標値), written while the
  application may be edited (the case's activity ``edit_application``: a draft, by its group or staff);
- in the 実績報告, each indicator's 実績値 (required) and 達成状況の説明, and a 自己評価 score 1 … ``max_score`` on
  every criterion ``used_for_self`` with a comment, written while the report may be (``write_report``).

Submitting the application without any indicator, or the report without every result and self score, is refused
(``on_act``, a listener of the rail: the act is rolled back with the Japanese reason). Values are decimals
(≥ 0, at most 10 digits before the point and 2 after) in the indicator's unit.

Errors: ``EvaluationInputError`` (an ``EvaluationError``) with ``errors`` keyed by (part, row index from 0, field);
its message names each row (「2行目」) and field; ``GrantCase.DoesNotExist`` for a case the user may not see.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Q

from grants.accounts.models import User
from grants.cases.labels import ACTION_LABELS
from grants.cases.models import GrantCase
from grants.cases.workflows import workflow_for_case, workflow_of
from grants.core import workflow
from grants.core.models import ACTION_NAMES, record_event
from grants.core.workflow import Act

from .machines import EvaluationError
from .models import Criterion, Indicator, SelfAssessment

MAX_INDICATORS = 20  # a typo guard, not a programme rule
MAX_VALUE = Decimal("9999999999.99")  # Decimal(12, 2)
MAX_NAME, MAX_UNIT, MAX_TEXT = 100, 20, 2000

#: How a message names the fields of each part.
LABELS = {
    "name": "指標名", "unit": "単位", "baseline": "現状値", "target": "目標値",
    "result": "実績値", "result_note": "達成状況の説明", "score": "点数", "comment": "コメント",
}
NO_TARGETS = "目標と指標を1つ以上入力してください。"
TARGETS_BEFORE_SUBMIT = "目標と指標: 1つ以上入力して保存してから、申請書を提出してください。"
RESULTS_BEFORE_SUBMIT = "実績と自己評価: {missing}を入力して保存してから、実績報告書を提出してください。"

ACTION_LABELS.update({"save_targets": "目標と指標の保存", "save_results": "実績と自己評価の保存"})
ACTION_NAMES.update({"save_targets": "目標と指標の保存", "save_results": "実績と自己評価の保存"})

Key = tuple[str, int, str]  # (part: "target" | "result" | "self", row index from 0, field)


class EvaluationInputError(EvaluationError):
    """Some rows are wrong: ``errors`` maps (part, row index, field) to Japanese messages; the message names each
    row (「2行目」, or the criterion for a 自己評価) and field."""

    def __init__(self, errors: Mapping[Key, list[str]], names: Mapping[Key, str] | None = None) -> None:
        self.errors = dict(errors)
        where = names or {}
        super().__init__(" ".join(
            f"{where.get(key, f'{key[1] + 1}行目')} {LABELS.get(key[2], key[2])}: {text}"
            for key, texts in self.errors.items() for text in texts))


@dataclasses.dataclass(frozen=True)
class TargetRow:
    """A target as the group states it: 指標名, 単位, 現状値 (None: not known), 目標値."""

    name: str
    unit: str
    baseline: Decimal | None
    target: Decimal | None


@dataclasses.dataclass(frozen=True)
class ResultRow:
    """The result of one of the case's indicators: 実績値 and 達成状況の説明."""

    indicator_id: int
    result: Decimal | None
    result_note: str


@dataclasses.dataclass(frozen=True)
class SelfScore:
    """The group's score on one criterion (1 … its 満点) with a comment."""

    criterion_id: int
    score: int | None
    comment: str


def criteria(programme_year_id: int) -> list[Criterion]:
    """The evaluation criteria of a programme-year, in order (none: it does not evaluate)."""
    return list(Criterion.objects.filter(programme_year_id=programme_year_id).order_by("order", "pk"))


def self_criteria(programme_year_id: int) -> list[Criterion]:
    """The criteria the group scores itself on in the 自己評価 (``used_for_self``), in order."""
    return [c for c in criteria(programme_year_id) if c.used_for_self]


def evaluates(case: GrantCase) -> bool:
    """Whether ``case`` states targets and evaluates itself: its programme-year has criteria and its workflow has a
    交付申請 of lines (a formula grant's 申請書兼請求書 asks nothing of this)."""
    return (workflow_of(case).budget_lines
            and Criterion.objects.filter(programme_year_id=case.programme_year_id).exists())


def _decimal(value: Any, *, required: bool) -> tuple[Decimal | None, str]:
    if value is None or value == "":
        return None, "入力してください。" if required else ""
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None, "数値で入力してください。"
    if not number.is_finite():
        return None, "数値で入力してください。"
    if number < 0:
        return None, "0以上の数値を入力してください。"
    if number > MAX_VALUE:
        return None, "9,999,999,999.99以下の数値を入力してください。"
    if number != number.quantize(Decimal("0.01")):
        return None, "小数点以下は2桁までで入力してください。"
    return number, ""


def _text(value: str, limit: int, *, required: bool) -> tuple[str, str]:
    text = (value or "").strip()
    if required and not text:
        return text, "入力してください。"
    if len(text) > limit:
        return text, f"{limit}文字以内で入力してください。"
    return text, ""


def _lock_case(actor: User, case_id: int, activity: str) -> GrantCase:
    flow = workflow_for_case(case_id)
    case = workflow.access(flow.machine, actor, case_id, lock=True)
    if not evaluates(case):
        raise EvaluationError("この案件の事業・年度には評価項目がないため、目標と指標は入力できません。")
    try:
        workflow.require(flow.machine, case, actor, activity)
    except workflow.ActionRefused as exc:
        raise EvaluationError(str(exc)) from exc
    return case


def save_targets(*, case_id: int, actor: User, rows: Sequence[TargetRow]) -> list[Indicator]:
    """Replace the case's indicators by ``rows`` (in that order) while its application may be edited by
    ``actor``. Raises ``EvaluationInputError`` (nothing written) when no row is given, more than
    ``MAX_INDICATORS``, or a row is wrong; ``EvaluationError`` when the case does not evaluate or may not be
    edited now; ``GrantCase.DoesNotExist`` when ``actor`` may not see it."""
    with transaction.atomic():
        case = _lock_case(actor, case_id, "edit_application")
        errors: dict[Key, list[str]] = {}
        if not rows:
            errors[("target", 0, "name")] = [NO_TARGETS]
        if len(rows) > MAX_INDICATORS:
            errors[("target", MAX_INDICATORS, "name")] = [f"目標と指標は{MAX_INDICATORS}件までです。"]
        cleaned: list[dict[str, Any]] = []
        for i, row in enumerate(rows[:MAX_INDICATORS]):
            name, e_name = _text(row.name, MAX_NAME, required=True)
            unit, e_unit = _text(row.unit, MAX_UNIT, required=True)
            baseline, e_base = _decimal(row.baseline, required=False)
            target, e_target = _decimal(row.target, required=True)
            for field, text in (("name", e_name), ("unit", e_unit), ("baseline", e_base), ("target", e_target)):
                if text:
                    errors[("target", i, field)] = [text]
            cleaned.append({"name": name, "unit": unit, "baseline": baseline, "target": target})
        if errors:
            raise EvaluationInputError(errors)
        Indicator.objects.filter(case=case).delete()
        made = Indicator.objects.bulk_create(
            Indicator(case=case, order=i + 1, **values) for i, values in enumerate(cleaned))
        record_event(actor=actor, subject=case, action="save_targets",
                     note="、".join(f"{v['name']} {v['target']:f}{v['unit']}" for v in cleaned))
    return made


def save_results(*, case_id: int, actor: User, results: Sequence[ResultRow],
                 scores: Sequence[SelfScore]) -> None:
    """Record each indicator's 実績値 and 達成状況の説明, and the 自己評価 on each criterion ``used_for_self``, while
    the case's 実績報告 may be written by ``actor``. Every indicator of the case and every such criterion must be
    answered (a row for another case's indicator or criterion is ignored: what the case asks is still missing). Raises
    ``EvaluationInputError`` (nothing written), ``EvaluationError``, ``GrantCase.DoesNotExist`` as
    ``save_targets``."""
    with transaction.atomic():
        case = _lock_case(actor, case_id, "write_report")
        indicators = list(Indicator.objects.filter(case=case).order_by("order"))
        asked = self_criteria(case.programme_year_id)
        by_indicator = {r.indicator_id: r for r in results}
        by_criterion = {s.criterion_id: s for s in scores}
        errors: dict[Key, list[str]] = {}
        names: dict[Key, str] = {}
        kept: list[tuple[Indicator, Decimal | None, str]] = []
        for i, indicator in enumerate(indicators):
            row = by_indicator.get(indicator.pk)
            value, e_value = _decimal(row.result if row else None, required=True)
            note, e_note = _text(row.result_note if row else "", MAX_TEXT, required=False)
            for field, text in (("result", e_value), ("result_note", e_note)):
                if text:
                    errors[("result", i, field)] = [text]
                    names[("result", i, field)] = f"{i + 1}行目（{indicator.name}）"
            kept.append((indicator, value, note))
        answers: list[tuple[Criterion, int, str]] = []
        for i, criterion in enumerate(asked):
            given = by_criterion.get(criterion.pk)
            score = given.score if given else None
            comment, e_comment = _text(given.comment if given else "", MAX_TEXT, required=False)
            where = f"自己評価「{criterion.name}」"
            if score is None:
                errors[("self", i, "score")] = ["点数を選んでください。"]
            elif not 1 <= score <= criterion.max_score:
                errors[("self", i, "score")] = [f"1から{criterion.max_score}までの点数を選んでください。"]
            if e_comment:
                errors[("self", i, "comment")] = [e_comment]
            names[("self", i, "score")] = names[("self", i, "comment")] = where
            answers.append((criterion, score or 0, comment))
        if errors:
            raise EvaluationInputError(errors, names)
        for indicator, value, note in kept:
            indicator.result, indicator.result_note = value, note
        Indicator.objects.bulk_update([k[0] for k in kept], ["result", "result_note"])
        for criterion, score, comment in answers:
            SelfAssessment.objects.update_or_create(case=case, criterion=criterion,
                                                    defaults={"score": score, "comment": comment})
        record_event(actor=actor, subject=case, action="save_results",
                     note="、".join([f"{ind.name} {value:f}{ind.unit}" for ind, value, _ in kept]
                                   + [f"自己評価 {c.name} {s}点" for c, s, _ in answers]))


def has_any(case: GrantCase) -> bool:
    """Whether ``case`` has anything of an evaluation: a target, a 自己評価 or an assignment. One query."""
    return GrantCase.objects.filter(pk=case.pk).filter(
        Q(indicators__isnull=False) | Q(self_assessments__isnull=False) | Q(evaluation_assignments__isnull=False)
    ).exists()


def missing_before_report(case: GrantCase) -> list[str]:
    """What the 実績報告 still lacks of the evaluation, in words (empty: nothing, or the case does not evaluate)."""
    if not evaluates(case):
        return []
    missing: list[str] = []
    # A case applied for before its programme-year had criteria has no targets: its report asks the 自己評価 only.
    if Indicator.objects.filter(case=case, result__isnull=True).exists():
        missing.append("各指標の実績値")
    asked = {c.pk for c in self_criteria(case.programme_year_id)}
    answered = set(SelfAssessment.objects.filter(case=case, criterion_id__in=asked).values_list("criterion_id",
                                                                                                 flat=True))
    if asked - answered:
        missing.append("自己評価の点数")
    return missing


def on_act(act: Act[Any]) -> None:
    """The rail's listener: a case's application (``submit``) of a programme-year that evaluates is refused
    without an indicator, and its 実績報告 (``submit_report``) without every result and self score. Raising here
    rolls the act back (it runs inside the act's transaction)."""
    if act.machine.model != "cases.GrantCase" or act.edge.name not in ("submit", "submit_report"):
        return
    case = act.obj
    if not evaluates(case):
        return
    if act.edge.name == "submit":
        if not Indicator.objects.filter(case=case).exists():
            raise EvaluationError(TARGETS_BEFORE_SUBMIT)
        return
    missing = missing_before_report(case)
    if missing:
        raise EvaluationError(RESULTS_BEFORE_SUBMIT.format(missing="・".join(missing)))


workflow.listen(on_act)
