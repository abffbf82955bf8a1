"""Races on the version of a rule on PostgreSQL (SQLite has no row locks): two cases of one rule decided at the same
moment take one version between them, never two versions of the same rule, nor a database error."""
import datetime as dt

import pytest
from django.db import connection

from grants.cases import lifecycle
from grants.cases.models import GrantCase
from grants.programmes.models import ProgrammeYear, RuleVersion
from tests.concurrency import run_together
from tests.councils import builders
from tests.councils.steps import draft
from tests.factories import CURRENT_FY

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
]

ROUNDS = 3


def test_two_cases_of_one_rule_decided_at_once_share_one_new_version(katsudo, staff, approver,  # type: ignore[no-untyped-def]
                                                                      approver2) -> None:
    for round_no in range(1, ROUNDS + 1):
        cases = []
        for i in (1, 2):
            council = builders.council(name=f"協議会{round_no}-{i}", username=f"sec{round_no}-{i}")
            case, _, _ = draft(katsudo, council, staff)
            lifecycle.submit(case_id=case.pk, actor=council[1])
            lifecycle.verify(case_id=case.pk, actor=staff, assessed_amount=1_000_000,
                             completion_deadline=dt.date(CURRENT_FY + 1, 3, 31))
            cases.append(case)
        # the rule changed since the last decision: the next decision takes a new version
        ProgrammeYear.objects.filter(pk=katsudo.pk).update(rule_source=f"要綱 第{round_no}次改正")
        outcomes = run_together(lambda c=cases[0].pk: lifecycle.decide(case_id=c, actor=approver),
                                lambda c=cases[1].pk: lifecycle.decide(case_id=c, actor=approver2))
        assert all(isinstance(o, GrantCase) for o in outcomes), outcomes
        taken = {GrantCase.objects.get(pk=c.pk).rule_version_id for c in cases}
        assert len(taken) == 1 and None not in taken
        assert list(RuleVersion.objects.filter(programme_year=katsudo).values_list("number", flat=True)) == list(
            range(1, round_no + 1))
