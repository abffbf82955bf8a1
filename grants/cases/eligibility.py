"""Eligibility checks of a 自治会等自治振興交付金 case (GRANTS.md §5).

Each check says, in words a 自治会長 can follow, why it failed. Staff may pass a failed check with a recorded
justification (``EligibilityOverride``); a case is verified only when every check passed or was overridden.
"""
from collections.abc import Callable
from dataclasses import dataclass

from grants.core.fiscal import wareki
from grants.ledger.models import EntryKind, LedgerEntry

from .models import EligibilityOverride, GrantCase


@dataclass(frozen=True)
class CheckResult:
    code: str
    label: str
    passed: bool
    reason: str = ""
    override: EligibilityOverride | None = None

    @property
    def ok(self) -> bool:
        return self.passed or self.override is not None


def _active(case: GrantCase) -> tuple[bool, str]:
    return case.organization.is_active, "この団体は活動中として登録されていません。団体の状況を確認してください。"


def _representative(case: GrantCase) -> tuple[bool, str]:
    ok = case.organization.current_representative() is not None
    return ok, "現在の代表者（会長）が登録されていません。代表者の届出を確認してください。"


def _bank_account(case: GrantCase) -> tuple[bool, str]:
    ok = case.organization.current_bank_account() is not None
    return ok, "振込先の口座が登録されていません。通帳の写しをもとに口座を登録してください。"


def _count(case: GrantCase) -> tuple[bool, str]:
    day = wareki(case.programme_year.base_date)
    return case.household_count is not None, f"基準日（{day}）時点の世帯数が届け出られていません。"


def _not_already_paid(case: GrantCase) -> tuple[bool, str]:
    paid = (
        LedgerEntry.objects.filter(
            account__programme_year=case.programme_year,
            case__organization=case.organization,
            kind=EntryKind.PAYMENT,
            reversed_by__isnull=True,
        )
        .exclude(case=case)
        .exists()
    )
    year = case.programme_year.fiscal_year_label
    return not paid, f"この団体には{year}の本交付金がすでに支払われています。二重の支払はできません。"


CHECKS: list[tuple[str, str, Callable[[GrantCase], tuple[bool, str]]]] = [
    ("organization_active", "団体が活動中であること", _active),
    ("representative", "代表者が登録されていること", _representative),
    ("bank_account", "振込先口座が登録されていること", _bank_account),
    ("household_count", "基準日の世帯数があること", _count),
    ("not_already_paid", "今年度まだ支払を受けていないこと", _not_already_paid),
]
CHECK_LABELS = {code: label for code, label, _ in CHECKS}


def run_checks(case: GrantCase) -> list[CheckResult]:
    """Run every check on ``case``; each result carries its override, if staff recorded one. Cases of the full
    lifecycle are judged by ``grants.councils.checks`` (the application's lines, or the change request's or the
    実績報告's lines while those are being examined)."""
    if case.programme_year.programme.lifecycle == "full":
        from grants.councils.checks import checks_for_stage

        return checks_for_stage(case)
    overrides = {o.check_code: o for o in case.overrides.select_related("actor")}
    results = []
    for code, label, check in CHECKS:
        passed, reason = check(case)
        results.append(CheckResult(code, label, passed, "" if passed else reason, overrides.get(code)))
    return results
