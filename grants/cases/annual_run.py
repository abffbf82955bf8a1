"""The annual run (年次一括作成): one case per association for a programme-year, in chunks with progress.

``start_annual_run`` fixes the counts (imported file or counts on file) in one transaction and opens a run;
``advance_annual_run`` creates the next chunk of cases (``CHUNK_SIZE`` organisations, one transaction each, in a
fixed number of queries whatever its size). Both are safe to repeat: an organisation that already has a case for
the programme-year is counted as existing and nothing is created twice; a chunk that fails leaves nothing and is
done again by the next step. Creating a case posts nothing to the ledger (the commitment is the decision's).

At national size (300,000 associations, issue 16): each chunk's reads are index scans of its keys whatever the
tables' statistics (``by_index``); on PostgreSQL the cases and their audit rows go in by COPY, numbered as
``bulk_create`` numbers them; equal inputs are computed once (``_Results``). ``bench/bench_annual_run.py``.
"""
import datetime as dt
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import Exists, JSONField, Model, OuterRef, QuerySet

from grants.accounts.models import Role, User
from grants.core import workflow
from grants.core.models import AuditEvent, record_event
from grants.organizations.models import CountSource, HouseholdCount, Measure, Organization, OrganizationFigure
from grants.programmes.engine import load_rule
from grants.programmes.models import ProgrammeYear

from .figures import FigureInputs, computed, counts_query, formula_inputs
from .machines import ANNUAL_RUN
from .models import AnnualRun, GrantCase, RunStatus, _take_numbers
from .workflows import WORKFLOWS, CaseActionError

# Organisations a step: a step of the page answers within a second or two at this size, and 300,000 associations
# take 60 steps, each its own transaction.
CHUNK_SIZE = 5000
AUDIT_NOTE = "年次一括作成"


def eligible_organizations(programme_year: ProgrammeYear) -> QuerySet[Organization]:
    """Active organisations of the kind the programme funds, in code order."""
    return Organization.objects.filter(kind=programme_year.programme.recipient_kind, is_active=True).order_by("code")


def start_annual_run(
    *, programme_year: ProgrammeYear, actor: User, counts: dict[str, int] | None = None, source: str = "",
    figures: dict[str, dict[str, Decimal]] | None = None,
) -> AnnualRun:
    """Open a run. ``counts`` ({団体コード: 世帯数}) and ``figures`` ({団体コード: {項目コード: 値}}, e.g. 人口,
    面積 in km²), already validated (``imports.parse_household_counts``), are recorded as imported on the rule's
    base date; without them the counts and figures on file are used. Staff only; raises ``CaseActionError``."""
    if actor.role != Role.STAFF:
        raise CaseActionError("年次一括作成は協働推進課の担当者のみが実行できます。")
    orgs = eligible_organizations(programme_year)
    with transaction.atomic():
        # Lock the programme-year so that two runs cannot start at once, and refuse one while another is open:
        # a run's counts are those on file when it starts.
        ProgrammeYear.objects.select_for_update().get(pk=programme_year.pk)
        if AnnualRun.objects.filter(programme_year=programme_year, status=RunStatus.RUNNING).exists():
            raise CaseActionError(
                "この事業・年度の一括作成が処理中です。処理中の一括作成を完了させてから実行してください。"
            )
        if counts:
            ids = dict(orgs.filter(code__in=counts).values_list("code", "pk"))
            HouseholdCount.objects.bulk_create(
                HouseholdCount(organization_id=ids[code], base_date=programme_year.base_date, households=n,
                               source=CountSource.IMPORT, recorded_by=actor)
                for code, n in counts.items() if code in ids
            )
        if figures:
            _record_figures(programme_year, orgs, figures, actor)
        run = AnnualRun.objects.create(
            programme_year=programme_year, started_by=actor, total=orgs.count(),
            counts_source=source or "登録済みの世帯数",
        )
        record_event(actor=actor, subject=run, action="start_annual_run", note=run.counts_source)
    return run


def _record_figures(programme_year: ProgrammeYear, orgs: QuerySet[Organization],
                    figures: dict[str, dict[str, Decimal]], actor: User) -> None:
    """The imported figures, as new rows on the rule's base date (the rows on file stay as history)."""
    ids = dict(orgs.filter(code__in=figures).values_list("code", "pk"))
    measures = dict(Measure.objects.values_list("code", "pk"))
    OrganizationFigure.objects.bulk_create(
        OrganizationFigure(organization_id=ids[code], measure_id=measures[measure], base_date=programme_year.base_date,
                           value=value, source=CountSource.IMPORT, recorded_by=actor)
        for code, values in figures.items() if code in ids
        for measure, value in values.items() if measure in measures
    )


