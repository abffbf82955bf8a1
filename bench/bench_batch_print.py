"""Benchmark: batch printing of notices (通知書の一括印刷) in bounded memory, at 770, 3,000 and 30,000 notices.

Run from the project root::

    .venv/bin/python bench/bench_batch_print.py [--sizes 770 3000 30000] [--chunk 100] [--no-baseline]

Builds a throw-away PostgreSQL database ``bench_batch_print`` (``temp_django.start(..., postgres=True)``;
``BENCH_DATABASE_URL`` overrides), migrates and runs ``setup_demo``. For the largest size N it adds
associations beyond the demo's ≈770 (``bulk_create``), one decided case each on the demo's sample
programme-year (amount from the sample rule, no ledger entries: this measures printing), and N 交付決定通知書:
the first through ``issue_notice`` (so its snapshot is the real one), the others built from it in number order
with ``bulk_create`` (their own addressee, amount, count and 文書番号 1 … N with no gap; the sequence's
``last_number`` is set to N) — seconds, not the hours of N single acts.

Each measurement runs in its own fresh Python process (this script with ``--child``), so that each peak RSS
(``VmHWM`` of /proc/self/status at the child's end, Django and WeasyPrint loaded: about 100 MiB before the
first notice; not ``ru_maxrss``, which Linux carries over from the parent) is its own:

- ``chunked`` at each size: ``reports.pdf.write_notices_pdf`` (the ``notices_batch`` job's work) over the first
  N notices of the programme-year in number order (``notices_of_year(...)[:N]``), into a temporary file;
- ``baseline`` at 770 (the first size): the all-in-one rendering the job did before (every notice laid out and
  kept, then one ``Document.copy(...).write_pdf()``), kept below as ``all_in_one_pdf``.

For each: seconds (``perf_counter``, the rendering only), notices per second, peak RSS in MiB and its growth
over the child's RSS before rendering, the PDF's pages (``pdfinfo``; must equal N), bytes per page, the number of
fonts ``pdffonts`` lists and whether every one is an embedded subset, that progress reached (N, N), and that
pages 1, chunk, chunk+1 and N carry 文書番号 1, chunk, chunk+1 and N (``pdftotext``: order kept across chunk
boundaries). A chunked child also prints its peak every 1,000 notices as it goes (to stderr). Exits with
status 1 when a chunked run peaks at 300 MB (10^6 bytes) or more, or a check fails.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time

import temp_django  # bench/ is the script's folder, first on sys.path

TARGET_PEAK_BYTES = 300 * 10**6
NAME = "batch_print"


# --- Building the database ---------------------------------------------------------------------------------------


def prepare(n: int) -> tuple[int, str]:
    """Demo data and ``n`` decided cases with their 交付決定通知書, numbered 1 … n; returns (programme-year pk,
    the 文書番号 format with {} for the number)."""
    import io

    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    from grants.accounts.models import User
    from grants.cases.models import GrantCase, Status
    from grants.notices.models import DocumentSequence, Notice, NoticeKind, format_document_number
    from grants.notices.services import issue_notice
    from grants.organizations.models import Organization, OrganizationKind
    from grants.programmes.engine import compute, load_rule
    from grants.programmes.models import ProgrammeYear

    call_command("migrate", verbosity=0)
    call_command("setup_demo", password="x", stdout=io.StringIO())
    year = ProgrammeYear.objects.select_related("programme").get(programme__code="jichi_shinko", label="サンプル")
    rule = load_rule(year.pk)
    approver = User.objects.get(username="kessai")
    demo = list(Organization.objects.filter(kind=OrganizationKind.JICHIKAI, is_active=True).order_by("code"))
    extra = [
        Organization(kind=OrganizationKind.JICHIKAI, code=f"BENCH{i:06d}", name=f"ベンチ第{i}自治会",
                     area_id=demo[i % len(demo)].area_id)
        for i in range(max(0, n - len(demo)))
    ]
    Organization.objects.bulk_create(extra, batch_size=2000)
    orgs = (demo + list(Organization.objects.filter(code__startswith="BENCH").order_by("code")))[:n]
    results: dict[int, object] = {}
    today = timezone.localdate()
    cases = []
    for i, org in enumerate(orgs):
        households = 20 + (i * 37) % 480
        result = results.get(households) or results.setdefault(households, compute(rule, {"households": households}))
        cases.append(GrantCase(
            programme_year=year, organization=org, status=Status.DECIDED, household_count=households,
            computation=result.as_json(), computed_amount=result.amount, decided_amount=result.amount,  # type: ignore[attr-defined]
            decided_on=today, decided_by=approver, submitted_at=timezone.now(),
        ))
    GrantCase.objects.bulk_create(cases, batch_size=2000)
    cases = list(GrantCase.objects.filter(programme_year=year).select_related(
        "organization", "programme_year__programme").order_by("organization__code"))
    position = {org.pk: i for i, org in enumerate(orgs)}
    cases.sort(key=lambda c: position[c.organization_id])  # the demo's associations first, then the added ones
    with transaction.atomic():
        first = issue_notice(case=cases[0], kind=NoticeKind.DECISION, actor=approver)
        sequence = DocumentSequence.objects.select_for_update().get(pk=first.sequence_id)
        notices = []
        for number, case in enumerate(cases[1:], start=2):
            details = {**first.details, "organization": case.organization.name,
                       "decided_amount": case.decided_amount, "household_count": case.household_count,
                       "computation_lines": list(case.computation.get("lines", []))}
            notices.append(Notice(
                case=case, sequence=sequence, kind=NoticeKind.DECISION, fiscal_year=sequence.fiscal_year,
                number=number, document_number=format_document_number(sequence.prefix, sequence.fiscal_year, number),
                issued_on=first.issued_on, issued_by=approver, amount=case.decided_amount or 0, details=details,
            ))
            if len(notices) == 2000:
                Notice.objects.bulk_create(notices)
                notices = []
        Notice.objects.bulk_create(notices)
        sequence.last_number = len(cases)
        sequence.save(update_fields=["last_number"])
    return year.pk, format_document_number(sequence.prefix, sequence.fiscal_year, 0).replace("-0号", "-{}号")


# --- The renderings measured ---------------------------------------------------------------------------------------


def all_in_one_pdf(notices, out) -> int:  # type: ignore[no-untyped-def]
    """The batch as the job rendered it before (the baseline): every notice laid out and kept, then the pages of
    all merged into one document and written at once. Returns the page count."""
    from weasyprint.text.fonts import FontConfiguration

    from reports.pdf import html_document, render_notice_html

    font_config = FontConfiguration()
    documents = [html_document(render_notice_html(notice), font_config=font_config) for notice in notices]
    pages = [page for document in documents for page in document.pages]
    documents[0].copy(pages).write_pdf(target=out)
    return len(pages)


def child(mode: str, n: int, chunk: int, programme_year: int, path: str) -> None:
    """Render ``n`` notices (``mode``: chunked or baseline) into ``path``; print one JSON line."""
    temp_django.start(NAME)  # BENCH_DATABASE_URL is the parent's database: not recreated
    from grants.notices.jobs import notices_of_year
    from grants.programmes.models import ProgrammeYear
    from reports.pdf import write_notices_pdf

    year = ProgrammeYear.objects.select_related("programme").get(pk=programme_year)
    notices = notices_of_year(year)[:n]
    calls: list[tuple[int, int]] = []
    before = peak_rss()
    started = time.perf_counter()
    def progress(done: int, total: int) -> None:
        calls.append((done, total))
        if done and done % 1000 == 0:  # to the parent's output as it goes: the curve, even of a run cut short
            print(f"  … {done:>6} of {total}: peak {peak_rss() / 2**20:.0f} MiB, "
                  f"{time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)

    with open(path, "wb") as out:
        if mode == "chunked":
            pages = write_notices_pdf(notices, out, chunk_size=chunk, progress=progress)
        else:
            pages = all_in_one_pdf(notices.iterator(chunk_size=500), out)
    seconds = time.perf_counter() - started
    peak = peak_rss()
    print(json.dumps({"seconds": seconds, "peak": peak, "before": before, "pages": pages,
                      "last_progress": calls[-1] if calls else None, "progress_calls": len(calls)}))


def peak_rss() -> int:
    """This process's peak resident memory in bytes: ``VmHWM`` of /proc/self/status (Linux). Not
    ``getrusage(...).ru_maxrss``, which Linux carries over ``exec`` from the parent (the parent that built the
    database peaks higher than a child rendering 770 notices)."""
    with open("/proc/self/status") as status:
        line = next(line for line in status if line.startswith("VmHWM:"))
    return int(line.split()[1]) * 1024


# --- Checking the output --------------------------------------------------------------------------------------------


def _tool(*args: str) -> str:
    env = {**os.environ, "TZ": "UTC"}  # django.setup() sets TZ to Asia/Tokyo in this process
    return subprocess.run(list(args), capture_output=True, text=True, check=True, env=env).stdout


def check_pdf(path: str, n: int, chunk: int, number_format: str) -> dict[str, object]:
    info = _tool("pdfinfo", path)
    pages = int(next(line.split()[1] for line in info.splitlines() if line.startswith("Pages:")))
    fonts = _tool("pdffonts", path).splitlines()[2:]
    subsets = all(line.split()[-5] == "yes" and line.split()[-4] == "yes" for line in fonts)
    order_ok = True
    for page in sorted({1, min(chunk, n), min(chunk + 1, n), n}):
        text = re.sub(r"\s+", "", _tool("pdftotext", "-f", str(page), "-l", str(page), "-enc", "UTF-8", path, "-"))
        order_ok &= number_format.format(page) in text
    return {"pdf_pages": pages, "bytes": os.path.getsize(path), "fonts": len(fonts), "subsets": subsets,
            "order_ok": order_ok}


def measure(mode: str, n: int, chunk: int, programme_year: int, number_format: str) -> dict[str, object]:
    with tempfile.TemporaryDirectory(prefix="bench_batch_print_") as folder:
        path = os.path.join(folder, "out.pdf")
        result = subprocess.run(
            [sys.executable, __file__, "--child", mode, "--n", str(n), "--chunk", str(chunk),
             "--programme-year", str(programme_year), "--path", path],
            stdout=subprocess.PIPE, text=True, env=os.environ.copy(),  # its stderr (progress) goes through
        )
        if result.returncode:
            sys.exit(f"{mode} {n}: the child failed")
        row: dict[str, object] = json.loads(result.stdout.strip().splitlines()[-1])
        row.update(check_pdf(path, n, chunk, number_format))
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[770, 3000, 30000])
    parser.add_argument("--chunk", type=int, default=None, help="notices per chunk (default reports.pdf.CHUNK_SIZE)")
    parser.add_argument("--no-baseline", action="store_true", help="skip the all-in-one run at the first size")
    parser.add_argument("--child", choices=["chunked", "baseline"], help=argparse.SUPPRESS)
    parser.add_argument("--n", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--programme-year", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--path", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.n, args.chunk, args.programme_year, args.path)
        return

    print(f"load: {_tool('uptime').strip()}")
    temp_django.start(NAME, postgres=True)
    from django.db import connection

    from reports.pdf import CHUNK_SIZE

    chunk = args.chunk or CHUNK_SIZE
    os.environ["BENCH_DATABASE_URL"] = os.environ["DATABASE_URL"]  # the children use this database as it is
    started = time.perf_counter()
    programme_year, number_format = prepare(max(args.sizes))
    connection.close()
    print(f"setup: {max(args.sizes)} decided cases and 交付決定通知書 in {time.perf_counter() - started:.1f} s "
          f"({connection.vendor}); chunk {chunk} notices")

    print(f"{'run':<10}{'N':>7}{'s':>9}{'notices/s':>11}{'peak MiB':>10}{'growth':>8}{'MiB/1000':>9}"
          f"{'pages':>7}{'KB/page':>8}{'fonts':>7}  checks")
    base = None
    if not args.no_baseline:
        base = measure("baseline", args.sizes[0], chunk, programme_year, number_format)
        _print("baseline", args.sizes[0], base, "(the rendering before: for comparison)")
    failed = False
    rows = {}
    for n in args.sizes:
        row = rows[n] = measure("chunked", n, chunk, programme_year, number_format)
        ok = (row["pages"] == row["pdf_pages"] == n and row["subsets"] and row["order_ok"]
              and row["last_progress"] == [n, n] and int(row["peak"]) < TARGET_PEAK_BYTES)  # type: ignore[call-overload]
        failed |= not ok
        _print("chunked", n, row, "PASS" if ok else "FAIL")
    if base:
        first = rows[args.sizes[0]]
        print(f"baseline (all in one) at {args.sizes[0]}: peak {_mib(base['peak']):.0f} MiB, {base['seconds']:.1f} s; "
              f"chunked at the same size: peak ÷ baseline = {int(first['peak']) / int(base['peak']):.2f}, "  # type: ignore[call-overload]
              f"time ÷ baseline = {float(first['seconds']) / float(base['seconds']):.2f}")  # type: ignore[arg-type]
    print(f"target: chunked peak < {TARGET_PEAK_BYTES / 1e6:.0f} MB at every size: {'FAIL' if failed else 'PASS'}")
    print(f"load: {_tool('uptime').strip()}")
    sys.exit(1 if failed else 0)


def _mib(value: object) -> float:
    return int(value) / 2**20  # type: ignore[call-overload]


def _print(mode: str, n: int, row: dict[str, object], verdict: str) -> None:
    seconds, pages = float(row["seconds"]), int(row["pdf_pages"])  # type: ignore[arg-type, call-overload]
    growth = _mib(row["peak"]) - _mib(row["before"])
    print(f"{mode:<10}{n:>7}{seconds:>9.1f}{n / seconds:>11.1f}{_mib(row['peak']):>10.0f}{growth:>8.0f}"
          f"{growth / n * 1000:>9.1f}{pages:>7}{int(row['bytes']) / max(pages, 1) / 1000:>8.1f}"  # type: ignore[call-overload]
          f"{row['fonts']:>7}  {'subsets' if row['subsets'] else 'NOT SUBSET'}, "
          f"{'order ok' if row['order_ok'] else 'ORDER WRONG'}, progress {row['last_progress']} {verdict}", flush=True)


if __name__ == "__main__":
    main()
