"""Benchmark: the auditor's workbook at 100,000 and 1,000,000 ledger rows against plain XlsxWriter.

Usage::

    .venv/bin/python bench/bench_workbook.py [--rows 100000 1000000] [--db /tmp/bench_workbook.sqlite3]

For each row count N the script

1. builds a fresh SQLite database (``DATABASE_URL`` is set before ``django.setup()``; ``migrate``), with one
   programme-year, its budget account, 1,000 associations and cases, and N ledger entries (one 予算 entry,
   then alternating 交付決定 / 支出 pairs of equal amounts over the cases, notes in Japanese), inserted with
   raw ``executemany`` in batches (the append-only triggers refuse only UPDATE/DELETE); the account's totals
   are set to the entries' sums so that 「集計」 reconciles;
2. runs each measurement in its own fresh Python process (``subprocess`` running this script with
   ``--child``), so that each peak memory (``getrusage(RUSAGE_SELF).ru_maxrss`` at the end of the child) is
   its own; wall time (``perf_counter``) covers the export only, from the first query to the closed file,
   not interpreter start-up or ``django.setup()``:

   - ``ours``: ``reports.excel.write_xlsx([LedgerReport(...)])``, the 「台帳」 sheet exactly as the workbook
     writes it (typed columns, type checks, control-character cleaning, markup guard);
   - ``baseline``: XlsxWriter ``constant_memory`` writing the same cells in a hand-written loop: the same
     rows re-fetched with the same ``values_list(...).iterator(chunk_size=2000)`` query (so both pay the
     same database and ORM cost), the same derived values (区分 label, 案件番号, 記録者, Tokyo datetimes,
     which XlsxWriter needs naive anyway), the same formats, widths, frozen header and auto-filter, but no
     abstraction, type checks or text cleaning. The two sheets' XML is compared byte for byte;
   - ``workbook``: the whole seven-sheet workbook ``programme_year_workbook`` (for information: it writes
     the N/2 payment entries a second time on 「支払」, so it is not compared with the baseline).

   With ``--repeat k`` baseline and ours are run k times, alternating, and the fastest run of each is kept
   (the machine may be shared). Peak memory is the process's high-water mark, Django set up included (about
   85-110 MB before any row is read, mostly WeasyPrint and the apps); "growth" is the peak after the export
   minus the peak before it.

3. prints a table: rows, ours s, baseline s, ratio, ours peak MB, baseline peak MB, whole workbook s and
   MB, whether the sheets are identical, and PASS/FAIL for the target (at 1,000,000 rows: ratio ≤ 1.2 and
   ours peak < 150 MB; smaller runs are checked against the same bounds). Exits with status 1 on FAIL.
"""
from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = "/tmp/bench_workbook.sqlite3"
CASES = 1_000
BATCH = 50_000
TARGET_RATIO = 1.2
TARGET_PEAK_MB = 150.0


def setup_django(db_path: str) -> None:
    """Point Django at the benchmark database (before setup) and start it."""
    os.environ["DATABASE_URL"] = f"sqlite:///{db_path}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["DEBUG"] = "False"  # no query log
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


# --- Building the database ---------------------------------------------------------------------------


def build_database(db_path: str, rows: int) -> float:
    """Create ``db_path`` afresh with ``rows`` ledger entries (see the module docstring); return seconds."""
    started = time.perf_counter()
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(db_path + suffix).unlink(missing_ok=True)
    setup_django(db_path)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    _insert_rows(rows)
    return time.perf_counter() - started


