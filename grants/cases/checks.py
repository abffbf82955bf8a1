"""Eligibility checks of a case (GRANTS.md §5), from the check providers its programme enables
(``Programme.checks``; the registry is ``grants.core.checks``).

The providers of this module judge what any programme may ask of a case: the organisation (active, its head,
its account), its kind, the household count on the base date, no second payment in a year, and each expense
line of a 収支予算書 or 収支決算書 (費目 allowed or its condition confirmed, no excluded purpose, dated inside the
grant period and not before the decision). The 地域づくり計画's providers are in ``grants.councils.checks``.

Each failed check says why in words an applicant can follow. Staff may override a failed check with a written
justification (``EligibilityOverride``); in a workflow whose overrides need approval it counts once a second
person approved it. Line checks carry the line in their code (``category@b12`` for budget line 12, ``…@r7``
for report line 7), so an override applies to that line only.
"""
from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from grants.core import checks as registry
from grants.core.checks import CheckProvider, CheckResult, Judgment
from grants.core.fiscal import fiscal_year_bounds, wareki
from grants.ledger.models import EntryKind, LedgerEntry
from grants.organizations.models import OrganizationKind
from grants.programmes.models import ExpenseRule, Treatment

from .budget import current_lines
from .models import ChangeRequest, EligibilityOverride, GrantCase, LineFields, LineKind, PerformanceReport
from .rules import rule_for_case
from .workflows import workflow_of

__all__ = ["CheckResult", "Stage", "stage_of", "run_checks", "eligible_lines", "excluded_lines", "review_refusals",
           "check_labels"]


@dataclass
class Stage:
    """What the checks judge: ``name`` (``application``, ``change``, ``report`` or ``decided``), the ``lines``
    (None for a workflow without budget lines), their code ``prefix`` (``b`` budget, ``r`` report), the case
    as judged (``judged``: with a pending change's new completion deadline) and the pending change, if any."""

    name: str
    judged: GrantCase
    lines: Sequence[LineFields] | None = None
    prefix: str = "b"
    change: ChangeRequest | None = None
    memo: dict[str, Any] = field(default_factory=dict)


def as_changed(case: GrantCase, change: ChangeRequest) -> GrantCase:
    """``case`` as a pending 変更承認申請 would leave it, for judging the change's lines: with the changed
    completion deadline when the change asks for one (an unsaved copy; ``case`` itself is not touched)."""
    if not change.new_completion_deadline:
        return case
    judged = copy.copy(case)
    judged.completion_deadline = change.new_completion_deadline
    return judged


LINE_RELATED = ("category", "plan_item", "purpose", "staff")


def stage_of(case: GrantCase, name: str | None = None) -> Stage:
    """The stage ``case`` is judged at now (its workflow's ``check_stage`` for its state), or at ``name``."""
    flow = workflow_of(case)
    name = name or flow.stage(case.status)
    if not flow.budget_lines:
        return Stage(name, case)
    if name == "report":
        report = PerformanceReport.objects.filter(case=case).first()
        lines: Sequence[LineFields] = list(report.lines.select_related(*LINE_RELATED)) if report is not None else []
        return Stage(name, case, lines, "r")
    if name == "change":
        change = case.change_requests.filter(status="pending").first()
        if change is not None:
            lines = list(change.lines.select_related(*LINE_RELATED))
            return Stage(name, as_changed(case, change), lines, "b", change)
        name = "decided"
    return Stage(name, case, current_lines(case), "b")


def _providers(case: GrantCase) -> list[CheckProvider]:
    return [registry.PROVIDERS[code] for code in case.programme_year.programme.checks or []
            if code in registry.PROVIDERS]


def _rank(provider: CheckProvider, code: str) -> int:
    return provider.rank.get(code, 500)


def counting_overrides(case: GrantCase) -> dict[str, EligibilityOverride]:
    """The overrides that count: every one in a workflow whose overrides need no approval, else those approved
    by a second person."""
    overrides = case.overrides.select_related("actor", "approved_by")
    if workflow_of(case).overrides_need_approval:
        overrides = overrides.filter(approved_by__isnull=False)
    return {o.check_code: o for o in overrides}


