"""Ledger rows for the list tests: programme-years with their budget accounts, each with cases of their own
organisations, and entries inserted directly (the ledger's triggers refuse only UPDATE and DELETE)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from grants.accounts.models import Role
from grants.cases.models import GrantCase
from grants.ledger.models import BudgetAccount, EntryKind, LedgerEntry
from grants.programmes.models import ProgrammeYear
from tests import factories


@dataclass
class Year:
    programme_year: ProgrammeYear
    account: BudgetAccount
    cases: list[GrantCase]


def years(count: int, *, cases: int = 2, entries_per_case: int = 2) -> list[Year]:
    """``count`` programme-years (令和6年度 onward, one programme each), each with a 予算 entry dated 4月1日 and,
    for each of its ``cases`` cases, ``entries_per_case`` entries alternating 交付決定 and 支出 of 1,000円 …,
    dated one day apart from 5月1日."""
    actor = factories.UserFactory(username="ledger-officer", role=Role.FINANCE, display_name="会計 太郎")
    made, first = [], ProgrammeYear.objects.count()
    for n in range(first, first + count):
        fy = 2024 + n % 3
        py = factories.rule(fiscal_year=fy, code=f"prog{n}")
        account = BudgetAccount.objects.create(programme_year=py)
        year_cases = [GrantCase.objects.create(programme_year=py, organization=factories.AssociationFactory())
                      for _ in range(cases)]
        rows = [LedgerEntry(account=account, kind=EntryKind.BUDGET, amount=10**9, entry_date=dt.date(fy, 4, 1),
                            actor=actor, note="当初予算")]
        day = 0
        for case in year_cases:
            for k in range(entries_per_case):
                kind = EntryKind.COMMITMENT if k % 2 == 0 else EntryKind.PAYMENT
                rows.append(LedgerEntry(account=account, case=case, kind=kind, amount=1_000 * (k + 1),
                                        entry_date=dt.date(fy, 5, 1) + dt.timedelta(days=day), actor=actor,
                                        note=f"{kind.label} {case.organization.name}"))
                day += 1
        LedgerEntry.objects.bulk_create(rows)
        made.append(Year(py, account, year_cases))
    return made
