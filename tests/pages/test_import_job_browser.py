"""A household-count import run by the worker, in a real browser: the upload answers at once with the job's
page, which follows the progress (static/js/job.js, under the CSP) and, once the worker is done, shows the run
it opened — or, for a file with errors, every error."""
import io
import re
from pathlib import Path

import pytest
from openpyxl import Workbook

from grants.accounts.models import Role
from tests import factories
from tests.pages.browser import log_in

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def _xlsx(path: Path, rows: list[list[object]]) -> Path:
    book = Workbook()
    for row in rows:
        book.worksheets[0].append(row)
    out = io.BytesIO()
    book.save(out)
    path.write_bytes(out.getvalue())
    return path


def _upload(page, base: str, year_pk: int, file: Path) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base}/years/{year_pk}/run/")
    page.get_by_label("世帯数のファイル（Excel・CSV）を取り込む").check()
    page.get_by_label("世帯数のファイル", exact=True).set_input_files(str(file))
    page.get_by_role("button", name="一括作成を開始する").click()
    page.get_by_role("heading", name=re.compile("世帯数の取込み")).wait_for()


def test_a_large_import_shows_the_run_or_the_errors_when_the_worker_is_done(  # type: ignore[no-untyped-def]
        live_server, page, settings, run_worker, tmp_path) -> None:
    settings.HOUSEHOLD_IMPORT_BACKGROUND_BYTES = 0
    factories.UserFactory(username="staff", role=Role.STAFF)
    year = factories.programme_year_with_budget(budget=5_000_000)
    org = factories.AssociationFactory()
    log_in(page, live_server.url, "staff")

    _upload(page, live_server.url, year.pk, _xlsx(tmp_path / "bad.xlsx", [["団体コード", "世帯数"], ["ZZZ", 1]]))
    run_worker()
    page.locator("#job-errors", has_text="2行目 A列（団体コード）: 「ZZZ」").wait_for()

    _upload(page, live_server.url, year.pk, _xlsx(tmp_path / "counts.xlsx", [["団体コード", "世帯数"], [org.code, 120]]))
    run_worker()
    page.get_by_role("link", name="年次一括作成の画面を開く").click()
    page.get_by_text("取込み: counts.xlsx（1件）").wait_for()
    page.goto("about:blank")  # no page left polling the live server while the database is emptied


def test_the_job_page_keeps_following_after_a_look_that_failed(  # type: ignore[no-untyped-def]
        live_server, page, settings, run_worker, tmp_path) -> None:
    """A look at the job's progress that fails (the network, a busy server: seen while the worker held SQLite's
    lock) must not end the polling: the page still shows the result once the worker is done."""
    settings.HOUSEHOLD_IMPORT_BACKGROUND_BYTES = 0
    factories.UserFactory(username="staff", role=Role.STAFF)
    year = factories.programme_year_with_budget(budget=5_000_000)
    failed: list[str] = []

    def flaky(route) -> None:  # type: ignore[no-untyped-def]
        if route.request.headers.get("accept") == "application/json" and len(failed) < 2:
            failed.append(route.request.url)
            if len(failed) == 1:
                route.abort()
            else:
                route.fulfill(status=500, body="busy")
            return
        route.continue_()

    page.route(re.compile(r".*/jobs/\d+/$"), flaky)
    log_in(page, live_server.url, "staff")
    _upload(page, live_server.url, year.pk, _xlsx(tmp_path / "bad.xlsx", [["団体コード", "世帯数"], ["ZZZ", 1]]))
    run_worker()
    page.locator("#job-errors", has_text="2行目 A列（団体コード）: 「ZZZ」").wait_for()
    assert len(failed) == 2
    page.goto("about:blank")
