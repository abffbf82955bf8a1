"""Calls for proposals (募集): staff draft a call for a programme-year (window, budget, documents, group
eligibility, screening criteria: ``create_call``, ``update_call``) and publish it (``CALL``'s edges); a published
call is listed on the public page. Staff also keep the year's rule of the call (補助率, 上限額, the rate and cap by
repeat year, the year limit, income deduction, rounding: ``update_year_rule``) and its 費目
(``update_expense_rules``) until the first application of that year is submitted.

Errors: ``CallError`` (Japanese, names the field); ``Call.DoesNotExist`` for a call the user may not see.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from grants.accounts.models import Role, User
from grants.core import workflow
from grants.core.models import record_event
from grants.core.money import RoundingMode
from grants.core.workflow import Act, Edge, Machine
from grants.programmes.models import AmountBasis, ExpenseCategory, ExpenseRule, ProgrammeYear, RepeatYearStep, Treatment

from .models import Call, CallStatus, Criterion, ProjectPlan
from .workflows import COMPETITIVE


class CallError(workflow.ActionRefused):
    """The act on a call is not allowed, or its input is wrong; the message is for the user, in Japanese and
    names the field (「受付終了日: …」). ``field`` is the name of the input it is about ("" when none)."""

    def __init__(self, message: str, *, field: str = "") -> None:
        super().__init__(message)
        self.field = field


def visible_calls(user: User) -> QuerySet[Call]:
    """Calls ``user`` may open as staff: every call for city users; none for others (the public sees published
    calls through ``published_calls``)."""
    if not user.is_authenticated or not user.is_city_user:
        return Call.objects.none()
    return Call.objects.all()


def published_calls() -> QuerySet[Call]:
    """Calls anyone may see (no login): the published ones, newest first."""
    return Call.objects.filter(status=CallStatus.PUBLISHED).select_related("programme_year__programme")


CALL: Machine[Call] = workflow.register(Machine(
    name="call", label="募集", model="competitive.Call",
    states=dict(CallStatus.choices),
    edges=(
        Edge("publish_call", "公開する", frozenset({CallStatus.DRAFT}), CallStatus.PUBLISHED, frozenset({Role.STAFF}),
             records="published_by", stamps="published_at", effects=("require_call_complete",),
             role_refusal="募集の公開は担当職員のみが行えます。", state_refusal="準備中の募集だけを公開できます。"),
        Edge("unpublish_call", "非公開に戻す", frozenset({CallStatus.PUBLISHED}), CallStatus.DRAFT,
             frozenset({Role.STAFF}), note_required=True, tone="secondary", effects=("no_applications_yet",),
             role_refusal="募集の公開の取りやめは担当職員のみが行えます。",
             note_refusal="非公開に戻す理由を入力してください。"),
    ),
    visible=lambda user: visible_calls(user), related=("programme_year__programme",), error=CallError,
    activities=(
        workflow.Activity("edit_call", frozenset({CallStatus.DRAFT}), frozenset({Role.STAFF}),
                          "公開中の募集は変更できません。非公開に戻してから変更してください。"),
        workflow.Activity("assign_panel", frozenset(CallStatus.values), frozenset({Role.STAFF}),
                          "審査委員の委嘱は担当職員のみが行えます。"),
    ),
))


@workflow.effect("require_call_complete")
def _require_complete(act: Act[Call]) -> None:
    """A call is published only with its criteria and a rule that computes amounts from costs."""
    call = act.obj
    if not call.criteria.exists():
        raise CallError("審査項目を1つ以上登録してから公開してください。")
    if call.programme_year.amount_basis != "cost":
        raise CallError("この募集の年度別の交付基準は、対象経費に補助率を掛ける算定方法にしてください。")
    if not call.programme_year.expense_rules.exists():
        raise CallError("この年度の費目の取扱い（対象・対象外・条件付き）を登録してから公開してください。")


@workflow.effect("no_applications_yet")
def _no_applications(act: Act[Call]) -> None:
    if act.obj.applications.exclude(case__status="draft").exists():
        raise CallError("提出された申請があるため、非公開に戻せません。")


# -- Drafting a call (staff) -------------------------------------------------------------------------------------

# The call's own fields a staff member writes, with the label each refusal names.
CALL_FIELDS: dict[str, str] = {
    "title": "募集の名称", "label": "表示ラベル", "summary": "募集の趣旨・対象となる事業", "opens_on": "受付開始日",
    "closes_on": "受付終了日", "budget": "予算額（円）", "documents": "提出書類",
    "presentation_on": "公開プレゼンテーションの日時", "presentation_place": "公開プレゼンテーションの会場",
    "min_members": "団体の構成員数の下限（人）", "require_based_in_city": "市内に活動拠点があること",
    "require_bylaws": "規約（会則）があること", "require_member_list": "構成員名簿があること",
    "requires_tax_report": "消費税仕入控除税額の報告を求める",
}
MAX_TEXT = {"title": 200, "label": 40, "summary": 4000, "documents": 2000, "presentation_place": 200}
MAX_BUDGET = 10_000_000_000  # 100億円: a typing slip beyond any call of the city
MAX_WEIGHT = MAX_SCORE = 100
# A second click of 作成する within this many seconds returns the call the first one made.
DOUBLE_SUBMIT_SECONDS = 60


@dataclass(frozen=True)
class CriterionInput:
    """One row of the screening criteria as staff typed it: ``pk`` of an existing criterion of the call (None for
    a new row), name, 着眼点, weight (1 … 100) and maximum score (1 … 100)."""

    name: str
    description: str = ""
    weight: int = 1
    max_score: int = 5
    pk: int | None = None


def competitive_years() -> QuerySet[ProgrammeYear]:
    """The programme-years a call may be opened for: those of a programme whose workflow is ``competitive``."""
    return (ProgrammeYear.objects.filter(programme__workflow=COMPETITIVE.machine.variant)
            .select_related("programme").order_by("-fiscal_year", "programme__code"))


def _require_staff(actor: User, what: str) -> None:
    if not actor.is_authenticated or actor.role != Role.STAFF:
        raise CallError(f"{what}は担当職員のみが行えます。")


def _clean_call(values: Mapping[str, Any]) -> dict[str, Any]:
    """The call's fields checked one by one; ``CallError`` names the first wrong field (``field`` = its name)."""
    unknown = set(values) - set(CALL_FIELDS)
    if unknown:
        raise CallError(f"{sorted(unknown)[0]}: この項目はありません。")
    data = dict(values)
    for name, limit in MAX_TEXT.items():
        data[name] = str(data.get(name) or "").strip()
        if len(data[name]) > limit:
            raise CallError(f"{CALL_FIELDS[name]}: {limit:,}文字以内で入力してください。", field=name)
    if not data["title"]:
        raise CallError("募集の名称: 入力してください。", field="title")
    for name in ("opens_on", "closes_on"):
        if not isinstance(data.get(name), dt.date) or isinstance(data.get(name), dt.datetime):
            raise CallError(f"{CALL_FIELDS[name]}: 日付を入力してください。", field=name)
    if data["closes_on"] < data["opens_on"]:
        raise CallError("受付終了日: 受付開始日より後の日付にしてください。", field="closes_on")
    budget = data.get("budget")
    if isinstance(budget, bool) or not isinstance(budget, int) or not 1 <= budget <= MAX_BUDGET:
        raise CallError("予算額（円）: 1円以上の整数（円単位）で入力してください。", field="budget")
    members = data.get("min_members", 5)
    if isinstance(members, bool) or not isinstance(members, int) or not 1 <= members <= 1000:
        raise CallError("団体の構成員数の下限（人）: 1〜1,000の整数で入力してください。", field="min_members")
    when = data.get("presentation_on")
    if when is not None and not isinstance(when, dt.datetime):
        raise CallError("公開プレゼンテーションの日時: 日時を入力してください。", field="presentation_on")
    if when is not None and timezone.is_naive(when):
        data["presentation_on"] = timezone.make_aware(when)
    for name in ("require_based_in_city", "require_bylaws", "require_member_list", "requires_tax_report"):
        data[name] = bool(data.get(name, True))
    return data


