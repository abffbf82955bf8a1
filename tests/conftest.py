"""Persona fixtures, factories and the browser shared by the whole suite."""
import datetime as dt
import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.cache import cache
from django.utils import timezone

from grants.accounts.models import Role
from grants.cases.batches import approve_payment_batch, create_payment_batch
from grants.cases.models import GrantCase
from grants.cases.services import apply_count
from reports.zengin_batch import batch_file
from tests import factories
from tests.cases import deadlines
from tests.cases.steps import to_decided
from tests.cases.world import World, make_world
from tests.competitive import builders as competitive_builders
from tests.competitive import steps as competitive_steps
from tests.councils import builders as council_builders
from tests.jobs import worker
from tests.notices import builders as notice_builders
from tests.reports import builders as report_builders


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):  # type: ignore[no-untyped-def]
    """Hashing with PBKDF2 costs ~0.3 s a user; tests need logins, not strength."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _two_factor_off(settings):  # type: ignore[no-untyped-def]
    """The suite tests what city users do once logged in; the tests of the two-factor login
    (tests/accounts/test_two_factor.py) turn it on."""
    settings.REQUIRE_TWO_FACTOR = False


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path_factory):  # type: ignore[no-untyped-def]
    """Uploaded and generated files (attachments, the demo's PDFs) go to a temporary folder, never var/media."""
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")


#: Every append-only table (``grants.core.append_only``): tests/core/test_append_only.py checks that it is the list of
#: the installed ``AppendOnlyModel`` tables and attacks each. After a transactional test, Django empties the database
#: with ``flush`` (DELETE on SQLite, TRUNCATE on PostgreSQL), which the triggers refuse: grants.core's own ``flush``
#: command lifts them for it and puts them back in the same transaction, so no fixture has to.
APPEND_ONLY_TABLES = ("ledger_ledgerentry", "core_auditevent", "insurance_personaldataaccess", "programmes_ruleversion",
                      "organizations_householdcount", "organizations_organizationfigure", "notices_notice")


@pytest.fixture
def root(client, db):  # type: ignore[no-untyped-def]
    """An administrator (superuser ``root``) logged in on ``client``, for the admin's pages."""
    user = factories.UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(user)
    return user


@pytest.fixture
def programme_year(db):  # type: ignore[no-untyped-def]
    """令和8年度 自治会等自治振興交付金, sample rule 均等割 10,000円 + 世帯割 500円, budget 5,000,000円."""
    return factories.programme_year_with_budget(budget=5_000_000)


@pytest.fixture
def association(db):  # type: ignore[no-untyped-def]
    return factories.AssociationFactory()


@pytest.fixture
def association_head(association):  # type: ignore[no-untyped-def]
    user = factories.UserFactory(username="head", role=Role.ASSOCIATION_HEAD)
    factories.RepresentativeFactory(organization=association, user=user, started_on=dt.date(2025, 4, 1))
    return user


@pytest.fixture
def staff(db):  # type: ignore[no-untyped-def]
    return factories.UserFactory(username="staff", role=Role.STAFF)


@pytest.fixture
def staff2(db):  # type: ignore[no-untyped-def]
    return factories.UserFactory(username="staff2", role=Role.STAFF)


@pytest.fixture
def approver(db):  # type: ignore[no-untyped-def]
    return factories.UserFactory(username="approver", role=Role.APPROVER)


@pytest.fixture
def finance(db):  # type: ignore[no-untyped-def]
    return factories.UserFactory(username="finance", role=Role.FINANCE)


@pytest.fixture
def finance2(db):  # type: ignore[no-untyped-def]
    return factories.UserFactory(username="finance2", role=Role.FINANCE)


@pytest.fixture
def auditor(db):  # type: ignore[no-untyped-def]
    return factories.UserFactory(username="auditor", role=Role.AUDITOR)


@pytest.fixture
def insurance(db):  # type: ignore[no-untyped-def]
    """保険担当: the one city role that sees injured people's data."""
    return factories.UserFactory(username="hoken", role=Role.INSURANCE)


@pytest.fixture
def insurance2(db):  # type: ignore[no-untyped-def]
    return factories.UserFactory(username="hoken2", role=Role.INSURANCE)


@pytest.fixture
def policy(db):  # type: ignore[no-untyped-def]
    """The insurance policy of the year around today, with the standard conditions (tests/insurance/builders)."""
    from tests.insurance import builders

    return builders.policy()


# --- the 地域づくり協議会 grants: two councils with their secretaries and the two council programme-years ------------
@pytest.fixture
def council(db):  # type: ignore[no-untyped-def]
    """大歳 council and its secretary (``secretary``) (tests/councils/builders)."""
    from tests.councils import builders

    return builders.council()


@pytest.fixture
def council_b(db):  # type: ignore[no-untyped-def]
    """湯田 council and its secretary (``yuda-secretary``): the other council of every cross-council attack."""
    from tests.councils import builders

    return builders.council(name="湯田地域づくり協議会", username="yuda-secretary")


@pytest.fixture
def other_council(db):  # type: ignore[no-untyped-def]
    """湯田まちづくり協議会 and its secretary (``secretary-yuda``), the other council of the 事務局員 tests."""
    return council_builders.council(name="湯田まちづくり協議会", username="secretary-yuda")


@pytest.fixture
def katsudo(db):  # type: ignore[no-untyped-def]
    from tests.councils import builders

    return builders.katsudo_year()


@pytest.fixture
def unei(db):  # type: ignore[no-untyped-def]
    from tests.councils import builders

    return builders.unei_year()


@pytest.fixture
def world(council, katsudo, staff, staff2, approver, finance, finance2, auditor) -> World:  # type: ignore[no-untyped-def]
    """The cast of the full-lifecycle tests (tests/cases/world.py): ``council`` with its approved plan, the city's
    users and the expense categories, around the 活動支援 programme-year."""
    return make_world(council, katsudo, staff, staff2, approver, finance, finance2, auditor)


@pytest.fixture
def approver2(db):  # type: ignore[no-untyped-def]
    return factories.UserFactory(username="approver2", role=Role.APPROVER)


@pytest.fixture
def jichikai_head(db):  # type: ignore[no-untyped-def]
    """A 自治会長 of the same 地域: role association_head, but of a 自治会, not of a council."""
    org = factories.AssociationFactory()
    user = factories.UserFactory(username="jichikai-head", role=Role.ASSOCIATION_HEAD)
    factories.RepresentativeFactory(organization=org, user=user, started_on=dt.date(2020, 4, 1))
    return user


# --- payments: the city's transfer settings, a transfer day, a case whose payment is approved ---------------------
@pytest.fixture
def transfer_settings(db):  # type: ignore[no-untyped-def]
    from grants.ledger.models import TransferSettings

    return TransferSettings.objects.create(
        requester_code="1234567890", requester_name_kana="ﾔﾏｸﾞﾁｼ", bank_code="0170", branch_code="001",
        account_type="2", account_number="7654321", lead_days=0,
    )


@pytest.fixture
def transfer_day() -> dt.date:
    from grants.core.bankdays import next_bank_business_day

    return next_bank_business_day(timezone.localdate() + dt.timedelta(days=7))


@pytest.fixture
def approved_case(case, association_head, staff, approver, finance):  # type: ignore[no-untyped-def]
    """The head's case (70,000 yen), payment approved by ``finance`` (drafted by ``staff``)."""
    from tests.cases.steps import approve_case

    return approve_case(case, association_head, staff, approver, staff, finance)


@pytest.fixture
def draft_batch(approved_case, finance, transfer_day):  # type: ignore[no-untyped-def]
    """A payment batch of ``approved_case`` made by ``finance``, not yet approved."""
    return create_payment_batch(actor=finance, case_ids=[approved_case.pk], transfer_date=transfer_day)


@pytest.fixture
def sent_batch(draft_batch, finance2, transfer_settings):  # type: ignore[no-untyped-def]
    """``draft_batch`` approved by ``finance2``: its 全銀 file written, its payment posted."""
    return approve_payment_batch(batch_id=draft_batch.pk, actor=finance2, write_file=batch_file)


@pytest.fixture
def ledger_story(case, other_case, association_head, staff, staff2, approver, finance):  # type: ignore[no-untyped-def]
    """The budget dashboard's story (tests/reports/builders.py): ``case`` (大歳) and ``other_case`` (湯田) paid,
    a refund, reversals of a refund, a budget entry and a commitment; returns the programme-year."""
    return report_builders.ledger_story(case, other_case, association_head, staff, staff2, approver, finance)


# --- notices: a case decided (it has a 交付決定通知書) and another association's case refused (tests/notices/builders) --
@pytest.fixture
def notice_case(programme_year, association, association_head):  # type: ignore[no-untyped-def]
    """A draft case of ``association`` (head user ``head``, 会長 山口 太郎, account 1234567): 120 households,
    70,000 yen. The notice tests make it their module's ``case``."""
    return notice_builders.new_case(programme_year, association)


@pytest.fixture
def decided_case(case, association_head, staff, approver):  # type: ignore[no-untyped-def]
    """``case`` submitted by its head, verified and decided (with its 交付決定通知書)."""
    return notice_builders.with_relations(to_decided(case, association_head, staff, approver))


@pytest.fixture
def refused_case(programme_year, staff, approver):  # type: ignore[no-untyped-def]
    """Another association's case, refused with a reason (its head is user ``other-head``)."""
    return notice_builders.refused(programme_year, staff, approver)


# --- 実績報告 deadlines (tests/cases/deadlines.py) -------------------------------------------------------------------
@pytest.fixture
def today() -> dt.date:
    return timezone.localdate()


@pytest.fixture
def year(today):  # type: ignore[no-untyped-def]
    """活動支援 with completion + 30 days and a fixed date far enough away never to be the earlier one."""
    return deadlines.report_due_year(today)


# --- the insurance: groups A and B, each with its head, a draft report and a filed claim --------------------------
@pytest.fixture
def group_a(association, association_head, insurance, policy):  # type: ignore[no-untyped-def]
    """The 「head」's group: 山田 太郎 hurt, a draft report and a filed claim (tests/insurance/groups)."""
    from tests.insurance.groups import make_group

    return make_group(association, association_head, insurance)


@pytest.fixture
def group_b(insurance, policy):  # type: ignore[no-untyped-def]
    """Another group (湯田第1自治会) with its head 「head-b」: 湯田 花子 hurt."""
    from tests.insurance.groups import head_of, make_group

    org = factories.AssociationFactory(name="湯田第1自治会")
    return make_group(org, head_of(org, "head-b"), insurance, name="湯田 花子")


@pytest.fixture
def media(settings):  # type: ignore[no-untyped-def]
    """The temporary MEDIA_ROOT every test gets (``_media_in_tmp``), for tests that look at the stored files."""
    return settings.MEDIA_ROOT


@pytest.fixture
def run_worker():  # type: ignore[no-untyped-def]
    """Run the real django-tasks database worker over every queued task, in this process (tests/jobs/worker.py;
    the test keeps its connection: ``_worker_keeps_the_test_connection`` below)."""
    return worker.run_worker


@pytest.fixture
def export_workbook(client, run_worker, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    """Request the programme-year workbook as ``user`` through the page, run the worker, download it."""
    from django.urls import reverse

    from grants.jobs.models import Job

    def export(user, programme_year_id: int):  # type: ignore[no-untyped-def]
        client.force_login(user)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("request_programme_year_export", args=[programme_year_id]),
                                   {"format": "xlsx"})
        assert response.status_code == 302, response.status_code
        run_worker()
        job = Job.objects.latest("pk")
        download = client.get(reverse("job_download", args=[job.pk]))
        assert download.status_code == 200, job.message
        return b"".join(download.streaming_content)

    return export


# --- the browser: Debian's chromium driven by Playwright for Python ----------------------------------------------
# Playwright's sync API runs an event loop in this thread; the ORM calls of the test itself are synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: run bin/test (it installs Debian's chromium)")
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser) -> Iterator[object]:  # type: ignore[no-untyped-def]
    context = browser.new_context(locale="ja-JP", timezone_id="Asia/Tokyo", accept_downloads=True)
    context.set_default_timeout(15_000)
    page = context.new_page()
    # The Content-Security-Policy (no inline script or style, nothing from outside) holds on every page a browser
    # test opens: a refusal by the browser fails the test that met it.
    refused: list[str] = []
    page.on("console", lambda message: refused.append(message.text)
            if "Content Security Policy" in message.text else None)
    yield page
    # Leave the page first, so that no script (a job page polls every few seconds) sends a request while the test's
    # database is emptied: a poll the live server was still answering deadlocked PostgreSQL's flush once. The
    # pause lets a request already under way finish.
    page.goto("about:blank")
    time.sleep(0.2)
    context.close()
    assert not refused, "Content-Security-Policy に反する内容があります: " + " / ".join(refused)


