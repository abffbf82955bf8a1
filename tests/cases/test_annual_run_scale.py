"""The annual run at scale (issue 16): large chunks, each its own transaction, a fixed number of queries a chunk,
the same cases whatever the chunk size and on either database, resumable after a failed chunk, and on PostgreSQL
a chunk's reads planned as index scans on tables without statistics."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from grants.cases import annual_run
from grants.cases.annual_run import advance_annual_run, chunk_plans, run_to_completion, start_annual_run
from grants.cases.models import AnnualRun, GrantCase
from grants.core.models import AuditEvent
from grants.organizations.models import CountSource, HouseholdCount, Organization
from tests import factories

pytestmark = pytest.mark.django_db

on_postgres = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner and COPY")


def _associations(n: int, years: list) -> list:  # type: ignore[type-arg]
    """``n`` associations, each with a count on every year's base date but every fourth (no count: no amount)."""
    orgs = factories.AssociationFactory.create_batch(n)
    for i, org in enumerate(orgs):
        if i % 4 != 3:
            for year in years:
                factories.count(org, year.base_date, 7 + 13 * i)
    return orgs


def _cases(year) -> list[tuple]:  # type: ignore[no-untyped-def, type-arg]
    """What a run made for ``year``, in code order: organisation, number, status, count, computation, amount, and
    the audit row of each."""
    cases = list(GrantCase.objects.filter(programme_year=year).order_by("organization__code"))
    audits = {e.object_id: (e.action, e.actor_id, e.to_state, e.note, e.from_state, e.machine)
              for e in AuditEvent.objects.filter(action="create", object_id__in=[c.pk for c in cases])}
    return [(c.organization_id, c.number, c.status, c.household_count, c.computation, c.computed_amount,
             c.paid_amount, c.refunded_amount, c.repeat_year, c.justification_computation, c.project_title,
             audits.get(c.pk)) for c in cases]


def test_small_and_large_chunks_make_the_same_cases_numbers_and_audit_rows(staff) -> None:  # type: ignore[no-untyped-def]
    first, second = factories.rule(fiscal_year=2031), factories.rule(fiscal_year=2032)
    _associations(11, [first, second])
    by_threes = start_annual_run(programme_year=first, actor=staff)
    while by_threes.status != "done":
        by_threes = advance_annual_run(run_id=by_threes.pk, actor=staff, chunk_size=3)
    at_once = run_to_completion(run_id=start_annual_run(programme_year=second, actor=staff).pk, actor=staff)
    assert (by_threes.created_count, by_threes.missing_count_count) == (11, 2)
    assert (at_once.created_count, at_once.missing_count_count) == (11, 2)
    made = _cases(first)
    assert made == _cases(second)
    assert [row[1] for row in made] == list(range(1, 12))  # numbered in code order, without a gap
    assert all(row[-1] == ("create", staff.pk, "draft", "年次一括作成", "", "") for row in made)
    assert [row[5] for row in made[:4]] == [10_000 + 7 * 500, 10_000 + 20 * 500, 10_000 + 33 * 500, None]


