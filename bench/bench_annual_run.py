"""Benchmark: the annual run (年次一括作成) of a national-size programme on PostgreSQL, against a COPY of its rows.

Run from the project root: ``.venv/bin/python bench/bench_annual_run.py [--orgs 300000] [--chunk 5000]``.

Sets Django up against a throw-away PostgreSQL database ``bench_annual_run`` (``temp_django.start(...,
postgres=True)``), migrates, and turns autovacuum off on the tables the run reads and writes, so that no table
ever has statistics (the worst case: a run right after a bulk load). It then loads, with COPY, N 自治会 (each
with a household count on the rule's base date, one in fifty without: those cases get no amount) and N/10
連合自治会 with theirs, and one programme-year for each kind with the sample rule (均等割 10,000円 + 世帯割
500円 a household). Then:

1. the run of the N/10 連合自治会, then of the N 自治会, each timed end to end: ``start_annual_run`` (counts on
   file) and every ``advance_annual_run`` step of ``--chunk`` associations until the run is done, as the page's
   steps do (each its own transaction). Prints the time, the ms an association, the time of a step (mean, first
   and last five: linear in N means the last steps cost what the first did), and checks that every association
   has one case with numbers 1…N and one 「create」 audit row;
2. the baseline, in the same run: the same rows (the cases and their audit rows, read back with ``COPY … TO``)
   written with ``COPY … FROM`` into scratch copies of the two tables (``CREATE TABLE … (LIKE … INCLUDING
   ALL)``: the same columns, defaults and indexes, without the foreign keys) in one transaction; the ratio is
   run ÷ COPY;
3. the plan (``EXPLAIN``, no ANALYZE ever run) of a chunk's queries halfway through the 自治会, as the run makes
   them (``annual_run.by_index``): the organisations (must be an index scan of ``organization_annual_run_chunk``
   without a sort), the cases already made and the household counts (index scans of the chunk's ids, no
   sequential or bitmap scan of the whole table).

Exits with status 1 if the run of N takes 60 s or more, more than 3× its COPY, or the chunk's plan is not the
index scan, or any check fails. Times are wall-clock seconds (``time.perf_counter``); record ``uptime`` with
them, the machine may be shared.
"""
from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import sys
import time

import temp_django  # bench/ is the script's folder, first on sys.path

TARGET_SECONDS = 60.0
TARGET_RATIO = 3.0
TABLES = ("organizations_organization", "organizations_householdcount", "cases_grantcase", "core_auditevent")


