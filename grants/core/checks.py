"""Eligibility checks as plug-ins (GRANTS.md §5): a programme enables the check providers it needs, by code,
as data (``Programme.checks``); each provider judges the organisation and, where the application has budget
lines, each line, with a reason in Japanese that the applicant can follow.

The providers are registered at start-up by the layers that know what they check (the case's own checks in
``grants.cases.checks``, the 地域づくり計画's in ``grants.councils.checks``); this registry only names them,
so that the programme's admin form can offer them without importing those layers.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

# (code, passed, reason): one judgment of one check; the reason is empty when it passed.
Judgment = tuple[str, bool, str]


@dataclass(frozen=True)
class CheckResult:
    """One check of a case as shown to staff and the applicant: its code (``plan_item@b12`` for budget line 12),
    its label, whether it passed, the reason when it did not, and the override that passes it, if any."""

    code: str
    label: str
    passed: bool
    reason: str = ""
    override: Any = None

    @property
    def ok(self) -> bool:
        return self.passed or self.override is not None


class CheckProvider:
    """A set of checks a programme may enable. ``checks`` maps each check code to its label and ``rank`` orders
    the results (organisation checks below 100, line checks from 100). The hooks let a provider keep what a
    judgment relied on: ``assessed`` when staff assess the application, ``before_decision`` to refuse a
    decision whose basis changed since, ``change_approved`` when a change becomes the decision."""

    code = ""
    label = ""
    checks: dict[str, str] = {}
    rank: dict[str, int] = {}

    def organisation(self, case: Any, stage: Any) -> Iterable[Judgment]:
        return ()

    def line(self, case: Any, line: Any, stage: Any) -> Iterable[Judgment]:
        return ()

    def assessed(self, case: Any) -> None:
        """Called when staff assess the application (審査), inside that act."""

    def before_decision(self, case: Any) -> str | None:
        """Why the case may not be decided now (Japanese), or None."""
        return None

    def change_approved(self, case: Any) -> None:
        """Called when a 変更承認申請 becomes the decision, inside that act."""


PROVIDERS: dict[str, CheckProvider] = {}


def register(provider: CheckProvider) -> CheckProvider:
    known = PROVIDERS.get(provider.code)
    if known is not None and type(known) is not type(provider):
        raise ValueError(f"check provider {provider.code!r} registered twice")
    PROVIDERS[provider.code] = provider
    return provider


def provider_choices() -> list[tuple[str, str]]:
    """The providers a programme may enable, for its admin form."""
    return [(code, provider.label) for code, provider in PROVIDERS.items()]


def labels() -> dict[str, str]:
    """Every check code of every provider, with its label."""
    return {code: label for provider in PROVIDERS.values() for code, label in provider.checks.items()}