def _line_results(case: GrantCase, stage: Stage, providers: Sequence[CheckProvider],
                  overrides: dict[str, EligibilityOverride]) -> list[CheckResult]:
    results: list[CheckResult] = []
    for line in stage.lines or []:
        if line.kind != LineKind.EXPENSE:
            continue
        judged: list[tuple[int, Judgment, CheckProvider]] = []
        for provider in providers:
            judged += [(_rank(provider, j[0]), j, provider) for j in provider.line(stage.judged, line, stage)]
        for _, (code, passed, reason), provider in sorted(judged, key=lambda item: item[0]):
            full = f"{code}@{stage.prefix}{line.pk}"
            label = f"{provider.checks[code]}（{line.description}）"
            results.append(CheckResult(full, label, passed, "" if passed else reason, overrides.get(full)))
    return results


def run_checks(case: GrantCase, stage: Stage | None = None) -> list[CheckResult]:
    """Every check of ``case`` at ``stage`` (default: the stage of its state): the organisation's, then each
    expense line's, from the providers its programme enables; each result with the override that counts."""
    stage = stage or stage_of(case)
    providers = _providers(case)
    overrides = counting_overrides(case)
    judged: list[tuple[int, Judgment, CheckProvider]] = []
    for provider in providers:
        judged += [(_rank(provider, j[0]), j, provider) for j in provider.organisation(stage.judged, stage)]
    results = [CheckResult(code, provider.checks[code], passed, "" if passed else reason, overrides.get(code))
               for _, (code, passed, reason), provider in sorted(judged, key=lambda item: item[0])]
    return results + _line_results(case, stage, providers, overrides)


def excluded_lines(case: GrantCase, stage: Stage) -> dict[int, list[str]]:
    """The expense lines of ``stage`` left out of the eligible cost (補助対象経費), by line id, each with the reasons
    of its checks that failed without an override that counts."""
    results = _line_results(case, stage, _providers(case), counting_overrides(case))
    left_out: dict[int, list[str]] = {}
    for result in results:
        if not result.ok:
            left_out.setdefault(int(result.code.split("@", 1)[1][len(stage.prefix):]), []).append(result.reason)
    return left_out


def eligible_lines(case: GrantCase, stage: Stage) -> list[LineFields]:
    """The lines of ``stage`` that count: the income lines (deducted where the rule says so) and the expense
    lines whose every check passed or was overridden (with approval where the workflow asks for it)."""
    left_out = excluded_lines(case, stage)
    return [line for line in stage.lines or [] if line.kind == LineKind.INCOME or line.pk not in left_out]


def is_line_check(result: CheckResult) -> bool:
    """A check of one line (``category@b12``), not of the organisation."""
    return "@" in result.code


def lines_stop_review(case: GrantCase) -> bool:
    """Whether the case's programme says an ineligible line stops the review (its providers include
    ``IneligibleLineStopsReview``); by default such a line is left out of the eligible cost and the review goes on."""
    return IneligibleLineStopsReview.code in (case.programme_year.programme.checks or [])


def review_refusals(case: GrantCase, results: Sequence[CheckResult]) -> list[str]:
    """Why ``results`` stop a review (審査, 変更の審査, 実績審査), in words: an organisation's check failed; a check
    waits for the approval of its override, named (「対象外経費の特例「…」の承認待ちです。」); a line's check failed
    where the programme says an ineligible line stops the review. A line that simply fails is left out
    (``excluded_lines``)."""
    pending = set(case.overrides.filter(approved_by__isnull=True).values_list("check_code", flat=True))
    strict = lines_stop_review(case)
    refusals: list[str] = []
    for result in results:
        if result.ok:
            continue
        if result.code in pending:
            what = "対象外経費の特例" if is_line_check(result) else "特例判断"
            refusals.append(f"{what}「{result.label}」の承認待ちです。")
        elif strict or not is_line_check(result):
            refusals.append(result.reason)
    return refusals


def check_labels(case: GrantCase) -> dict[str, str]:
    """The labels of the checks the case's programme enables, by code (a line's code without its ``@…``)."""
    return {code: label for provider in _providers(case) for code, label in provider.checks.items()}


