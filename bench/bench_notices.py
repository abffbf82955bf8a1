"""Benchmark: rendering notices (通知書) as PDF, one at a time and as the batch of a whole programme-year.

Run from the project root: ``.venv/bin/python bench/bench_notices.py [--runs 30] [--limit N]``.

Sets Django up against a throw-away SQLite database (``BENCH_DATABASE_URL``, default
``sqlite:////tmp/bench_notices.sqlite3``, deleted first), migrates, runs ``setup_demo`` (≈770 demo 自治会 with
heads, accounts and counts), creates one decided case per association directly (amount from the sample rule;
no ledger entries — this measures printing, not deciding) and issues every decision notice with
``issue_notice``. Then measures:

- p50 / p90 of ``render_notice_pdf`` for one notice over ``--runs`` renders (after 3 warm-up renders);
- the time of ``render_notices_pdf`` over all notices (the ``notices_batch`` job's work), its page count
  (``pdfinfo``), pages per second, and the ratio batch time ÷ (N × p50): 1.0 means the batch costs exactly
  N single renders measured in the same process; below 1 the batch saves per-document overhead, above 1 the
  merge costs extra.

Times are wall-clock seconds (``time.perf_counter``); peak RSS is from ``resource.getrusage`` (KiB on Linux).
"""
from __future__ import annotations

import argparse
import io
import resource
import statistics
import subprocess
import tempfile
import time

import temp_django  # bench/ is the script's folder, first on sys.path


def prepare(limit: int | None) -> list[int]:
    """Demo data, one decided case per demo 自治会 and its decision notice; returns the notice ids."""
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    from grants.accounts.models import User
    from grants.cases.models import GrantCase, Status
    from grants.notices.models import Notice, NoticeKind
    from grants.notices.services import issue_notice
    from grants.organizations.models import HouseholdCount, Organization, OrganizationKind
    from grants.programmes.engine import compute, load_rule
    from grants.programmes.models import ProgrammeYear

    call_command("migrate", verbosity=0)
    call_command("setup_demo", password="x", stdout=io.StringIO())
    year = ProgrammeYear.objects.select_related("programme").get(programme__code="jichi_shinko", label="サンプル")
    rule = load_rule(year.pk)
    approver = User.objects.get(username="kessai")
    counts = dict(
        HouseholdCount.objects.filter(base_date=year.base_date).order_by("recorded_at", "pk")
        .values_list("organization_id", "households")
    )
    orgs = Organization.objects.filter(kind=OrganizationKind.JICHIKAI, is_active=True, pk__in=counts).order_by("code")
    if limit:
        orgs = orgs[:limit]
    today = timezone.localdate()
    cases = []
    for org in orgs:
        result = compute(rule, {"households": counts[org.pk]})
        cases.append(GrantCase(
            programme_year=year, organization=org, status=Status.DECIDED, household_count=counts[org.pk],
            computation=result.as_json(), computed_amount=result.amount, decided_amount=result.amount,
            decided_on=today, decided_by=approver, submitted_at=timezone.now(),
        ))
    GrantCase.objects.bulk_create(cases)
    with transaction.atomic():
        for case in GrantCase.objects.filter(programme_year=year).select_related(
            "programme_year__programme", "organization"
        ):
            issue_notice(case=case, kind=NoticeKind.DECISION, actor=approver)
    return list(Notice.objects.for_printing().values_list("pk", flat=True))


def pdf_pages(pdf: bytes) -> int:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(pdf)
        f.flush()
        info = subprocess.run(["pdfinfo", f.name], capture_output=True, text=True, check=True).stdout
    return int(next(line.split()[1] for line in info.splitlines() if line.startswith("Pages:")))


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * p
    low, high = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30, help="single renders measured (default 30)")
    parser.add_argument("--limit", type=int, default=None, help="at most this many associations")
    args = parser.parse_args()

    temp_django.start("notices")
    from grants.notices.models import Notice
    from reports.pdf import render_notice_pdf, render_notices_pdf

    started = time.perf_counter()
    ids = prepare(args.limit)
    setup_seconds = time.perf_counter() - started
    n = len(ids)
    print(f"setup: {n} decided cases and decision notices in {setup_seconds:.1f} s")

    notices = {x.pk: x for x in Notice.objects.for_printing()}
    sample = [notices[ids[i * n // args.runs]] for i in range(args.runs)]
    for notice in sample[:3]:
        render_notice_pdf(notice)  # warm-up: templates, fonts, imports
    times, single_pages = [], []
    for notice in sample:
        t = time.perf_counter()
        pdf = render_notice_pdf(notice)
        times.append(time.perf_counter() - t)
        single_pages.append(pdf_pages(pdf))
    p50, p90 = statistics.median(times), percentile(times, 0.9)
    print(f"single notice: p50 {p50 * 1000:.1f} ms, p90 {p90 * 1000:.1f} ms, min {min(times) * 1000:.1f} ms, "
          f"max {max(times) * 1000:.1f} ms over {len(times)} runs ({statistics.mean(single_pages):.2f} pages each)")

    done: list[int] = []
    t = time.perf_counter()
    batch = render_notices_pdf(Notice.objects.for_printing(), progress=lambda d, total: done.append(d))
    batch_seconds = time.perf_counter() - t
    pages = pdf_pages(batch)
    baseline = n * p50
    print(f"batch of {n} notices: {batch_seconds:.1f} s, {pages} pages, {len(batch) / 1e6:.1f} MB, "
          f"{pages / batch_seconds:.1f} pages/s, {n / batch_seconds:.1f} notices/s, progress calls {len(done)}")
    print(f"baseline {n} × p50 = {baseline:.1f} s; ratio batch / baseline = {batch_seconds / baseline:.2f}")
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
