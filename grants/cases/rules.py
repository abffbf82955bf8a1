"""The rule a case computes with (issue 12 §9): the version of the programme-year's rule it was decided under, once
decided; the rule as it stands before that.

Every computation after the decision (変更承認申請, 実績審査 and 額の確定, the case page's lines, the 概算払 plan,
the rates of a 返還命令) reads ``rule_for_case``, so editing a rule never changes a decided amount. The decision
records the version (``pin_rule_version``, in the decision's transaction); the admin asks ``CaseRuleUsers`` (registered
with ``grants.programmes.versions``) how many decided cases use the rule as it stands.
"""
from __future__ import annotations

from django.db.models import QuerySet

from grants.accounts.models import User
from grants.core.models import record_event
from grants.core.money import yen
from grants.programmes import versions
from grants.programmes.engine import load_rule
from grants.programmes.models import ProgrammeYear, RuleVersion

from .figures import computed, formula_inputs
from .models import GrantCase, Status
from .workflows import WORKFLOWS


def rule_for_case(case: GrantCase) -> ProgrammeYear:
    """The rule of ``case``: its decision's version rebuilt from the snapshot (``versions.rule_from_snapshot``: no
    query for its parts), or, for a case not decided or decided before versions were recorded, the stored rule
    with its parts prefetched (``engine.load_rule``). Use ``.all()`` on its parts."""
    if case.rule_version_id is None:
        return load_rule(case.programme_year_id)
    version = case.rule_version
    assert version is not None
    return versions.rule_from_snapshot(version.snapshot)


def rule_terms(case: GrantCase) -> ProgrammeYear:
    """The rule's own fields for ``case`` (deadlines, rates …) without reading its parts: the decision's version
    rebuilt from its snapshot, else ``case.programme_year`` itself. No query when ``rule_version`` and
    ``programme_year`` are selected with the case."""
    version = case.rule_version if case.rule_version_id is not None else None
    return versions.rule_from_snapshot(version.snapshot) if version is not None else case.programme_year


def pin_rule_version(case: GrantCase, actor: User | None) -> RuleVersion:
    """Record on ``case`` (no save) the version of its rule it is decided under: the current version, or a new one
    taken from the rule as it stands. Call inside the decision's transaction."""
    version = versions.version_for_decision(case.programme_year_id, actor=actor)
    case.rule_version = version
    return version


def applied_version_label(case: GrantCase) -> str:
    """「第1版（令和8年4月1日）」 for a case decided under a rule that has more than one version, else ""."""
    version = case.rule_version
    if version is None or not RuleVersion.objects.filter(programme_year_id=case.programme_year_id,
                                                         number__gt=1).exists():
        return ""
    return versions.version_label(version)


# A case of a formula flow follows the rule as it stands until its decision.
UNDECIDED = (Status.DRAFT, Status.SUBMITTED, Status.VERIFIED)


def _decided_states() -> set[str]:
    return {state for flow in WORKFLOWS.values() for state in flow.decided}


class CaseRuleUsers:
    """The decided grant cases of a rule, for ``grants.programmes.versions``."""

    def _decided(self, programme_year: ProgrammeYear) -> QuerySet[GrantCase]:
        return GrantCase.objects.filter(programme_year=programme_year, status__in=_decided_states())

    def decided_count(self, programme_year: ProgrammeYear, version: RuleVersion | None) -> int:
        if version is None:
            return self._decided(programme_year).filter(rule_version__isnull=True).count()
        return GrantCase.objects.filter(programme_year=programme_year, rule_version=version).count()

    def adopt(self, programme_year: ProgrammeYear, version: RuleVersion) -> int:
        return self._decided(programme_year).filter(rule_version__isnull=True).update(rule_version=version)

    def revised(self, programme_year: ProgrammeYear, actor: User | None) -> int:
        """The cases of a formula flow not yet decided (申請前, 申請済, 審査済) computed again from their counts and
        figures with the rule as it stands, each change on the case's history; the number changed. A cost-based
        case is computed at its 審査 and its decision (``lifecycle``), so nothing is stored to bring up to date."""
        if not WORKFLOWS[programme_year.programme.workflow].takes_count:
            return 0
        rule = load_rule(programme_year.pk)
        cases = list(GrantCase.objects.filter(programme_year=programme_year, status__in=UNDECIDED))
        on_file = formula_inputs(rule, sorted({case.organization_id for case in cases}))
        changed: list[GrantCase] = []
        for case in cases:
            inputs = dict(on_file.get(case.organization_id, {}))
            inputs.pop("households", None)
            if case.household_count is not None:
                inputs["households"] = case.household_count
            result = computed(rule, inputs)
            amount = None if result is None else result.amount
            if amount == case.computed_amount:
                continue
            changed.append(case)
            record_event(actor=actor, subject=case, action="recompute_rule_revised",
                         note=f"交付基準の改正により算定額を計算し直しました（{yen(case.computed_amount)} → "
                              f"{yen(amount)}）。")
            case.computation = {} if result is None else result.as_json()
            case.computed_amount = amount
        GrantCase.objects.bulk_update(changed, ["computation", "computed_amount"])
        return len(changed)


versions.register_users(CaseRuleUsers())