def base_code(check_code: str) -> str:
    return check_code.split("@", 1)[0]


def override_label(case: GrantCase, check_code: str, results: Sequence[CheckResult] | None = None) -> str:
    """What an override passes, in words for the page and the history: the check's label with its line's
    description while the check is judged (``results``, default: the checks of the case's stage), else the
    check's general label. Never the internal code (``category@b12``)."""
    for result in run_checks(case) if results is None else results:
        if result.code == check_code:
            return result.label
    return check_labels(case).get(base_code(check_code), "確認項目")


def before_decision(case: GrantCase) -> str | None:
    """Why a provider refuses the decision now (its basis changed since the assessment), or None."""
    for provider in _providers(case):
        reason = provider.before_decision(case)
        if reason:
            return reason
    return None


def assessed(case: GrantCase) -> None:
    for provider in _providers(case):
        provider.assessed(case)


def change_approved(case: GrantCase) -> None:
    for provider in _providers(case):
        provider.change_approved(case)


# -- the providers every programme may use ---------------------------------------------------------------------

class Organisation(CheckProvider):
    code, label = "organization", "団体の状況（活動中・代表者・振込先口座）"
    checks = {"organization_active": "団体が活動中であること", "representative": "代表者が登録されていること",
              "bank_account": "振込先口座が登録されていること"}
    rank = {"organization_active": 10, "representative": 30, "bank_account": 40}

    def organisation(self, case: GrantCase, stage: Stage) -> Iterable[Judgment]:
        org = case.organization
        yield ("organization_active", org.is_active,
               "この団体は活動中として登録されていません。団体の状況を確認してください。")
        yield ("representative", org.current_representative() is not None,
               "現在の代表者（会長）が登録されていません。代表者の届出を確認してください。")
        yield ("bank_account", org.current_bank_account() is not None,
               "振込先の口座が登録されていません。通帳の写しをもとに口座を登録してください。")


def _kind_label(kind: str) -> str:
    return OrganizationKind(kind).label if kind in OrganizationKind.values else kind


class RecipientKind(CheckProvider):
    code, label = "recipient_kind", "交付対象の団体の種別"
    checks = {"organization_kind": "交付対象の団体であること"}
    rank = {"organization_kind": 20}

    def organisation(self, case: GrantCase, stage: Stage) -> Iterable[Judgment]:
        org, programme = case.organization, case.programme_year.programme
        yield ("organization_kind", org.kind == programme.recipient_kind,
               f"この交付金は「{_kind_label(programme.recipient_kind)}」が対象です。"
               f"この団体の種別は「{org.get_kind_display()}」です。")


class HouseholdCountCheck(CheckProvider):
    code, label = "household_count", "基準日の世帯数の届出"
    checks = {"household_count": "基準日の世帯数があること"}
    rank = {"household_count": 50}

    def organisation(self, case: GrantCase, stage: Stage) -> Iterable[Judgment]:
        day = wareki(case.programme_year.base_date)
        yield ("household_count", case.household_count is not None,
               f"基準日（{day}）時点の世帯数が届け出られていません。")


class NotAlreadyPaid(CheckProvider):
    code, label = "not_already_paid", "同じ年度の二重の支払の防止"
    checks = {"not_already_paid": "今年度まだ支払を受けていないこと"}
    rank = {"not_already_paid": 60}

    def organisation(self, case: GrantCase, stage: Stage) -> Iterable[Judgment]:
        paid = (
            LedgerEntry.objects.filter(account__programme_year=case.programme_year,
                                       case__organization=case.organization, kind=EntryKind.PAYMENT,
                                       reversed_by__isnull=True)
            .exclude(case=case).exists()
        )
        year = case.programme_year.fiscal_year_label
        yield ("not_already_paid", not paid,
               f"この団体には{year}の本交付金がすでに支払われています。二重の支払はできません。")


def grant_period(case: GrantCase) -> tuple[dt.date, dt.date]:
    """The period whose costs the grant may pay: the 年度, narrowed to the project's start and completion
    deadline (or planned end) when they are set."""
    start, end = fiscal_year_bounds(case.programme_year.fiscal_year)
    if case.project_start:
        start = max(start, case.project_start)
    last = case.completion_deadline or case.project_end
    if last:
        end = min(end, last)
    return start, end