def _insert_rows(rows: int) -> None:
    from django.db import connection, transaction

    from grants.accounts.models import Role, User
    from grants.cases.models import GrantCase
    from grants.ledger.models import BudgetAccount
    from grants.organizations.models import Area, Organization, OrganizationKind
    from grants.programmes.models import Programme, ProgrammeYear

    fy = 2026
    programme = Programme.objects.create(code="bench", name="ベンチマーク交付金", recipient_kind="jichikai")
    py = ProgrammeYear.objects.create(
        programme=programme, fiscal_year=fy, base_date=dt.date(fy, 4, 1), application_opens=dt.date(fy, 4, 1),
        application_closes=dt.date(fy + 1, 3, 31),
    )
    account = BudgetAccount.objects.create(programme_year=py)
    actors = [User.objects.create(username=f"bench{n}", role=Role.FINANCE, display_name=f"会計 担当{n}")
              for n in range(5)]
    area = Area.objects.get_or_create(code="99", defaults={"name": "ベンチ", "kana": "べんち", "centre_name": "-"})[0]
    organizations = Organization.objects.bulk_create(
        Organization(kind=OrganizationKind.JICHIKAI, code=f"99-{n:04d}", name=f"ベンチ第{n}自治会", area=area)
        for n in range(CASES)
    )
    cases = GrantCase.objects.bulk_create(GrantCase(programme_year=py, organization=o) for o in organizations)
    case_ids = [case.pk for case in cases]
    names = {case.pk: case.organization.name for case in cases}

    rng = random.Random(42)
    start = dt.datetime(fy, 4, 1, 0, 0, tzinfo=dt.UTC)
    adapt = connection.ops.adapt_datetimefield_value
    sql = ("INSERT INTO ledger_ledgerentry (account_id, case_id, kind, amount, reverses_id, entry_date, recorded_at,"
           " actor_id, note) VALUES (%s, %s, %s, %s, NULL, %s, %s, %s, %s)")
    budget = 10**13
    committed = paid = 0
    with transaction.atomic(), connection.cursor() as cursor:
        batch: list[tuple[Any, ...]] = [
            (account.pk, None, "budget", budget, dt.date(fy, 4, 1).isoformat(), adapt(start), actors[0].pk, "当初予算")
        ]
        amount = 0
        for n in range(1, rows):
            moment = start + dt.timedelta(seconds=n * 7)
            day = (moment.date()).isoformat()
            case_id = case_ids[(n // 2) % CASES]
            if n % 2:
                amount = rng.randint(1, 500_000)
                kind, note, committed = "commitment", f"交付決定 {names[case_id]}", committed + amount
            else:
                kind, note, paid = "payment", f"支出 {names[case_id]}", paid + amount
            batch.append((account.pk, case_id, kind, amount, day, adapt(moment), actors[n % 5].pk, note))
            if len(batch) >= BATCH:
                cursor.executemany(sql, batch)
                batch.clear()
        cursor.executemany(sql, batch)
    BudgetAccount.objects.filter(pk=account.pk).update(budget=budget, committed=committed, paid=paid)


# --- Measurements (each in its own process) ----------------------------------------------------------


def _sheet_digest(path: str) -> str:
    with zipfile.ZipFile(path) as book:
        return hashlib.sha256(book.read("xl/worksheets/sheet1.xml")).hexdigest()


def measure(which: str, db_path: str) -> dict[str, Any]:
    """Run one measurement in this process; return {"seconds", "peak_mb", "rows", "digest"}."""
    setup_django(db_path)
    from grants.programmes.models import ProgrammeYear

    py = ProgrammeYear.objects.select_related("programme").get(programme__code="bench")
    before_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    with tempfile.NamedTemporaryFile(suffix=".xlsx", delete=False) as out:
        path = out.name
        started = time.perf_counter()
        if which == "ours":
            rows = _ours(py, out)
        elif which == "baseline":
            rows = _baseline(py, out)
        else:
            rows = _workbook(py, out)
        seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB
    digest = _sheet_digest(path)
    size_mb = os.path.getsize(path) / 2**20
    os.unlink(path)
    return {"seconds": seconds, "peak_mb": peak_mb, "growth_mb": peak_mb - before_mb, "rows": rows, "digest": digest,
            "size_mb": size_mb}


def _ours(py: Any, out: Any) -> int:
    from reports.excel import write_xlsx
    from reports.exporters import LedgerReport, Scope

    return write_xlsx([LedgerReport(Scope.of_programme_year(py))], out)["台帳"]


def _workbook(py: Any, out: Any) -> int:
    from reports.exporters import programme_year_workbook

    return sum(programme_year_workbook(py, out).values())


def _baseline(py: Any, out: Any) -> int:
    """XlsxWriter constant_memory, the same cells as ``_ours`` in a plain loop (see the module docstring)."""
    from zoneinfo import ZoneInfo

    from xlsxwriter import Workbook

    from grants.cases.models import case_reference
    from grants.ledger.models import EntryKind, LedgerEntry
    from reports.exporters import LedgerReport, Scope

    report = LedgerReport(Scope.of_programme_year(py))  # only for the header, widths
    tokyo = ZoneInfo("Asia/Tokyo")
    kinds = dict(EntryKind.choices)
    fiscal_year, programme_name = py.fiscal_year, py.programme.number_name
    workbook = Workbook(out, {"constant_memory": True})
    # Formats in the same order as reports.excel, so that the sheets' XML can be compared.
    header = workbook.add_format({"bold": True, "valign": "vcenter", "num_format": "@"})
    text = workbook.add_format({"num_format": "@"})
    yen = workbook.add_format({"num_format": "#,##0"})
    workbook.add_format({"num_format": "#,##0"})
    number = workbook.add_format({"num_format": "0"})
    date = workbook.add_format({"num_format": "yyyy-mm-dd"})
    moment = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    ws = workbook.add_worksheet("台帳")
    for index, column in enumerate(report.columns):
        ws.set_column(index, index, column.effective_width)
    ws.freeze_panes(1, 0)
    ws.repeat_rows(0)
    for index, title in enumerate(report.header()):
        ws.write_string(0, index, title, header)
    entries = (
        LedgerEntry.objects.filter(account__programme_year=py).order_by("pk").values_list(
            "pk", "entry_date", "recorded_at", "kind", "amount", "reverses_id", "case_id", "case__number",
            "case__organization__code", "case__organization__name", "actor__display_name", "actor__username",
            "note",
        )
    )
    write_number, write_string, write_datetime = ws.write_number, ws.write_string, ws.write_datetime
    r = 0
    for (pk, entry_date, recorded_at, kind, amount, reverses_id, case_id, case_number, org_code, org_name,
         actor_name, username, note) in entries.iterator(chunk_size=2000):
        r += 1
        write_number(r, 0, pk, number)
        write_datetime(r, 1, entry_date, date)
        write_datetime(r, 2, recorded_at.astimezone(tokyo).replace(tzinfo=None, microsecond=0), moment)
        write_string(r, 3, kinds[kind], text)
        write_number(r, 4, amount, yen)
        if reverses_id is not None:
            write_number(r, 5, reverses_id, number)
        if case_id is not None:
            write_string(r, 6, case_reference(fiscal_year, programme_name, case_number), text)
            write_string(r, 7, org_code, text)
            write_string(r, 8, org_name, text)
        write_string(r, 9, actor_name or username, text)
        if note:
            write_string(r, 10, note, text)
    ws.autofilter(0, 0, r, len(report.columns) - 1)
    workbook.close()
    return r


def run_child(which: str, db_path: str) -> dict[str, Any]:
    """Run ``measure(which)`` in a fresh interpreter and return its result."""
    result = subprocess.run(
        [sys.executable, __file__, "--child", which, "--db", db_path],
        check=True, capture_output=True, text=True, cwd=ROOT,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def best_of(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The fastest of ``runs``, with the highest peak and growth of all of them."""
    best = min(runs, key=lambda run: run["seconds"])
    return best | {
        "peak_mb": max(run["peak_mb"] for run in runs),
        "growth_mb": max(run["growth_mb"] for run in runs),
        "all_seconds": [round(run["seconds"], 2) for run in runs],
    }


# --- Main --------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--db", default=DEFAULT_DB)
    parser.add_argument("--child", choices=["ours", "baseline", "workbook"], help=argparse.SUPPRESS)
    parser.add_argument("--repeat", type=int, default=1, help="runs per measurement, alternating; best time kept")
    parser.add_argument("--no-workbook", action="store_true", help="skip the whole-workbook measurement")
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.child, args.db)))
        return

    lines = []
    for rows in args.rows:
        build_seconds = run_build(rows, args.db)
        print(f"built {rows:,} ledger rows in {build_seconds:.1f} s", flush=True)
        runs: dict[str, list[dict[str, Any]]] = {"baseline": [], "ours": []}
        for _ in range(args.repeat):
            for which, results in runs.items():
                results.append(run_child(which, args.db))
        baseline, ours = best_of(runs["baseline"]), best_of(runs["ours"])
        workbook = None if args.no_workbook else run_child("workbook", args.db)
        lines.append((rows, ours, baseline, workbook))
        print(json.dumps({"rows": rows, "ours": ours, "baseline": baseline, "workbook": workbook}), flush=True)
    if not print_table(lines):
        sys.exit(1)


def run_build(rows: int, db_path: str) -> float:
    """Build the database in a child process too, so that the parent stays small and Django-free."""
    code = (f"import sys; sys.path.insert(0, {str(ROOT / 'bench')!r}); import bench_workbook as b; "
            f"print(b.build_database({db_path!r}, {rows}))")
    result = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True, cwd=ROOT)
    return float(result.stdout.strip().splitlines()[-1])


def print_table(lines: list[tuple[int, dict[str, Any], dict[str, Any], dict[str, Any] | None]]) -> bool:
    """Print the results; return whether every row count met the target."""
    passed = True
    header = (f"{'rows':>10} | {'ours s':>7} | {'baseline s':>10} | {'ratio':>5} | {'ours peak MB':>12} | "
              f"{'baseline peak MB':>16} | {'ours growth MB':>14} | {'workbook s':>10} | {'workbook MB':>11} | "
              f"{'same sheet':>10} | target")
    print()
    print("台帳 sheet: reports.excel (ours) vs hand-written XlsxWriter constant_memory (baseline), a fresh process"
          " per measurement; peak = ru_maxrss of that process (Django set up: about 85-110 MB before any row);"
          " growth = peak after the export − peak before it; workbook = all seven sheets")
    print(header)
    print("-" * len(header))
    for rows, ours, baseline, workbook in lines:
        ratio = ours["seconds"] / baseline["seconds"]
        ok = ratio <= TARGET_RATIO and ours["peak_mb"] < TARGET_PEAK_MB and ours["rows"] == baseline["rows"] == rows
        wb_s = f"{workbook['seconds']:10.2f}" if workbook else f"{'-':>10}"
        wb_mb = f"{workbook['peak_mb']:11.1f}" if workbook else f"{'-':>11}"
        same = "yes" if ours["digest"] == baseline["digest"] else "NO"
        passed = passed and ok
        print(f"{rows:>10,} | {ours['seconds']:7.2f} | {baseline['seconds']:10.2f} | {ratio:5.2f} | "
              f"{ours['peak_mb']:12.1f} | {baseline['peak_mb']:16.1f} | {ours['growth_mb']:14.1f} | {wb_s} | {wb_mb} | "
              f"{same:>10} | "
              f"{'PASS' if ok else 'FAIL'} (≤ {TARGET_RATIO}× and < {TARGET_PEAK_MB:.0f} MB)")
    return passed


if __name__ == "__main__":
    main()
