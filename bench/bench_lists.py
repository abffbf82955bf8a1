"""Benchmark: the 案件一覧 (case list) and the admin changelist of cases at 100,000 cases, on PostgreSQL.

Run from the project root: ``.venv/bin/python bench/bench_lists.py [--cases 100000] [--years 4] [--requests 50]``.

Sets Django up against a throw-away PostgreSQL database ``bench_lists`` (``temp_django.start("lists",
postgres=True)``; ``BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_lists`` reuses the database of an
earlier run as it is, without building it again), migrates, and builds ``--cases`` cases spread evenly over
``--years`` programme-years (two programmes, alternating, newest 年度 first), one case per association and
programme-year (cases ÷ years associations over the city's 地域), in mixed states with amounts, by ``bulk_create``
in batches of 5,000; then ANALYZE.

Then times ``--requests`` GETs of each page (Django's test ``Client``, logged in; after 3 unmeasured ones), as a
協働推進課 担当 for the list and as a superuser for the admin:

- the list's first page, a later page (page 40), a page filtered (状態 and 地域), a page sorted by 算定額
  (largest first) and one sorted by 団体コード;
- the admin changelist of cases, its first page and a later one.

Prints p50 and p95 in milliseconds, the number of SQL queries of each page (one request, counted by
``connection.execute_wrapper``), and the baseline from the same run: the bare ORM SELECT of the first page's rows
(``GrantCase`` with its organisation, 地域 and programme-year, by primary key, LIMIT 50), timed the same way, and
the ratio of each page's p50 to it; and, for comparison, that SELECT in the order the list had before (the
model's ordering, by 年度 and 団体コード across the join, which sorts every case). Exits with status 1 when a
page's p95 is 150 ms or more, or a page makes more than 10 queries. Times are wall-clock (``time.perf_counter``);
the machine is shared, so ``uptime``'s load is printed before and after.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from functools import partial

import temp_django  # bench/ is the script's folder, first on sys.path
from timing import counted, p95, timed, uptime

P95_TARGET_MS = 150
MAX_QUERIES = 10
BATCH = 5_000




def build(cases: int, years: int) -> None:
    """``cases`` cases over ``years`` programme-years, a 担当 ``bench-staff`` and a superuser ``bench-root``."""
    import datetime as dt

    from django.db import connection, transaction

    from grants.accounts.models import Role, User
    from grants.cases.models import GrantCase, Status
    from grants.organizations.models import Area, Organization, OrganizationKind
    from grants.programmes.models import Programme, ProgrammeYear

    User.objects.create_user("bench-staff", password="x", role=Role.STAFF)
    User.objects.create_superuser("bench-root", password="x")
    areas = list(Area.objects.all())
    if not areas:
        areas = Area.objects.bulk_create(Area(code=f"{i:02d}", name=f"地域{i}", kana=f"ちいき{i}",
                                              centre_name=f"地域{i}交流センター") for i in range(1, 22))
    programmes = [Programme.objects.create(code=code, name=name, short_name=short,
                                           recipient_kind=OrganizationKind.JICHIKAI)
                  for code, name, short in (("bench_a", "自治会等自治振興交付金（比較用）", "自治振興"),
                                            ("bench_b", "地域活動支援交付金（比較用）", "活動支援"))]
    pys = []
    for i in range(years):
        fy = 2026 - i // 2 if years > 1 else 2026
        pys.append(ProgrammeYear.objects.create(
            programme=programmes[i % 2], fiscal_year=fy, base_date=dt.date(fy, 4, 1),
            application_opens=dt.date(fy, 4, 1), application_closes=dt.date(fy + 1, 3, 31),
        ))
    per_year = cases // years
    with transaction.atomic():
        orgs = Organization.objects.bulk_create(
            (Organization(kind=OrganizationKind.JICHIKAI, code=f"J{i:07d}", name=f"第{i}自治会",
                          area=areas[i % len(areas)]) for i in range(per_year)), batch_size=BATCH)
    states = [Status.DRAFT, Status.SUBMITTED, Status.VERIFIED, Status.DECIDED]
    for py in pys:
        batch = []
        for n, org in enumerate(orgs, start=1):
            status = states[(n * 7 + py.pk) % len(states)]
            households = 20 + (n * 37) % 400
            amount = 10_000 + households * 500
            decided = status == Status.DECIDED
            batch.append(GrantCase(
                programme_year=py, organization=org, number=n, status=status, household_count=households,
                computed_amount=amount, decided_amount=amount if decided else None,
                decided_on=dt.date(py.fiscal_year, 6, 1) if decided else None,
            ))
            if len(batch) == BATCH:
                GrantCase.objects.bulk_create(batch)
                batch = []
        if batch:
            GrantCase.objects.bulk_create(batch)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")  # as autovacuum would have by then: statistics and visibility map








def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--years", type=int, default=4)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--sql", action="store_true", help="print each page's SQL")
    args = parser.parse_args()

    reuse = bool(os.environ.get("BENCH_DATABASE_URL", "").endswith("/bench_lists"))
    temp_django.start("lists", postgres=True, REQUIRE_TWO_FACTOR="false")  # the pages, not the login
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from grants.accounts.models import User
    from grants.cases.models import GrantCase, Status
    from grants.organizations.models import Area

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]  # the test Client's host
    print("load before:", uptime())
    call_command("migrate", verbosity=0)
    if not (reuse and GrantCase.objects.exists()):
        started = time.perf_counter()
        build(args.cases, args.years)
        print(f"setup: {GrantCase.objects.count():,} cases in {time.perf_counter() - started:.1f} s")
    print(f"{GrantCase.objects.count():,} cases, {args.requests} requests each")

    staff, root = Client(), Client()
    staff.force_login(User.objects.get(username="bench-staff"))
    root.force_login(User.objects.get(username="bench-root"))
    area = Area.objects.order_by("code").first()
    pages = {
        "案件一覧 1ページ目": (staff, "/cases/"),
        "案件一覧 40ページ目": (staff, "/cases/?page=40"),
        "案件一覧 絞り込み（状態・地域）": (staff, f"/cases/?status={Status.DECIDED}&organization__area={area.pk}"),
        "案件一覧 算定額の大きい順": (staff, "/cases/?sort=-computed_amount"),
        "案件一覧 団体コード順 3ページ目": (staff, "/cases/?sort=organization__code&page=3"),
        "admin 一覧 1ページ目": (root, "/admin/cases/grantcase/"),
        "admin 一覧 40ページ目": (root, "/admin/cases/grantcase/?p=40"),
    }

    def bare() -> None:
        list(GrantCase.objects.select_related("organization__area", "programme_year__programme").order_by("pk")[:50])

    def across_the_join() -> None:
        list(GrantCase.objects.select_related("organization__area", "programme_year__programme")
             .order_by("programme_year", "organization__code")[:51])

    base = statistics.median(timed(bare, args.requests))
    print(f"baseline, the bare ORM SELECT of 50 cases with their joins by pk: p50 {base:.1f} ms")
    joined = timed(across_the_join, args.requests)
    print(f"for comparison, the first page's SELECT in the order before (GrantCase's Meta ordering, across the "
          f"join): p50 {statistics.median(joined):.1f} ms, p95 {p95(joined):.1f} ms")
    failed = []
    print(f"{'page':<36} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8} {'÷ baseline':>10}")
    for name, (client, url) in pages.items():
        queries: list[str] = []
        with connection.execute_wrapper(partial(counted, queries)):
            response = client.get(url)
        if args.sql:
            print(*queries, sep="\n")
        if response.status_code != 200:
            failed.append(f"{name}: status {response.status_code}")
            continue
        times = timed(lambda c=client, u=url: c.get(u), args.requests)
        p50, high = statistics.median(times), p95(times)
        print(f"{name:<36} {p50:8.1f} {high:8.1f} {len(queries):8d} {p50 / base:10.1f}")
        if high >= P95_TARGET_MS:
            failed.append(f"{name}: p95 {high:.0f} ms ≥ {P95_TARGET_MS} ms")
        if len(queries) > MAX_QUERIES:
            failed.append(f"{name}: {len(queries)} queries > {MAX_QUERIES}")
    print("load after:", uptime())
    for line in failed:
        print("FAILED", line)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