def advance_annual_run(*, run_id: int, actor: User, chunk_size: int = CHUNK_SIZE) -> AnnualRun:
    """Create the cases of the next ``chunk_size`` organisations, with their audit rows, in one transaction, and
    return the run with its progress. A chunk that fails leaves nothing behind and the run where it was: the next
    step does it again. A fixed number of queries a chunk, whatever its size (on PostgreSQL the cases and audit
    rows go in by COPY)."""
    with transaction.atomic():
        run = AnnualRun.objects.select_for_update(of=("self",)).get(pk=run_id)
        # Steps of one programme-year are serialised by its row, whichever run they belong to.
        ProgrammeYear.objects.select_for_update().get(pk=run.programme_year_id)
        if actor.role != Role.STAFF:
            raise CaseActionError("年次一括作成は協働推進課の担当者のみが実行できます。")
        if run.status == RunStatus.DONE:
            return run
        rule = load_rule(run.programme_year_id)
        takes_count = WORKFLOWS[rule.programme.workflow].takes_count
        with by_index(sort=False):
            orgs = list(_chunk_query(rule, run.last_code, chunk_size))
        ids = [pk for pk, _code, _has_case in orgs]
        existing = {pk for pk, _code, has_case in orgs if has_case}
        with by_index():
            inputs = formula_inputs(rule, ids, as_of=run.started_at) if takes_count else {}
        results = _Results(rule)
        new_cases: list[NewCase] = []
        for org_id in ids:
            if org_id in existing:
                continue
            # Cases of a workflow without a count are computed from their budget lines.
            given = inputs.get(org_id, {})
            households = given.get("households") if takes_count else None
            # A figure the rule needs that is missing (人口, 面積 …) leaves the case without an amount, as a
            # missing household count does; the head or staff give it on the case page.
            result = results.of(given) if households is not None else None
            new_cases.append(NewCase(org_id, int(households) if households is not None else None, result))
        insert = _copy_cases if connection.vendor == "postgresql" else _bulk_create_cases
        with by_index():  # the last case number: the end of the index (programme_year, number)
            insert(rule, new_cases, actor)
        run.created_count += len(new_cases)
        run.existing_count += len(existing)
        run.missing_count_count += sum(1 for c in new_cases if c.result is None) if takes_count else 0
        run.processed = min(run.total, run.processed + len(orgs))
        if orgs:
            run.last_code = orgs[-1][1]
        if len(orgs) < chunk_size:
            run.processed = run.total
        run.save()
        if len(orgs) < chunk_size:
            run = workflow.perform(ANNUAL_RUN, run.pk, "finish_annual_run", actor=actor,
                                   note=f"新規作成 {run.created_count}件")
    return run


def chunk_plans(programme_year: ProgrammeYear, after_code: str, size: int) -> dict[str, str]:
    """PostgreSQL's plans (``EXPLAIN``, one line of text a step) of a chunk's reads as the run makes them (see
    ``by_index``), by name: ``organisations`` (the next ``size`` after ``after_code``, each with whether it has a
    case already) and ``household counts`` (theirs)."""
    with transaction.atomic(), connection.cursor() as cursor:
        with by_index(sort=False):
            ids = [pk for pk, _code, _has_case in _chunk_query(programme_year, after_code, size)]
        queries = {"organisations": (_chunk_query(programme_year, after_code, size), False),
                   "household counts": (counts_query(ids, programme_year.base_date), True)}
        plans = {}
        for name, (query, sort) in queries.items():
            sql, params = query.query.sql_with_params()
            with by_index(sort=sort):
                cursor.execute("EXPLAIN " + sql, params)
                plans[name] = "\n".join(row[0] for row in cursor.fetchall())
        return plans


def _chunk_query(programme_year: ProgrammeYear, after_code: str, size: int) -> "QuerySet[Organization, Any]":
    """(id, 団体コード, has a case of ``programme_year``) of the next ``size`` eligible organisations after
    ``after_code``, in code order. The index ``organization_annual_run_chunk`` (kind, is_active, code) answers it
    by a range scan in code order, so each chunk costs the same however many organisations come before it; whether
    each has a case is a lookup in the cases' unique index (programme_year, organization) for that organisation
    (a subquery of the select list, never turned into a join that could read the year's cases)."""
    cases = GrantCase.objects.filter(programme_year=programme_year, organization=OuterRef("pk"))
    return (eligible_organizations(programme_year).filter(code__gt=after_code).annotate(has_case=Exists(cases))
            .values_list("pk", "code", "has_case")[:size])