def _clean_criteria(rows: Sequence[CriterionInput]) -> list[CriterionInput]:
    """The criteria rows checked (name 1 … 60 characters and unique, 着眼点 ≤ 300, weight and maximum 1 … 100);
    ``CallError`` names the row (「審査項目 2行目の重み: …」)."""
    cleaned, names = [], set()
    for number, row in enumerate(rows, start=1):
        where = f"審査項目 {number}行目"
        name, description = row.name.strip(), row.description.strip()
        if not name or len(name) > 60:
            raise CallError(f"{where}の審査項目: 60文字以内で入力してください。", field="criteria")
        if name in names:
            raise CallError(f"{where}の審査項目: 「{name}」が2回あります。別の名称にしてください。", field="criteria")
        if len(description) > 300:
            raise CallError(f"{where}の着眼点: 300文字以内で入力してください。", field="criteria")
        for value, label, top in ((row.weight, "重み", MAX_WEIGHT), (row.max_score, "満点", MAX_SCORE)):
            if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= top:
                raise CallError(f"{where}の{label}: 1〜{top}の整数で入力してください。", field="criteria")
        names.add(name)
        cleaned.append(CriterionInput(name, description, row.weight, row.max_score, row.pk))
    return cleaned


def _write_criteria(call: Call, rows: list[CriterionInput]) -> list[str]:
    """Replace the call's criteria by ``rows`` (kept rows updated in place); what changed, in words."""
    existing = {c.pk: c for c in call.criteria.all()}
    kept = {row.pk for row in rows if row.pk is not None}
    if kept - set(existing):
        raise CallError("審査項目: この募集にない行が含まれています。画面を開き直してください。", field="criteria")
    changes = [f"審査項目「{c.name}」を削除" for pk, c in existing.items() if pk not in kept]
    Criterion.objects.filter(call=call).exclude(pk__in=kept).delete()
    # Names are unique per call: move the kept rows out of the way before writing the new names.
    for pk in kept:
        Criterion.objects.filter(pk=pk).update(name=f"__{pk}")
    for order, row in enumerate(rows):
        values = {"order": order, "name": row.name, "description": row.description, "weight": row.weight,
                  "max_score": row.max_score}
        if row.pk is None:
            Criterion.objects.create(call=call, **values)
            changes.append(f"審査項目「{row.name}」（重み{row.weight}、{row.max_score}点満点）を追加")
            continue
        before = existing[row.pk]
        Criterion.objects.filter(pk=row.pk).update(**values)
        if (before.name, before.description, before.weight, before.max_score) != (
                row.name, row.description, row.weight, row.max_score):
            changes.append(f"審査項目「{before.name}」を「{row.name}」（重み{row.weight}、{row.max_score}点満点）に変更")
    return changes


