"""Benchmark: the 振込 payment queue at 2,000 payable payments, the 台帳 page and the ledger's admin changelist at
1,000,000 ledger rows, on PostgreSQL.

Run from the project root: ``.venv/bin/python bench/bench_ledger.py [--rows 1000000] [--payable 2000]
[--years 10] [--requests 50]``.

Sets Django up against a throw-away PostgreSQL database ``bench_ledger`` (``temp_django.start("ledger",
postgres=True)``; ``BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_ledger`` reuses the database of an
earlier run as it is, without building it again), migrates, and builds:

- ``--years`` programme-years (one programme, 年度 after 年度, newest the current one), each with its budget account
  and 5,000 cases of 5,000 associations (one per association and programme-year, ``bulk_create`` by 5,000);
- ``--rows`` ledger entries written with PostgreSQL's COPY (the ledger's triggers refuse only UPDATE and DELETE):
  per programme-year one 予算 entry, then 交付決定 / 支出 pairs over its cases and a 返還 now and then, dated
  across the 年度, notes in Japanese, five 会計課 recorders; then 1,000 取消 entries reversing payments;
- ``--payable`` payments waiting for a batch (交付金, 支出承認済) in the newest programme-year, each association
  with its bank account; then ANALYZE.

Then times ``--requests`` GETs of each page (Django's test ``Client``, logged in, after 3 unmeasured ones): the
payment queue as a 会計課 user (its first page and a later page), the 台帳 as a 監査委員事務局 user (its first page,
a page 900,000 rows deep by its keyset cursor, filtered by programme-year + kind + 計上日, by organisation, and
at 100 rows a page) and the ledger's admin changelist as a superuser (first page, filtered by programme-year and
kind). Prints p50 and p95 in milliseconds and the number of SQL queries of each page (one request, counted by
``connection.execute_wrapper``), and the baselines from the same run, each timed the same way:

- the bare ORM SELECT of the 台帳's first page of rows (50 entries with the joins the page shows, newest first),
  the ratio of each ledger page's p50 to it;
- the queue as it was before it was paginated: the same view and template with every payable payment on one page
  (``pages.payments.views.PER_PAGE`` raised to 100,000 for the measurement), the ratio of the queue's p50 to it.

Exits with status 1 when a page's p95 is 150 ms or more, or a page makes more than 10 queries. Times are
wall-clock (``time.perf_counter``); the machine is shared, so ``uptime``'s load is printed before and after.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
from typing import Any

import temp_django  # bench/ is the script's folder, first on sys.path
from timing import p95, timed, uptime

P95_TARGET_MS = 150
MAX_QUERIES = 10
ORGANIZATIONS = 5_000
BATCH = 5_000
REVERSALS = 1_000




def build(rows: int, payable: int, years: int) -> None:
    """The data of the module's docstring; users ``bench-finance``, ``bench-auditor`` and ``bench-root``."""
    from django.db import connection
    from django.utils import timezone

    from grants.accounts.models import Role, User
    from grants.cases.models import GrantCase
    from grants.ledger.models import BudgetAccount, OrderKind, OrderStatus, PaymentOrder
    from grants.organizations.models import Area, BankAccount, Organization, OrganizationKind
    from grants.programmes.models import Programme, ProgrammeYear

    User.objects.create(username="bench-finance", role=Role.FINANCE, display_name="会計 一郎")
    User.objects.create(username="bench-auditor", role=Role.AUDITOR, display_name="監査 花子")
    User.objects.create(username="bench-root", is_staff=True, is_superuser=True, display_name="管理者")
    actors = [User.objects.create(username=f"bench-kaikei{n}", role=Role.FINANCE, display_name=f"会計 担当{n}").pk
              for n in range(5)]
    area = Area.objects.create(code="99", name="ベンチ地域", kana="べんちちいき", centre_name="ベンチ地域交流センター")
    organizations = Organization.objects.bulk_create(
        (Organization(kind=OrganizationKind.JICHIKAI, code=f"99-{n:05d}", name=f"ベンチ第{n}自治会", area=area)
         for n in range(ORGANIZATIONS)), batch_size=BATCH)
    BankAccount.objects.bulk_create(
        (BankAccount(organization=o, bank_code="0170", bank_name="山口銀行", branch_code="001",
                     branch_name="本店営業部", account_type="1", account_number=f"{1000000 + n:07d}",
                     holder_kana="ﾍﾞﾝﾁｼﾞﾁｶｲ") for n, o in enumerate(organizations)), batch_size=BATCH)
    programme = Programme.objects.create(code="bench", name="ベンチ自治振興交付金", short_name="ベンチ",
                                         recipient_kind=OrganizationKind.JICHIKAI)
    newest = timezone.localdate().year if timezone.localdate().month >= 4 else timezone.localdate().year - 1
    rng = random.Random(16)
    per_year = rows // years
    with connection.cursor() as django_cursor:
        raw = django_cursor.cursor  # psycopg's cursor: COPY
        for k in range(years):
            fy = newest - years + 1 + k
            year = ProgrammeYear.objects.create(
                programme=programme, fiscal_year=fy, base_date=dt.date(fy, 4, 1),
                application_opens=dt.date(fy, 4, 1), application_closes=dt.date(fy + 1, 3, 31))
            account = BudgetAccount.objects.create(programme_year=year)
            cases = GrantCase.objects.bulk_create(
                (GrantCase(programme_year=year, organization=o) for o in organizations), batch_size=BATCH)
            case_ids = [c.pk for c in cases]
            names = {c.pk: c.organization.name for c in cases}
            start = dt.datetime(fy, 4, 1, 9, tzinfo=dt.UTC)
            seconds = 365 * 86_400 // per_year
            with raw.copy("COPY ledger_ledgerentry (account_id, case_id, kind, amount, reverses_id, entry_date,"
                          " recorded_at, actor_id, note) FROM STDIN") as copy:
                copy.write_row((account.pk, None, "budget", 10**13, None, dt.date(fy, 4, 1), start, actors[0],
                                "当初予算"))
                amount = 0
                for n in range(1, per_year):
                    moment = start + dt.timedelta(seconds=n * seconds)
                    case_id = case_ids[(n // 2) % len(case_ids)]
                    if n % 2:
                        amount = rng.randint(10, 500) * 1_000
                        kind, note = "commitment", f"交付決定 {names[case_id]}"
                    elif n % 50 == 0:
                        kind, note = "refund", f"返還 {names[case_id]}"
                    else:
                        kind, note = "payment", f"支出 {names[case_id]}"
                    copy.write_row((account.pk, case_id, kind, amount, None, moment.date(), moment,
                                    actors[n % 5], note))
        django_cursor.execute(
            "INSERT INTO ledger_ledgerentry (account_id, case_id, kind, amount, reverses_id, entry_date, recorded_at,"
            " actor_id, note) SELECT account_id, NULL, 'reversal', amount, id, entry_date, recorded_at, actor_id,"
            " '誤りのため取消' FROM ledger_ledgerentry WHERE kind = 'payment' ORDER BY id LIMIT %s", [REVERSALS])
        newest_year = ProgrammeYear.objects.get(fiscal_year=newest)
        waiting = GrantCase.objects.filter(programme_year=newest_year).order_by("pk")[:payable]
        PaymentOrder.objects.bulk_create(
            (PaymentOrder(case=case, kind=OrderKind.WHOLE, number=1, label="交付金", amount=70_000 + case.pk % 100,
                          pay_on=dt.date(newest, 6, 1), status=OrderStatus.APPROVED) for case in waiting),
            batch_size=BATCH)
        django_cursor.execute("ANALYZE")






def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--payable", type=int, default=2_000)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--sql", action="store_true", help="print each page's SQL")
    args = parser.parse_args()

    reuse = bool(os.environ.get("BENCH_DATABASE_URL", "").endswith("/bench_ledger"))
    temp_django.start("ledger", postgres=True, REQUIRE_TWO_FACTOR="false")  # the pages, not the login
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from grants.accounts.models import User
    from grants.ledger.models import BudgetAccount, LedgerEntry
    from grants.organizations.models import Organization
    from pages.ledger.views import ROWS, Cursor
    from pages.payments import views as payment_views

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]  # the test Client's host
    print("load before:", uptime())
    call_command("migrate", verbosity=0)
    if not (reuse and LedgerEntry.objects.exists()):
        started = time.perf_counter()
        build(args.rows, args.payable, args.years)
        print(f"setup in {time.perf_counter() - started:.1f} s")
    print(f"{LedgerEntry.objects.count():,} ledger rows, {BudgetAccount.objects.count()} programme-years, "
          f"{args.requests} requests each")

    finance, auditor, root = Client(), Client(), Client()
    finance.force_login(User.objects.get(username="bench-finance"))
    auditor.force_login(User.objects.get(username="bench-auditor"))
    root.force_login(User.objects.get(username="bench-root"))
    deep = LedgerEntry.objects.order_by("-entry_date", "-pk")[900_000 if args.rows >= 1_000_000 else args.rows // 2]
    middle = BudgetAccount.objects.select_related("programme_year").order_by("programme_year__fiscal_year")[
        args.years // 2]
    fy = middle.programme_year.fiscal_year
    organization = Organization.objects.order_by("code")[1234 % ORGANIZATIONS]
    queue_pages = {
        "振込 1ページ目": (finance, "/payments/"),
        "振込 20ページ目": (finance, "/payments/?page=20"),
    }
    ledger_pages = {
        "台帳 1ページ目": (auditor, "/ledger/"),
        "台帳 900,000件目から": (auditor, f"/ledger/?after={Cursor.of(deep)}"),
        "台帳 絞り込み（事業・年度・区分・計上日）": (
            auditor, f"/ledger/?year={middle.programme_year_id}&kind=payment&date_from={fy}-10-01"
                     f"&date_to={fy}-12-31"),
        "台帳 団体で絞り込み": (auditor, f"/ledger/?organization={organization.code}"),
        "台帳 100件表示": (auditor, "/ledger/?per_page=100"),
        "admin 台帳 1ページ目": (root, "/admin/ledger/ledgerentry/"),
        "admin 台帳 絞り込み（事業・年度・区分）": (
            root, f"/admin/ledger/ledgerentry/?account={middle.pk}&kind=payment"),
    }

    def bare() -> None:
        list(LedgerEntry.objects.select_related(*ROWS).order_by("-entry_date", "-pk")[:50])

    base = statistics.median(timed(bare, args.requests))
    print(f"baseline, the bare ORM SELECT of the 台帳's first 50 rows with their joins: p50 {base:.1f} ms")
    per_page = payment_views.PER_PAGE
    payment_views.PER_PAGE = 100_000
    old = timed(lambda: finance.get("/payments/"), max(5, args.requests // 5))
    old_size = len(finance.get("/payments/").content)
    payment_views.PER_PAGE = per_page
    old_p50, old_p95 = statistics.median(old), p95(old)
    print(f"baseline, the queue with every payment on one page (as before): p50 {old_p50:.0f} ms, p95 {old_p95:.0f} ms")

    failed = []
    print(f"{'page':<40} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8} {'KB':>6} {'÷ baseline':>10}")
    for name, (client, url) in {**queue_pages, **ledger_pages}.items():
        queries: list[str] = []

        def count(run: Any, sql: str, params: Any, many: bool, context: Any, seen: list[str] = queries) -> Any:
            seen.append(sql)
            return run(sql, params, many, context)

        with connection.execute_wrapper(count):
            response = client.get(url)
        if args.sql:
            print(*queries, sep="\n")
        if response.status_code != 200:
            failed.append(f"{name}: status {response.status_code}")
            continue
        times = timed(lambda c=client, u=url: c.get(u), args.requests)
        p50, high = statistics.median(times), p95(times)
        against = old_p50 if name in queue_pages else base
        print(f"{name:<40} {p50:8.1f} {high:8.1f} {len(queries):8d} {len(response.content) // 1024:6d} "
              f"{p50 / against:10.2f}")
        if high >= P95_TARGET_MS:
            failed.append(f"{name}: p95 {high:.0f} ms ≥ {P95_TARGET_MS} ms")
        if len(queries) > MAX_QUERIES:
            failed.append(f"{name}: {len(queries)} queries > {MAX_QUERIES}")
    print(f"(the one-page queue: {old_size // 1024} KB; ÷ baseline: of the queue pages, to the one-page queue; "
          "of the others, to the bare SELECT)")
    print("load after:", uptime())
    for line in failed:
        print("FAILED", line)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