# The planner's methods a chunk does without on PostgreSQL: on tables without statistics (just loaded, not yet
# analysed) they look cheap, and a sequential or bitmap scan, a hash or merge join or a materialised inner side
# reads every case of the year or every count on file in each chunk: quadratic in the number of organisations.
# What is left is index scans of the chunk's keys and nested loops. JIT is off: a refused method's cost (10¹⁰)
# where none other can serve would have the query compiled, which costs more than it runs.
_PLANS_REFUSED = ("enable_seqscan", "enable_bitmapscan", "enable_hashjoin", "enable_mergejoin", "enable_material",
                  "jit")


@contextmanager
def by_index(*, sort: bool = True) -> Iterator[None]:
    """On PostgreSQL, the queries inside use the indexes whatever the tables' statistics: each chunk's reads (its
    organisations, their cases, counts and figures, the last case number) are index scans of the chunk's keys.
    ``sort=False`` refuses a sort too, for the chunk's organisations: an index gives them in code order, and a
    sort would read every later organisation (on a table without statistics it looks cheap); a query whose
    order no index gives (the counts, by when recorded) keeps its sort. Call inside a transaction; the settings
    are restored after (or at its end, if it fails)."""
    if connection.vendor != "postgresql":
        yield
        return
    refused = _PLANS_REFUSED if sort else (*_PLANS_REFUSED, "enable_sort")
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(f"current_setting('{name}'), set_config('{name}', 'off', true)"
                                             for name in refused))
        before = cursor.fetchone()[::2]
    yield
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(f"set_config('{name}', %s, true)" for name in refused), before)


@dataclass(frozen=True)
class NewCase:
    """A case the run creates: its organisation, its household count (None: none on file, or a programme
    without counts) and its computation (None: no amount)."""

    organization_id: int
    household_count: int | None
    result: "_Result | None"


@dataclass(frozen=True)
class _Result:
    """A computation as stored on the case: ``computation`` (the JSON object), ``copy_text`` (the same as JSON
    text, escaped for COPY) and ``amount`` (whole yen)."""

    computation: dict[str, object]
    copy_text: str
    amount: int


class _Results:
    """``figures.computed`` of one rule, once per distinct set of inputs: associations with the same counts
    and figures get the same computation, so a run of 300,000 computes a few thousand. The computations are kept
    from one chunk to the next (in this process) under the rule's content: a rule changed between two chunks is
    another key, and is computed afresh."""

    kept: dict[str, dict[tuple[tuple[str, int | Decimal], ...], "_Result | None"]] = {}
    KEPT_RESULTS = 100_000  # about 1 KB each

    def __init__(self, rule: ProgrammeYear) -> None:
        self.rule = rule
        content = _rule_content(rule)
        if content not in self.kept or sum(len(known) for known in self.kept.values()) > self.KEPT_RESULTS:
            type(self).kept = {content: {}}
        self.known = self.kept[content]

    def of(self, given: FigureInputs) -> "_Result | None":
        # The values as read (``formula_inputs``: in a fixed order, each measure's from one column, so that equal
        # values are also written alike: Decimal("1.0") and Decimal("1.00") would be one key but print apart).
        key = tuple(given.items())
        if key not in self.known:
            result = computed(self.rule, given)
            if result is None:
                self.known[key] = None
            else:
                as_json = result.as_json()
                self.known[key] = _Result(as_json, _copy_text(json.dumps(as_json)), result.amount)
        return self.known[key]


def _rule_content(rule: ProgrammeYear) -> str:
    """Every value the engine reads of ``rule`` (loaded by ``engine.load_rule``): the programme-year's columns, its
    components with their bands and measures, its repeat-year steps and cost bands, as text."""
    def row(obj: Model) -> tuple[object, ...]:
        return (obj._meta.label, *(getattr(obj, f.attname) for f in obj._meta.concrete_fields))

    rows = [row(rule)]
    for component in rule.components.all():
        rows += [row(component), *(row(band) for band in component.bands.all())]
        if component.measure is not None:
            rows.append(row(component.measure))
    rows += [row(step) for step in rule.repeat_steps.all()] + [row(band) for band in rule.cost_bands.all()]
    return repr(rows)