def _copy_in(cursor, table: str, columns: list[str], rows) -> None:  # type: ignore[no-untyped-def]
    with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def prepare(n: int):  # type: ignore[no-untyped-def]
    """The world: a staff user, an area, N 自治会 and N/10 連合自治会 with counts, one programme-year a kind."""
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from grants.accounts.models import Role, User
    from grants.organizations.models import Area, OrganizationKind
    from grants.programmes.models import ComponentKind, FormulaComponent, Programme, ProgrammeYear

    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute(f"ALTER TABLE {table} SET (autovacuum_enabled = false)")
    staff = User.objects.create(username="tanto", role=Role.STAFF)
    area = Area.objects.create(code="99", name="ベンチ", kana="べんち", centre_name="ベンチ地域交流センター")
    today = timezone.localdate()
    years = {}
    for kind, code, name in ((OrganizationKind.JICHIKAI, "bench_jichi", "自治会等自治振興交付金"),
                             (OrganizationKind.RENGO, "bench_rengo", "連合自治会活動交付金")):
        programme = Programme.objects.create(code=code, name=name, short_name=name[:4], recipient_kind=kind)
        fy = today.year if today.month >= 4 else today.year - 1
        year = ProgrammeYear.objects.create(
            programme=programme, fiscal_year=fy, label="ベンチ", base_date=dt.date(fy, 4, 1),
            application_opens=min(today, dt.date(fy, 4, 1)), application_closes=max(today, dt.date(fy + 1, 3, 31)),
        )
        FormulaComponent.objects.create(programme_year=year, order=0, kind=ComponentKind.FLAT, label="均等割",
                                        unit_amount=10_000)
        FormulaComponent.objects.create(programme_year=year, order=1, kind=ComponentKind.PER_HOUSEHOLD,
                                        label="世帯割", unit_amount=500)
        years[kind] = year
    now = timezone.now()
    with transaction.atomic(), connection.cursor() as cursor:
        for kind, prefix, count in ((OrganizationKind.JICHIKAI, "J", n), (OrganizationKind.RENGO, "R", n // 10)):
            _copy_in(cursor, "organizations_organization",
                     ["kind", "code", "name", "name_kana", "area_id", "corporate_number", "is_active", "is_demo"],
                     ((kind, f"{prefix}{i:08d}", f"ベンチ{prefix}{i}自治会", "", area.pk, "", True, False)
                      for i in range(count)))
            cursor.execute("SELECT id FROM organizations_organization WHERE kind = %s ORDER BY code", [kind])
            ids = [row[0] for row in cursor.fetchall()]
            base_date = years[kind].base_date
            _copy_in(cursor, "organizations_householdcount",
                     ["organization_id", "base_date", "households", "source", "reason", "recorded_at"],
                     ((pk, base_date, 10 + (i * 37) % 600, "register", "", now)
                      for i, pk in enumerate(ids) if i % 50 != 49))
    return staff, years[OrganizationKind.JICHIKAI], years[OrganizationKind.RENGO]


def timed_run(year, staff, chunk: int) -> tuple[float, list[float], object]:  # type: ignore[no-untyped-def]
    """The whole run of ``year``: its time, each step's time and the finished run."""
    from grants.cases.annual_run import advance_annual_run, start_annual_run
    from grants.cases.models import RunStatus

    started = time.perf_counter()
    run = start_annual_run(programme_year=year, actor=staff)
    steps = []
    while run.status != RunStatus.DONE:
        t = time.perf_counter()
        run = advance_annual_run(run_id=run.pk, actor=staff, chunk_size=chunk)
        steps.append(time.perf_counter() - t)
    return time.perf_counter() - started, steps, run


def check(year, expected: int) -> list[str]:  # type: ignore[no-untyped-def]
    """What must hold after the run: one case an association, numbers 1…N, one audit row a case."""
    from django.db.models import Count, Max, Min

    from grants.cases.models import GrantCase
    from grants.core.models import AuditEvent

    cases = GrantCase.objects.filter(programme_year=year)
    numbers = cases.aggregate(n=Count("pk"), lo=Min("number"), hi=Max("number"), orgs=Count("organization",
                                                                                           distinct=True))
    audits = AuditEvent.objects.filter(action="create", object_id__in=cases.values("pk"),
                                       content_type__model="grantcase").count()
    missing = cases.filter(computed_amount__isnull=True).count()
    problems = []
    if (numbers["n"], numbers["orgs"], numbers["lo"], numbers["hi"]) != (expected, expected, 1, expected):
        problems.append(f"{year}: cases {numbers}, expected {expected} numbered 1…{expected}")
    if audits != expected:
        problems.append(f"{year}: {audits} audit rows for {expected} cases")
    if missing != expected // 50:
        problems.append(f"{year}: {missing} cases without an amount, expected {expected // 50}")
    return problems


def copy_baseline(year) -> float:  # type: ignore[no-untyped-def]
    """Seconds to COPY the run's cases and their audit rows into scratch copies of the tables."""
    from django.db import connection, transaction

    with connection.cursor() as cursor:
        raw = cursor.cursor
        dumps = []
        for table, where in (
            ("cases_grantcase", f"programme_year_id = {int(year.pk)}"),
            ("core_auditevent", "action = 'create' AND object_id IN (SELECT id FROM cases_grantcase "
                                f"WHERE programme_year_id = {int(year.pk)})"),
        ):
            cursor.execute(f"DROP TABLE IF EXISTS scratch_{table}")
            cursor.execute(f"CREATE TABLE scratch_{table} (LIKE {table} INCLUDING ALL)")
            buffer = io.BytesIO()
            with raw.copy(f"COPY (SELECT * FROM {table} WHERE {where} ORDER BY id) TO STDOUT") as copy:
                for data in copy:
                    buffer.write(data)
            dumps.append((f"scratch_{table}", buffer.getvalue()))
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        for table, data in dumps:
            with cursor.cursor.copy(f"COPY {table} FROM STDIN") as copy:
                for at in range(0, len(data), 1 << 20):
                    copy.write(data[at:at + (1 << 20)])
    return time.perf_counter() - started


def plans(year, chunk: int) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """EXPLAIN (no ANALYZE) of a chunk's three reads (``annual_run.chunk_plans``), halfway through ``year``'s
    organisations; a long list of ids is cut short."""
    from grants.cases.annual_run import chunk_plans, eligible_organizations

    everyone = eligible_organizations(year)
    middle = everyone.values_list("code", flat=True)[everyone.count() // 2]
    return {name: "\n".join("    " + (line if len(line) < 160 else line[:157] + "…") for line in plan.splitlines())
            for name, plan in chunk_plans(year, middle, chunk).items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orgs", type=int, default=300_000, help="自治会 in the large run (N); N/10 連合自治会")
    parser.add_argument("--chunk", type=int, default=None, help="associations a step (default: the run's own)")
    args = parser.parse_args()

    temp_django.start("annual_run", postgres=True)
    from django.db import connection

    from grants.cases.annual_run import CHUNK_SIZE

    chunk = args.chunk or CHUNK_SIZE
    print(f"load before: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}")
    t = time.perf_counter()
    staff, large, small = prepare(args.orgs)
    print(f"setup: {args.orgs:,} + {args.orgs // 10:,} associations with counts in {time.perf_counter() - t:.1f} s "
          f"(autovacuum off, no ANALYZE)")

    failed = []
    results = {}
    for label, year, n in (("N/10", small, args.orgs // 10), ("N", large, args.orgs)):
        seconds, steps, run = timed_run(year, staff, chunk)
        results[label] = (n, seconds)
        head, tail = steps[:5], steps[-6:-1] or steps[-5:]
        print(f"run {label} = {n:,} associations, chunks of {chunk:,}: {seconds:.1f} s, "
              f"{seconds / n * 1000:.3f} ms an association, {len(steps)} steps: mean {sum(steps) / len(steps):.2f} s, "
              f"first five {sum(head) / len(head):.2f} s, last five {sum(tail) / len(tail):.2f} s "
              f"(created {run.created_count:,}, without amount {run.missing_count_count:,})")
        failed += check(year, n)

    (n_small, s_small), (n_large, s_large) = results["N/10"], results["N"]
    print(f"linearity: ms an association at N/10 {s_small / n_small * 1000:.3f}, at N {s_large / n_large * 1000:.3f} "
          f"(ratio {s_large / n_large / (s_small / n_small):.2f})")
    baseline = copy_baseline(large)
    ratio = s_large / baseline
    print(f"baseline: COPY of the same {n_large:,} cases + {n_large:,} audit rows into scratch tables: "
          f"{baseline:.1f} s; ratio run / COPY = {ratio:.2f} (target ≤ {TARGET_RATIO:.0f}, < {TARGET_SECONDS:.0f} s)")

    with connection.cursor() as cursor:
        cursor.execute("SELECT relname, last_analyze, last_autoanalyze FROM pg_stat_user_tables "
                       "WHERE relname = ANY(%s) ORDER BY relname", [list(TABLES)])
        print("statistics: " + "; ".join(f"{name} analysed {a or b or 'never'}" for name, a, b in cursor.fetchall()))
    found = plans(large, chunk)
    for name, plan in found.items():
        print(f"plan of a chunk's {name} (no ANALYZE):\n{plan}")
    if "organization_annual_run_chunk" not in found["organisations"] or "Sort" in found["organisations"]:
        failed.append("the chunk's organisations are not read by the index organization_annual_run_chunk")
    refused = ("Seq Scan", "Bitmap", "Hash", "Merge", "Materialize", "JIT")
    if any(word in plan for plan in found.values() for word in refused):
        failed.append("a chunk's query reads a whole table (sequential or bitmap scan, hash or merge join) or is "
                      "compiled (JIT)")
    if s_large >= TARGET_SECONDS:
        failed.append(f"the run of {n_large:,} took {s_large:.1f} s (target < {TARGET_SECONDS:.0f} s)")
    if ratio > TARGET_RATIO:
        failed.append(f"the run took {ratio:.2f}× its COPY (target ≤ {TARGET_RATIO:.0f}×)")
    print(f"load after: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}")
    for line in failed:
        print("FAILED", line)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
