"""The annual run (grants/cases/annual_run.py) of a council programme: drafts without household counts."""


def test_regression_annual_run_of_a_council_programme_makes_drafts_without_counts(world):  # type: ignore[no-untyped-def]
    from grants.cases.annual_run import run_to_completion, start_annual_run
    from grants.cases.models import GrantCase
    from tests import factories

    factories.count(world.org, world.py.base_date, 999)  # a stray count must not be used
    run = start_annual_run(programme_year=world.py, actor=world.staff, counts=None, source="")
    run_to_completion(run_id=run.pk, actor=world.staff)
    case = GrantCase.objects.get(programme_year=world.py, organization=world.org)
    assert case.status == "draft" and case.household_count is None and case.computed_amount is None