def _changed_fields(call: Call, data: Mapping[str, Any]) -> list[str]:
    return [CALL_FIELDS[name] for name, value in data.items() if getattr(call, name) != value]


def create_call(*, actor: User, programme_year_id: int, values: Mapping[str, Any],
                criteria: Sequence[CriterionInput]) -> Call:
    """Draft a call (募集, 準備中) of the competitive programme-year ``programme_year_id`` with ``values`` (the keys
    of ``CALL_FIELDS``: window dates, budget in whole yen, documents one per line, group eligibility …) and its
    screening criteria. Staff only. ``CallError`` names the wrong field; nothing is written on a refusal. A
    second click within ``DOUBLE_SUBMIT_SECONDS`` (same actor, year and title) returns the first call."""
    _require_staff(actor, "募集の作成")
    data, rows = _clean_call(values), _clean_criteria(criteria)
    with transaction.atomic():
        year = competitive_years().select_for_update(of=("self",)).filter(pk=programme_year_id).first()
        if year is None:
            raise CallError("年度: 市民活動交流事業補助金（公募）の年度別の交付基準を選んでください。",
                            field="programme_year")
        same = Call.objects.filter(programme_year=year, title=data["title"]).first()
        if same is not None:
            recent = timezone.now() - dt.timedelta(seconds=DOUBLE_SUBMIT_SECONDS)
            if same.created_by_id == actor.pk and same.created_at >= recent:
                return same
            raise CallError("募集の名称: この年度に同じ名称の募集があります。別の名称にしてください。", field="title")
        call = Call.objects.create(programme_year=year, created_by=actor, **data)
        _write_criteria(call, rows)
        record_event(actor=actor, subject=call, action="create_call",
                     note=f"募集「{call.title}」を作成（審査項目{len(rows)}件）")
    return call