def test_a_failed_chunk_leaves_nothing_and_the_next_step_does_it_again(staff, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    year = factories.rule(fiscal_year=2031)
    orgs = _associations(7, [year])
    run = start_annual_run(programme_year=year, actor=staff)
    run = advance_annual_run(run_id=run.pk, actor=staff, chunk_size=3)
    real = annual_run.computed

    def fails_on_the_fifth(rule, inputs):  # type: ignore[no-untyped-def]
        if inputs.get("households") == 7 + 13 * 4:
            raise RuntimeError("the database went away")
        return real(rule, inputs)

    monkeypatch.setattr(annual_run, "computed", fails_on_the_fifth)
    monkeypatch.setattr(annual_run._Results, "kept", {})  # computed afresh, not taken from an earlier test
    with pytest.raises(RuntimeError):
        advance_annual_run(run_id=run.pk, actor=staff, chunk_size=3)
    run.refresh_from_db()
    assert (run.processed, run.created_count, run.last_code) == (3, 3, orgs[2].code)
    assert GrantCase.objects.count() == 3 and AuditEvent.objects.filter(action="create").count() == 3
    monkeypatch.setattr(annual_run, "computed", real)
    while run.status != "done":
        run = advance_annual_run(run_id=run.pk, actor=staff, chunk_size=3)
    assert (run.processed, run.created_count, run.existing_count) == (7, 7, 0)
    assert sorted(GrantCase.objects.values_list("number", flat=True)) == list(range(1, 8))
    assert AuditEvent.objects.filter(action="create").count() == 7


def test_a_rule_changed_between_two_chunks_computes_the_later_chunks_by_the_new_rule(staff) -> None:  # type: ignore[no-untyped-def]
    """The computations kept from one chunk to the next are kept under the rule's content, not its id."""
    year = factories.rule(fiscal_year=2031)
    orgs = factories.AssociationFactory.create_batch(4)
    for org in orgs:
        factories.count(org, year.base_date, 10)
    run = advance_annual_run(run_id=start_annual_run(programme_year=year, actor=staff).pk, actor=staff, chunk_size=2)
    year.components.filter(order=1).update(unit_amount=700)
    run_to_completion(run_id=run.pk, actor=staff)
    amounts = list(GrantCase.objects.order_by("organization__code").values_list("computed_amount", flat=True))
    assert amounts == [15_000, 15_000, 17_000, 17_000]


def test_an_interrupted_run_started_again_counts_the_cases_made_as_existing(staff) -> None:  # type: ignore[no-untyped-def]
    year = factories.rule(fiscal_year=2031)
    _associations(9, [year])
    first = start_annual_run(programme_year=year, actor=staff)
    advance_annual_run(run_id=first.pk, actor=staff, chunk_size=4)
    AnnualRun.objects.filter(pk=first.pk).update(status="done")  # given up halfway
    again = run_to_completion(run_id=start_annual_run(programme_year=year, actor=staff).pk, actor=staff)
    assert (again.created_count, again.existing_count, again.processed) == (5, 4, 9)
    assert sorted(GrantCase.objects.values_list("number", flat=True)) == list(range(1, 10))
    assert AuditEvent.objects.filter(action="create").count() == 9


def _queries_of_a_chunk(staff, fiscal_year: int, organisations: int) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    """(queries but the inserts, inserts) of one chunk holding ``organisations`` more associations."""
    year = factories.rule(fiscal_year=fiscal_year)
    _associations(organisations, [year])
    run = start_annual_run(programme_year=year, actor=staff)
    with CaptureQueriesContext(connection) as queries:  # in one chunk: the earlier calls' associations too
        run = advance_annual_run(run_id=run.pk, actor=staff, chunk_size=1000)
    assert run.status == "done" and run.created_count == run.total >= organisations
    inserts = sum(1 for q in queries if q["sql"].startswith("INSERT"))
    return len(queries) - inserts, inserts


def test_a_chunk_costs_the_same_queries_for_two_organisations_as_for_forty(staff) -> None:  # type: ignore[no-untyped-def]
    """On PostgreSQL the cases and audit rows go in by COPY (two statements, not counted here); SQLite's
    ``bulk_create`` needs one INSERT for every 999 values (about 20 cases)."""
    _queries_of_a_chunk(staff, 2030, 1)  # fills Django's caches (content types)
    few, few_inserts = _queries_of_a_chunk(staff, 2031, 2)
    many, many_inserts = _queries_of_a_chunk(staff, 2032, 40)
    assert few == many
    if connection.vendor == "postgresql":
        assert few_inserts == many_inserts == 1  # the run's finishing audit row; no INSERT of a case
    else:
        assert few_inserts < many_inserts <= 2 + 2 * (43 * 40 // 999 + 1)


@on_postgres
@pytest.mark.postgres
def test_a_chunks_reads_are_index_scans_on_tables_never_analysed(staff) -> None:  # type: ignore[no-untyped-def]
    """3,000 associations with counts and their cases (the planner, without statistics, sizes a table by its pages
    on disk: big enough here for it to weigh reading the year's cases against one lookup an organisation)."""
    year = factories.rule(fiscal_year=2031)
    first = factories.AssociationFactory()
    Organization.objects.bulk_create(Organization(kind=first.kind, code=f"S{i:06d}", name=f"団体{i}", area=first.area)
                                     for i in range(3000))
    orgs = list(Organization.objects.order_by("code"))
    HouseholdCount.objects.bulk_create(HouseholdCount(organization=org, base_date=year.base_date, households=9,
                                                      source=CountSource.REGISTER) for org in orgs)
    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(max(last_analyze), max(last_autoanalyze)) FROM pg_stat_user_tables "
                       "WHERE relname = 'organizations_organization'")
        assert cursor.fetchone()[0] is None  # a fresh table: what the planner knows is its size on disk
    run_to_completion(run_id=start_annual_run(programme_year=year, actor=staff).pk, actor=staff)
    plans = chunk_plans(year, orgs[1500].code, 5000)
    organisations = plans["organisations"]
    assert "Index Scan using organization_annual_run_chunk" in organisations, plans
    assert "Sort" not in organisations, plans
    # Whether each has a case: one lookup an organisation in the cases' unique index, never the year's cases.
    assert "SubPlan" in organisations and "using one_case_per_programme_year" in organisations, plans
    assert "(organization_id = organizations_organization.id)" in organisations, plans
    # The counts: index lookups of the chunk's ids, never every count on file.
    assert "Index Scan" in plans["household counts"], plans
    for plan in plans.values():
        assert not any(word in plan for word in ("Seq Scan", "Bitmap", "Hash", "Merge", "Materialize", "JIT")), plan


@on_postgres
@pytest.mark.postgres
def test_copy_writes_the_rows_bulk_create_writes(staff, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The COPY of PostgreSQL and ``bulk_create`` (SQLite) make the same cases, numbers and audit rows, a
    component's label with a backslash, a tab and a line end included (COPY's text format escapes them)."""
    copied, created = factories.rule(fiscal_year=2031), factories.rule(fiscal_year=2032)
    for year in (copied, created):
        year.components.filter(order=0).update(label="均等割\\基本\t（定額）\n")
    _associations(6, [copied, created])
    run_to_completion(run_id=start_annual_run(programme_year=copied, actor=staff).pk, actor=staff)
    monkeypatch.setattr(annual_run, "_copy_cases", annual_run._bulk_create_cases)
    run_to_completion(run_id=start_annual_run(programme_year=created, actor=staff).pk, actor=staff)
    made = _cases(copied)
    assert made == _cases(created)
    assert made[0][4]["lines"][0]["label"] == "均等割\\基本\t（定額）\n"