def decision_reference(case: GrantCase) -> tuple[dt.date, str]:
    """The day before which costs are not eligible, and its name: the decision date once decided, else the
    day of application (today while still a draft)."""
    if case.decided_on:
        return case.decided_on, "交付決定日"
    if case.submitted_at:
        return timezone.localtime(case.submitted_at).date(), "申請日"
    return timezone.localdate(), "申請日（本日）"


class ExpenseLines(CheckProvider):
    """Each expense line: its 費目 treated by the year's rule, its purpose, its date in the grant period and not
    before the decision (unless the year's rule allows costs from the start of the 年度)."""

    code, label = "expense_lines", "経費の明細（費目・目的・対象期間・交付決定前の経費）"
    checks = {"category": "対象となる費目であること", "purpose": "対象外の目的の活動でないこと",
              "period": "交付の対象期間内の経費であること", "before_decision": "交付決定より前の経費でないこと"}
    rank = {"category": 130, "purpose": 140, "period": 150, "before_decision": 160}

    def line(self, case: GrantCase, line: LineFields, stage: Stage) -> Iterable[Judgment]:
        if "rules" not in stage.memo:
            rule = rule_for_case(case)  # a decided case's 費目 are judged by the version it was decided under
            stage.memo["rules"] = {r.category_id: r for r in rule.expense_rules.all()}
            stage.memo["costs_before_decision"] = rule.allow_costs_before_decision
            stage.memo["purposes"] = {p.pk: p for p in rule.purposes.all()}
        yield self._category(line, stage.memo["rules"])
        # The purpose as the case's rule states it (a purpose excluded after the decision does not change it).
        purpose = stage.memo["purposes"].get(line.purpose_id, line.purpose) if line.purpose_id else None
        if purpose is not None and purpose.excluded:
            yield ("purpose", False, f"目的「{purpose.name}」の活動は対象外です（{purpose.reason}）。")
        else:
            yield ("purpose", True, "")
        start, end = grant_period(case)
        if line.spent_on is None:
            yield ("period", False, "支出（予定）日が入力されていません。")
        elif not start <= line.spent_on <= end:
            yield ("period", False, f"支出（予定）日 {wareki(line.spent_on)} が、対象期間（{wareki(start)}〜"
                                    f"{wareki(end)}）の外です。")
        else:
            yield ("period", True, "")
        if not stage.memo["costs_before_decision"] and line.spent_on is not None:
            reference, what = decision_reference(case)
            yield ("before_decision", line.spent_on >= reference,
                   f"支出（予定）日 {wareki(line.spent_on)} は{what}（{wareki(reference)}）より前です。"
                   "交付決定前の経費は対象になりません。")

    @staticmethod
    def _category(line: LineFields, rules: dict[int, ExpenseRule]) -> Judgment:
        rule = rules.get(line.category_id) if line.category_id else None
        name = line.category.name if line.category is not None else "（費目なし）"
        if rule is None:
            return ("category", False, f"「{name}」はこの交付金の対象となる費目として定められていません。")
        if rule.treatment == Treatment.EXCLUDED:
            why = f"（{rule.reason}）" if rule.reason else ""
            return ("category", False, f"「{name}」はこの交付金の対象外の費目です{why}。")
        if rule.treatment == Treatment.CONDITIONAL and not line.condition_confirmed:
            return ("category", False, f"「{name}」は条件付きで対象になる費目です。条件：{rule.condition}。"
                                       "条件を満たす場合は、明細の確認欄に印を付けてください。")
        return ("category", True, "")


class IneligibleLineStopsReview(CheckProvider):
    """For a programme whose 要綱 says an ineligible expense line stops the review (the application is returned
    rather than assessed without the line): enabled among the programme's checks, it judges nothing itself."""

    code, label = "ineligible_line_stops_review", "対象外の明細があれば審査を止める（明細を除いて審査しない事業）"


for _provider in (Organisation(), RecipientKind(), HouseholdCountCheck(), NotAlreadyPaid(), ExpenseLines(),
                  IneligibleLineStopsReview()):
    registry.register(_provider)