def _bulk_create_cases(rule: ProgrammeYear, new_cases: list[NewCase], actor: User) -> None:
    """Insert ``new_cases`` and their audit rows with ``bulk_create`` (SQLite and any other database)."""
    created = GrantCase.objects.bulk_create(
        GrantCase(programme_year=rule, organization_id=c.organization_id, household_count=c.household_count,
                  computation=c.result.computation if c.result else {},
                  computed_amount=c.result.amount if c.result else None)
        for c in new_cases
    )
    ct = ContentType.objects.get_for_model(GrantCase)
    AuditEvent.objects.bulk_create(
        AuditEvent(actor=actor, action="create", content_type=ct, object_id=c.pk, to_state=c.status,
                   note=AUDIT_NOTE) for c in created
    )


# The columns a new case's row varies in; every other column takes the value of a new case's defaults.
_CASE_VARYING = ("id", "organization_id", "number", "household_count", "computation", "computed_amount")


def _copy_cases(rule: ProgrammeYear, new_cases: list[NewCase], actor: User) -> None:
    """Insert ``new_cases`` and their audit rows on PostgreSQL with COPY: their ids drawn from the table's
    sequence and their numbers taken (``models._take_numbers``) in one query each, then one COPY a table. The rows
    hold what ``bulk_create`` would write (the other columns' values are those of a new case)."""
    if not new_cases:
        return
    numbers = _take_numbers(rule.pk, len(new_cases))
    table = GrantCase._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                       [table, len(new_cases)])
        ids = sorted(row[0] for row in cursor.fetchall())
        template = GrantCase(programme_year=rule, organization_id=0)
        case_columns, case_rest = _columns(template, _CASE_VARYING)
        audit = AuditEvent(actor=actor, action="create", content_type=ContentType.objects.get_for_model(GrantCase),
                           object_id=0, to_state=template.status, note=AUDIT_NOTE)
        audit_columns, audit_rest = _columns(audit, ("object_id",))
        none = _copy_text(None)
        lines = []
        for pk, number, case in zip(ids, numbers, new_cases, strict=True):
            result = case.result
            households = none if case.household_count is None else case.household_count
            computation, amount = (result.copy_text, result.amount) if result else ("{}", none)
            lines.append(f"{pk}\t{case.organization_id}\t{number}\t{households}\t{computation}\t{amount}\t{case_rest}")
        raw = cursor.cursor
        with raw.copy(_copy_sql(table, case_columns)) as copy:
            copy.write("".join(lines))
        with raw.copy(_copy_sql(AuditEvent._meta.db_table, audit_columns)) as copy:
            copy.write("".join(f"{pk}\t{audit_rest}" for pk in ids))


def _columns(template: Model, varying: tuple[str, ...]) -> tuple[list[str], str]:
    """The columns of ``template``'s table for a COPY, ``varying`` first and then the rest but the id (drawn by
    the database unless it is among ``varying``), and the values of the rest as ``save`` would write them for a
    new row (defaults, ``auto_now_add`` …), as the end of a line of COPY's text format."""
    fields = {f.attname: f for f in template._meta.concrete_fields}
    rest = [f for name, f in fields.items() if name not in varying and not f.primary_key]
    values = []
    for f in rest:
        value = f.pre_save(template, True)
        values.append(json.dumps(value) if isinstance(f, JSONField) else f.get_db_prep_save(value, connection))
    return ([fields[name].column for name in varying] + [f.column for f in rest],
            "\t".join(_copy_text(v) for v in values) + "\n")


def _copy_text(value: object) -> str:
    """``value`` in COPY's text format: NULL as \\N, booleans as t/f, text with its backslashes, tabs and line
    ends escaped, numbers, dates and times as PostgreSQL reads them."""
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    text = str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _copy_sql(table: str, columns: list[str]) -> str:
    quote = connection.ops.quote_name
    return f"COPY {quote(table)} ({', '.join(quote(c) for c in columns)}) FROM STDIN"


def run_to_completion(*, run_id: int, actor: User) -> AnnualRun:
    """Advance a run until it is done (used by the management command and tests)."""
    run = advance_annual_run(run_id=run_id, actor=actor)
    while run.status != RunStatus.DONE:
        run = advance_annual_run(run_id=run_id, actor=actor)
    return run