def update_call(*, actor: User, call_id: int, values: Mapping[str, Any],
                criteria: Sequence[CriterionInput]) -> Call:
    """Change a draft call's fields (``values``, as for ``create_call``) and replace its criteria by ``criteria``
    (rows with ``pk`` are kept and changed, rows without are added, the others removed). Staff only, and only
    while the call is 準備中 (activity ``edit_call``: a published call is first unpublished). One transaction and
    one audit row naming what changed; ``CallError`` names the wrong field; ``Call.DoesNotExist`` for a call the
    user may not see."""
    _require_staff(actor, "募集の変更")
    data, rows = _clean_call(values), _clean_criteria(criteria)
    with transaction.atomic():
        call = workflow.access(CALL, actor, call_id, lock=True)
        workflow.require(CALL, call, actor, "edit_call")
        if Call.objects.filter(programme_year=call.programme_year, title=data["title"]).exclude(pk=call.pk).exists():
            raise CallError("募集の名称: この年度に同じ名称の募集があります。別の名称にしてください。", field="title")
        changes = _changed_fields(call, data)
        for name, value in data.items():
            setattr(call, name, value)
        call.save()
        criteria_changes = _write_criteria(call, rows)
        if changes or criteria_changes:
            note = "、".join(filter(None, ["変更した項目: " + "・".join(changes) if changes else "",
                                            *criteria_changes]))
            record_event(actor=actor, subject=call, action="update_call", note=note)
    return call


# -- The year's rule, edited by staff (補助率・上限額・年目ごとの段階・費目) ----------------------------------------

RULE_FIELDS: dict[str, str] = {
    "rate_numerator": "補助率（分子）", "rate_denominator": "補助率（分母）", "cap_amount": "上限額（円）",
    "deduct_income": "事業収入を控除する", "rounding_unit": "端数処理の単位（円）", "rounding_mode": "端数処理の方法",
    "max_project_years": "同一事業の補助の上限年数",
}


@dataclass(frozen=True)
class StepInput:
    """One repeat-year step as typed: from the ``from_year``-th year (何年目), rate as a fraction, cap in whole
    yen (None = no cap)."""

    from_year: int
    rate_numerator: int
    rate_denominator: int
    cap_amount: int | None = None


@dataclass(frozen=True)
class ExpenseInput:
    """The treatment of one 費目 as typed: ``treatment`` a ``Treatment`` value, or "" for no rule (the 費目 is then
    not eligible and not listed); ``condition`` for a conditional one, ``reason`` for an excluded one."""

    category_id: int
    treatment: str
    condition: str = ""
    reason: str = ""


def rule_locked_reason(year: ProgrammeYear) -> str | None:
    """Why the rule of ``year`` may no longer be changed (Japanese), or None: an application to a call of that
    year has been submitted (its amount was computed from the rule)."""
    if ProjectPlan.objects.filter(call__programme_year=year).exclude(case__status="draft").exists():
        return ("この年度の募集に提出された申請があるため、交付基準は変更できません"
                "（申請額はこの交付基準で計算されています）。")
    return None


def _lock_year(actor: User, call_id: int) -> tuple[Call, ProgrammeYear]:
    _require_staff(actor, "交付基準の変更")
    call = workflow.access(CALL, actor, call_id)
    year = (ProgrammeYear.objects.select_for_update(of=("self",)).select_related("programme")
            .get(pk=call.programme_year_id))
    reason = rule_locked_reason(year)
    if reason:
        raise CallError(reason)
    return call, year