@pytest.fixture
def check_a11y():  # type: ignore[no-untyped-def]
    """Run axe-core (WCAG 2.1 A/AA rules) on the current page and fail with the violations listed."""
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()

    def check(page, name: str) -> None:  # type: ignore[no-untyped-def]
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
        results = axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS},
                                         "resultTypes": ["violations"]})
        assert results.violations_count == 0, f"{name}: {results.generate_report()}"

    return check


@pytest.fixture(autouse=True)
def _worker_keeps_the_test_connection(monkeypatch):  # type: ignore[no-untyped-def]
    """The django-tasks worker closes "old" connections between tasks; in a test the connection is the test's
    own, inside its atomic block, and must stay open (PostgreSQL fails the test otherwise)."""
    monkeypatch.setattr("django_tasks_db.management.commands.db_worker.close_old_connections", lambda **kw: None)


# --- cases of the sample programme-year, shared by every folder ----------------------------------------------
@pytest.fixture
def ready_association(association):  # type: ignore[no-untyped-def]
    """An association with a bank account and a count of 120 households on the base date (April 1)."""
    factories.BankAccountFactory(organization=association)
    factories.count(association, factories.BASE_DATE, 120)
    return association


@pytest.fixture
def case(programme_year, ready_association, association_head):  # type: ignore[no-untyped-def]
    """A draft case of 120 households: 10,000 + 120 × 500 = 70,000 yen."""
    case = GrantCase(programme_year=programme_year, organization=ready_association)
    apply_count(case, 120)
    case.save()
    return case


