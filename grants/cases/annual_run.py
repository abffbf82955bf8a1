"""The annual run (年次一括作成): one case per association for a programme-year, in chunks with progress.

``start_annual_run`` fixes the counts (imported file or counts on file) in one transaction and opens a run;
``advance_annual_run`` creates the next chunk of cases. Both are safe to repeat: an organisation that already
has a case for the programme-year is counted as existing and nothing is created twice.
"""
import datetime as dt

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import QuerySet

from grants.accounts.models import Role, User
from grants.core import workflow
from grants.core.models import AuditEvent, record_event
from grants.organizations.models import CountSource, HouseholdCount, Organization
from grants.programmes.engine import compute, load_rule
from grants.programmes.models import ProgrammeYear

from .machines import ANNUAL_RUN
from .models import AnnualRun, GrantCase, RunStatus
from .workflows import WORKFLOWS, CaseActionError

CHUNK_SIZE = 100


def eligible_organizations(programme_year: ProgrammeYear) -> QuerySet[Organization]:
    """Active organisations of the kind the programme funds, in code order."""
    return Organization.objects.filter(kind=programme_year.programme.recipient_kind, is_active=True).order_by("code")


def start_annual_run(
    *, programme_year: ProgrammeYear, actor: User, counts: dict[str, int] | None = None, source: str = ""
) -> AnnualRun:
    """Open a run. ``counts`` ({団体コード: 世帯数}, already validated) are recorded as imported counts on the
    rule's base date; without them the counts on file are used. Staff only; raises ``CaseActionError``."""
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
        run = AnnualRun.objects.create(
            programme_year=programme_year, started_by=actor, total=orgs.count(),
            counts_source=source or "登録済みの世帯数",
        )
        record_event(actor=actor, subject=run, action="start_annual_run", note=run.counts_source)
    return run


def _latest_counts(org_ids: list[int], base_date: dt.date, as_of: dt.datetime) -> dict[int, int]:
    """The count in force for each organisation on ``base_date``, as recorded up to ``as_of``."""
    latest: dict[int, int] = {}
    rows = HouseholdCount.objects.filter(
        organization_id__in=org_ids, base_date=base_date, recorded_at__lte=as_of
    ).order_by("recorded_at", "pk")
    for org_id, households in rows.values_list("organization_id", "households"):
        latest[org_id] = households
    return latest


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
        counts = _latest_counts(ids, rule.base_date, run.started_at) if takes_count else {}
        new_cases = []
        for org in orgs:
            if org.pk in existing:
                continue
            # Cases of a workflow without a count are computed from their budget lines.
            households = counts.get(org.pk) if takes_count else None
            case = GrantCase(programme_year=rule, organization=org, household_count=households)
            if households is not None:
                result = compute(rule, {"households": households})
                case.computation, case.computed_amount = result.as_json(), result.amount
            new_cases.append(case)
        created = GrantCase.objects.bulk_create(new_cases)
        _audit_created(created, actor)
        run.created_count += len(created)
        run.existing_count += len(existing)
        run.missing_count_count += sum(1 for c in created if c.household_count is None) if takes_count else 0
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