def _positive(value: object, label: str, field: str, *, top: int, optional: bool = False) -> int | None:
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= top:
        raise CallError(f"{label}: 1〜{top:,}の整数で入力してください。", field=field)
    return value


def _clean_rule(values: Mapping[str, Any]) -> dict[str, Any]:
    data = {name: values.get(name) for name in RULE_FIELDS}
    num = _positive(data["rate_numerator"], "補助率（分子）", "rate_numerator", top=1000)
    den = _positive(data["rate_denominator"], "補助率（分母）", "rate_denominator", top=1000)
    if num is not None and den is not None and num > den:
        raise CallError("補助率（分子）: 分母以下にしてください（例: 2/3、10/10）。", field="rate_numerator")
    _positive(data["cap_amount"], "上限額（円）", "cap_amount", top=MAX_BUDGET, optional=True)
    if data["rounding_unit"] not in (1, 10, 100, 1000, 10000):
        raise CallError("端数処理の単位（円）: 1円・10円・100円・1,000円・10,000円から選んでください。",
                        field="rounding_unit")
    if data["rounding_mode"] not in RoundingMode.values:
        raise CallError("端数処理の方法: 切捨て・切上げ・四捨五入から選んでください。", field="rounding_mode")
    _positive(data["max_project_years"], "同一事業の補助の上限年数", "max_project_years", top=50, optional=True)
    data["deduct_income"] = bool(data["deduct_income"])
    return data


def _clean_steps(steps: Sequence[StepInput], limit: int | None) -> list[StepInput]:
    seen: set[int] = set()
    for number, step in enumerate(steps, start=1):
        where = f"年目ごとの補助率・上限額 {number}行目"
        _positive(step.from_year, f"{where}の適用する年目", "steps", top=50)
        if step.from_year in seen:
            raise CallError(f"{where}の適用する年目: {step.from_year}年目が2回あります。", field="steps")
        if limit is not None and step.from_year > limit:
            raise CallError(f"{where}の適用する年目: 同一事業の補助の上限年数（{limit}年）以内にしてください。",
                            field="steps")
        _positive(step.rate_numerator, f"{where}の補助率（分子）", "steps", top=1000)
        _positive(step.rate_denominator, f"{where}の補助率（分母）", "steps", top=1000)
        if step.rate_numerator > step.rate_denominator:
            raise CallError(f"{where}の補助率（分子）: 分母以下にしてください（例: 2/3）。", field="steps")
        _positive(step.cap_amount, f"{where}の上限額（円）", "steps", top=MAX_BUDGET, optional=True)
        seen.add(step.from_year)
    return sorted(steps, key=lambda s: s.from_year)


def _display(name: str, value: object) -> str:
    if value is None:
        return "なし"
    if isinstance(value, bool):
        return "する" if value else "しない"
    if name == "rounding_mode":
        return str(RoundingMode(str(value)).label)
    return f"{value:,}" if isinstance(value, int) else str(value)


def _step_text(step: StepInput | RepeatYearStep) -> str:
    cap = "上限なし" if step.cap_amount is None else f"上限{step.cap_amount:,}円"
    return f"{step.from_year}年目から {step.rate_numerator}/{step.rate_denominator}・{cap}"