@pytest.fixture
def other_case(programme_year):  # type: ignore[no-untyped-def]
    other = factories.AssociationFactory(name="白石第1自治会")
    factories.BankAccountFactory(organization=other)
    factories.RepresentativeFactory(organization=other, name="別の 会長")
    case = GrantCase(programme_year=programme_year, organization=other)
    apply_count(case, 40)
    case.save()
    return case


@pytest.fixture(autouse=True)
def _bank_results_come_after_the_transfer_date(request, monkeypatch):  # type: ignore[no-untyped-def]
    """Batches in tests are dated a few business days ahead, as the bank requires, and their results are
    recorded in the same test: record them as on a day after any transfer date. Tests marked
    ``real_result_day`` keep today's date (they check that a result before the transfer date is refused)."""
    if request.node.get_closest_marker("real_result_day") is None:
        monkeypatch.setattr("grants.ledger.transfers.result_day", lambda: dt.date.max)


# --- the competitive programme (tests/competitive/builders.py): its year, an open call, two confirmed groups, two
# panel members, and an application in screening -------------------------------------------------------------------
@pytest.fixture
def shimin_year(db):  # type: ignore[no-untyped-def]
    return competitive_builders.programme_year()


@pytest.fixture
def open_call(shimin_year, staff):  # type: ignore[no-untyped-def]
    return competitive_builders.call(shimin_year, staff)


@pytest.fixture
def npo(staff):  # type: ignore[no-untyped-def]
    """(organisation, representative user) of a confirmed group."""
    return competitive_builders.group(confirmed_by=staff)


@pytest.fixture
def npo_b(staff):  # type: ignore[no-untyped-def]
    return competitive_builders.group("circle-head", "大歳まちなか音楽サークル", confirmed_by=staff)


@pytest.fixture
def judge(open_call, staff):  # type: ignore[no-untyped-def]
    return competitive_builders.panel_member(open_call, "judge1", staff)


@pytest.fixture
def judge2(open_call, staff):  # type: ignore[no-untyped-def]
    return competitive_builders.panel_member(open_call, "judge2", staff)


@pytest.fixture
def screened(open_call, npo, staff):  # type: ignore[no-untyped-def]
    """``npo``'s application to ``open_call``, accepted for screening."""
    return competitive_steps.screening(open_call, *npo, staff)


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    """The API's rate counts live in the cache (locmem in the tests, kept by each worker process across tests):
    every test starts with none, so that no test is answered 429 for the calls of the tests before it."""
    cache.clear()
