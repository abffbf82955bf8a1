"""The annual run (年次一括作成): one case per association for a programme-year, in chunks with progress.

``start_annual_run`` fixes the counts (imported file or counts on file) in one transaction and opens a run;
``advance_annual_run`` creates the next chunk of cases. Both are safe to repeat: an organisation that already
has a case for the programme-year is counted as existing and nothing is created twice.
"""
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import QuerySet

from grants.accounts.models import Role, User
from grants.core import workflow
from grants.core.models import AuditEvent, record_event
from grants.organizations.models import CountSource, HouseholdCount, Measure, Organization, OrganizationFigure
from grants.programmes.engine import load_rule
from grants.programmes.models import ProgrammeYear

from .figures import computed, formula_inputs
from .machines import ANNUAL_RUN
from .models import AnnualRun, GrantCase, RunStatus
from .workflows import WORKFLOWS, CaseActionError

CHUNK_SIZE = 100


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
    """Create the cases of the next ``chunk_size`` organisations and return the run with its progress."""
    with transaction.atomic():
        run = AnnualRun.objects.select_for_update(of=("self",)).get(pk=run_id)
        # Steps of one programme-year are serialised by its row, whichever run they belong to.
        ProgrammeYear.objects.select_for_update().get(pk=run.programme_year_id)
        if actor.role != Role.STAFF:
            raise CaseActionError("年次一括作成は協働推進課の担当者のみが実行できます。")
        if run.status == RunStatus.DONE:
            return run
        rule = load_rule(run.programme_year_id)
        orgs = list(eligible_organizations(rule).filter(code__gt=run.last_code)[:chunk_size])
        ids = [o.pk for o in orgs]
        existing = set(GrantCase.objects.filter(programme_year=rule, organization_id__in=ids)
                       .values_list("organization_id", flat=True))
        takes_count = WORKFLOWS[rule.programme.workflow].takes_count
        inputs = formula_inputs(rule, ids, as_of=run.started_at) if takes_count else {}
        new_cases = []
        for org in orgs:
            if org.pk in existing:
                continue
            # Cases of a workflow without a count are computed from their budget lines.
            given = inputs.get(org.pk, {})
            households = given.get("households") if takes_count else None
            case = GrantCase(programme_year=rule, organization=org,
                             household_count=int(households) if households is not None else None)
            # A figure the rule needs that is missing (人口, 面積 …) leaves the case without an amount, as a
            # missing household count does; the head or staff give it on the case page.
            result = computed(rule, given) if households is not None else None
            if result is not None:
                case.computation, case.computed_amount = result.as_json(), result.amount
            new_cases.append(case)
        created = GrantCase.objects.bulk_create(new_cases)
        _audit_created(created, actor)
        run.created_count += len(created)
        run.existing_count += len(existing)
        run.missing_count_count += sum(1 for c in created if c.computed_amount is None) if takes_count else 0
        run.processed = min(run.total, run.processed + len(orgs))
        if orgs:
            run.last_code = orgs[-1].code
        if len(orgs) < chunk_size:
            run.processed = run.total
        run.save()
        if len(orgs) < chunk_size:
            run = workflow.perform(ANNUAL_RUN, run.pk, "finish_annual_run", actor=actor,
                                   note=f"新規作成 {run.created_count}件")
    return run


def _audit_created(cases: list[GrantCase], actor: User) -> None:
    ct = ContentType.objects.get_for_model(GrantCase)
    AuditEvent.objects.bulk_create(
        AuditEvent(actor=actor, action="create", content_type=ct, object_id=c.pk, to_state=c.status,
                   note="年次一括作成") for c in cases
    )


def run_to_completion(*, run_id: int, actor: User) -> AnnualRun:
    """Advance a run until it is done (used by the management command and tests)."""
    run = advance_annual_run(run_id=run_id, actor=actor)
    while run.status != RunStatus.DONE:
        run = advance_annual_run(run_id=run_id, actor=actor)
    return run
