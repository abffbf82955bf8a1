"""The annual run raced on PostgreSQL (row locks): two starts of one programme-year at once open one run."""
import pytest
from django.db import connection

from grants.cases.annual_run import advance_annual_run, start_annual_run
from grants.cases.models import AnnualRun, GrantCase
from grants.cases.workflows import CaseActionError
from tests import factories
from tests.concurrency import run_together

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != 'postgresql', reason='row locks need PostgreSQL'),
]


def test_two_starts_of_one_year_at_once_open_one_run(staff) -> None:  # type: ignore[no-untyped-def]
    """Two staff start the annual run of one programme-year at the same moment: the programme-year row lock
    lets one run open and the other is refused (a run's counts are those on file when it starts)."""
    for attempt in range(5):
        py = factories.programme_year_with_budget(budget=1_000_000, fiscal_year=2030 + attempt)
        for org in factories.AssociationFactory.create_batch(20):
            factories.count(org, py.base_date, 10)
        outcomes = run_together(lambda p=py: start_annual_run(programme_year=p, actor=staff),
                                lambda p=py: start_annual_run(programme_year=p, actor=staff))
        assert sum(isinstance(o, AnnualRun) for o in outcomes) == 1, outcomes
        assert sum(isinstance(o, CaseActionError) for o in outcomes) == 1, outcomes
        run = AnnualRun.objects.get(programme_year=py)
        outcomes = run_together(lambda r=run: advance_annual_run(run_id=r.pk, actor=staff, chunk_size=7),
                                lambda r=run: advance_annual_run(run_id=r.pk, actor=staff, chunk_size=7))
        assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
        assert GrantCase.objects.filter(programme_year=py).count() == 14
