"""Benchmark: deciding every demo 自治会's case (交付決定) in one bulk act, against as many single decisions.

Run from the project root: ``.venv/bin/python bench/bench_bulk.py [--limit N]``.

Sets Django up against a throw-away SQLite database (``BENCH_DATABASE_URL``, default
``sqlite:////tmp/bench_bulk.sqlite3``, deleted first), migrates and runs ``setup_demo`` (≈770 demo 自治会 with
heads, accounts and counts). Two programme-years of the demo's sample rule in this 年度 (the second a copy of the
sample programme, ``_twin``: a decision is taken only within its 年度), each with a budget that holds every case,
get one case per association in 審査済 (verified by the demo's 担当 ``tanto``, made directly: this measures
deciding, not applying). The demo's 決裁者 ``kessai`` — not the verifier — then decides:

- the first programme-year's cases one by one, each through ``services.act`` as the case page's 「交付決定する」
  does (the baseline: N single decisions in the same process);
- the second's in one bulk act (``grants.cases.bulk.bulk_perform``), the in-request path of the case list's
  一括の手続 and the background job's work alike.

Each decision is the whole act either way: the rail's checks, the commitment in the ledger, the whole payment's
order, the 交付決定通知書 with its number, the audit row and the お知らせ. Prints both times, cases per second,
and the ratio bulk ÷ singles (1.0: the bulk costs exactly the singles; it cannot be much below, since each case
is its own act). Checks that every case was decided with one audit row and one notice each, and exits with status 1
otherwise. Times are wall-clock seconds (``time.perf_counter``).
"""
from __future__ import annotations

import argparse
import io
import sys
import time

import temp_django  # bench/ is the script's folder, first on sys.path


def _twin(year):  # type: ignore[no-untyped-def]
    """A copy of the sample programme and its rule for the same 年度 (a decision is taken only within its 年度, and
    an association has one case per programme-year): the second set of cases is decided under the same rule."""
    from grants.programmes.models import ComponentBand, FormulaComponent, Programme, ProgrammeYear

    programme = Programme.objects.get(pk=year.programme_id)
    programme.pk = None
    programme.code, programme.name = f"{programme.code}_bench", f"{programme.name}（比較用）"
    programme.save()
    twin = ProgrammeYear.objects.get(pk=year.pk)
    twin.pk, twin.programme = None, programme
    twin.save()
    for component in FormulaComponent.objects.filter(programme_year=year).order_by("order"):
        bands = list(ComponentBand.objects.filter(component=component))
        component.pk, component.programme_year = None, twin
        component.save()
        for band in bands:
            band.pk, band.component = None, component
            band.save()
    return twin


def prepare(limit: int | None) -> tuple[list[int], list[int]]:
    """Demo data and two sets of verified cases, one per programme-year; returns their ids (singles, bulk)."""
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    from grants.accounts.models import User
    from grants.cases.models import GrantCase, Status
    from grants.demo.management.commands.setup_demo import Command as SetupDemo
    from grants.ledger.services import set_budget
    from grants.organizations.models import HouseholdCount, Organization, OrganizationKind
    from grants.programmes.engine import compute, load_rule
    from grants.programmes.models import ProgrammeYear

    call_command("migrate", verbosity=0)
    call_command("setup_demo", password="x", stdout=io.StringIO())
    first = ProgrammeYear.objects.select_related("programme").get(programme__code="jichi_shinko", label="サンプル")
    staff, head, finance = (User.objects.get(username=name) for name in ("tanto", "kaicho", "kaikei"))
    with transaction.atomic():
        second = _twin(first)
        SetupDemo()._budget(second, finance)
    counts = dict(
        HouseholdCount.objects.filter(base_date=first.base_date).order_by("recorded_at", "pk")
        .values_list("organization_id", "households")
    )
    orgs = Organization.objects.filter(kind=OrganizationKind.JICHIKAI, is_active=True, pk__in=counts).order_by("code")
    if limit:
        orgs = orgs[:limit]
    ids = []
    for year in (first, second):
        rule = load_rule(year.pk)
        taken = set(GrantCase.objects.filter(programme_year=year).values_list("organization_id", flat=True))
        cases = []
        for org in orgs:
            if org.pk in taken:
                continue
            result = compute(rule, {"households": counts[org.pk]})
            cases.append(GrantCase(
                programme_year=year, organization=org, status=Status.VERIFIED, household_count=counts[org.pk],
                computation=result.as_json(), computed_amount=result.amount, submitted_at=timezone.now(),
                submitted_by=head, verified_by=staff,
            ))
        with transaction.atomic():
            made = GrantCase.objects.bulk_create(cases)
            need = sum(case.computed_amount or 0 for case in made)
            set_budget(programme_year=year, budget=need * 2, actor=finance, note="ベンチマーク")
        ids.append(sorted(case.pk for case in made))
    return ids[0], ids[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=None, help="at most this many associations")
    args = parser.parse_args()

    temp_django.start("bulk", EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend")
    from grants.accounts.models import User
    from grants.cases import services
    from grants.cases.bulk import bulk_perform
    from grants.cases.models import GrantCase, Status
    from grants.core.models import AuditEvent
    from grants.notices.models import Notice

    started = time.perf_counter()
    singles, bulk = prepare(args.limit)
    print(f"setup: {len(singles)} + {len(bulk)} verified cases in {time.perf_counter() - started:.1f} s")
    approver = User.objects.get(username="kessai")

    t = time.perf_counter()
    for pk in singles:
        services.act(case_id=pk, edge="decide", actor=approver)
    single_seconds = time.perf_counter() - t
    print(f"{len(singles)} single decisions: {single_seconds:.1f} s, {len(singles) / single_seconds:.1f} cases/s, "
          f"{single_seconds / len(singles) * 1000:.1f} ms each")

    t = time.perf_counter()
    result = bulk_perform(edge="decide", case_ids=bulk, actor=approver)
    bulk_seconds = time.perf_counter() - t
    print(f"one bulk act of {len(bulk)} decisions: {bulk_seconds:.1f} s, {len(bulk) / bulk_seconds:.1f} cases/s "
          f"({len(result.done)} decided, {len(result.set_aside)} set aside)")
    print(f"ratio bulk / singles = {bulk_seconds / single_seconds:.2f}")

    failed = []
    for name, ids in (("singles", singles), ("bulk", bulk)):
        decided = GrantCase.objects.filter(pk__in=ids, status=Status.DECIDED).count()
        audits = AuditEvent.objects.filter(action="decide", object_id__in=ids).count()
        notices = Notice.objects.filter(case_id__in=ids, kind="decision").count()
        if not decided == audits == notices == len(ids):
            failed.append(f"{name}: {decided} decided, {audits} audit rows, {notices} notices of {len(ids)}")
    for line in failed:
        print("FAILED", line)
    sys.exit(1 if failed or result.set_aside else 0)


if __name__ == "__main__":
    main()