def update_year_rule(*, actor: User, call_id: int, values: Mapping[str, Any],
                     steps: Sequence[StepInput]) -> ProgrammeYear:
    """Change the rule of call ``call_id``'s programme-year (COST basis: amount = min(eligible cost × rate,
    cap, eligible cost − income when ``deduct_income``), rounded to ``rounding_unit`` yen by ``rounding_mode``;
    GRANTS.md §4): ``values`` has the keys of ``RULE_FIELDS`` (cap whole yen or None, year limit or None), and
    ``steps`` replace its ``RepeatYearStep`` rows (rate and cap from the n-th year of the same project). Staff
    only; refused once an application to a call of that year has been submitted (``rule_locked_reason``). One
    transaction with one audit row naming what changed. ``CallError`` names the field."""
    data = _clean_rule(values)
    rows = _clean_steps(steps, data["max_project_years"])
    with transaction.atomic():
        _, year = _lock_year(actor, call_id)
        changes = [f"{RULE_FIELDS[n]} {_display(n, getattr(year, n))}→{_display(n, v)}"
                   for n, v in data.items() if getattr(year, n) != v]
        if year.amount_basis != AmountBasis.COST:
            changes.append("交付額の算定方法を「対象経費 × 補助率」に変更")
        for name, value in data.items():
            setattr(year, name, value)
        year.amount_basis = AmountBasis.COST
        year.save()
        before = [_step_text(s) for s in year.repeat_steps.order_by("from_year")]
        after = [_step_text(s) for s in rows]
        if before != after:
            year.repeat_steps.all().delete()
            RepeatYearStep.objects.bulk_create([RepeatYearStep(programme_year=year, **dataclasses.asdict(s))
                                                for s in rows])
            changes.append(f"年目ごとの補助率・上限額 {'、'.join(before) or 'なし'}→{'、'.join(after) or 'なし'}")
        if changes:
            record_event(actor=actor, subject=year, action="update_year_rule", note="、".join(changes))
    return year


def _expense_text(treatment: str, condition: str, reason: str) -> str:
    if not treatment:
        return "設定なし"
    label = str(Treatment(treatment).label)
    if treatment == Treatment.CONDITIONAL:
        return f"{label}（条件: {condition}）"
    if treatment == Treatment.EXCLUDED:
        return f"{label}（理由: {reason}）"
    return label


def update_expense_rules(*, actor: User, call_id: int, rules: Sequence[ExpenseInput]) -> ProgrammeYear:
    """Set how call ``call_id``'s programme-year treats each 費目 in ``rules`` (GRANTS.md §5): allowed, excluded
    with the reason shown to applicants, conditional with its condition, or no rule (the 費目 is not eligible).
    Staff only; refused once an application to a call of that year has been submitted. One transaction with one
    audit row listing each change. ``CallError`` names the 費目 and the field."""
    categories = {c.pk: c for c in ExpenseCategory.objects.all()}
    for rule in rules:
        category = categories.get(rule.category_id)
        if category is None:
            raise CallError("費目: 登録されていない費目が含まれています。画面を開き直してください。", field="rules")
        if rule.treatment and rule.treatment not in Treatment.values:
            raise CallError(f"{category.name}の取扱い: 選択肢から選んでください。", field="rules")
        if rule.treatment == Treatment.CONDITIONAL and not rule.condition.strip():
            raise CallError(f"{category.name}の条件: 条件付きで対象とするときは、対象となる条件を入力してください。",
                            field="rules")
        if rule.treatment == Treatment.EXCLUDED and not rule.reason.strip():
            raise CallError(f"{category.name}の対象外の理由: 対象外とするときは、申請者に示す理由を入力してください。",
                            field="rules")
        if len(rule.condition.strip()) > 200 or len(rule.reason.strip()) > 200:
            raise CallError(f"{category.name}の条件・理由: 200文字以内で入力してください。", field="rules")
    with transaction.atomic():
        _, year = _lock_year(actor, call_id)
        existing = {r.category_id: r for r in year.expense_rules.all()}
        changes = []
        for rule in rules:
            condition = rule.condition.strip() if rule.treatment == Treatment.CONDITIONAL else ""
            reason = rule.reason.strip() if rule.treatment == Treatment.EXCLUDED else ""
            old = existing.get(rule.category_id)
            before = _expense_text(old.treatment, old.condition, old.reason) if old else "設定なし"
            after = _expense_text(rule.treatment, condition, reason)
            if before == after:
                continue
            changes.append(f"{categories[rule.category_id].name}: {before}→{after}")
            if not rule.treatment:
                ExpenseRule.objects.filter(programme_year=year, category_id=rule.category_id).delete()
            else:
                ExpenseRule.objects.update_or_create(
                    programme_year=year, category_id=rule.category_id,
                    defaults={"treatment": rule.treatment, "condition": condition, "reason": reason})
        if changes:
            record_event(actor=actor, subject=year, action="update_expense_rules", note="、".join(changes))
    return year
