"""An application's 添付書類 in a real browser: the group's head uploads a 見積書 to the draft (the list shows it
with its download and delete buttons), a wrong file comes back with the title as typed and the reason at the field,
and after 受付 the 審査委員 who declared no conflict sees it on the application page; axe finds no WCAG 2.1 A/AA
violation on either page. Screenshots go to /tmp/shots/."""
from pathlib import Path

import pytest

from grants.competitive.models import ApplicationAttachment
from grants.competitive.workflows import COMPETITIVE
from grants.core import workflow
from tests.competitive import builders, steps
from tests.factories import UserFactory
from tests.pages.browser import done, log_in, open_case

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]
SHOTS = Path("/tmp/shots")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_the_group_attaches_a_file_and_the_panel_member_reads_it(live_server, page, check_a11y, settings,
                                                                  tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path
    staff = UserFactory(username="tanto", role="staff")
    call = builders.call(builders.programme_year(), staff)
    org, head = builders.group(confirmed_by=staff)
    judge = builders.panel_member(call, "judge1", staff)
    case = steps.draft(call, org, head)
    base = live_server.url

    log_in(page, base, head.username)
    open_case(page, base, case.pk)
    page.get_by_label("書類名（必須）").fill("チラシ案")
    page.get_by_label("ファイル（必須）").set_input_files(
        files=[{"name": "flyer.pdf", "mimeType": "application/pdf", "buffer": b"<html>not a pdf</html>"}])
    page.get_by_role("button", name="添付書類を登録する").click()
    page.locator("#attachment-file-error", has_text="ファイルの中身が拡張子").wait_for()
    assert page.get_by_label("書類名（必須）").input_value() == "チラシ案"

    page.get_by_label("書類名（必須）").fill("見積書（会場使用料）")
    page.get_by_label("ファイル（必須）").set_input_files(
        files=[{"name": "mitsumori.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    page.get_by_role("button", name="添付書類を登録する").click()
    done(page, "添付書類「見積書（会場使用料）」を登録しました。")
    page.get_by_role("link", name="「見積書（会場使用料）」をダウンロードする").wait_for()
    page.get_by_role("button", name="「見積書（会場使用料）」を削除する").wait_for()
    open_case(page, base, case.pk)
    page.locator("#application-attachments").scroll_into_view_if_needed()
    check_a11y(page, "competitive_attachments")
    shot(page, "competitive_attachments")
    assert ApplicationAttachment.objects.filter(case=case).count() == 1

    workflow.perform(COMPETITIVE.machine, case.pk, "submit", actor=head)
    workflow.perform(COMPETITIVE.machine, case.pk, "accept_for_screening", actor=staff)
    log_in(page, base, judge.username)
    page.goto(f"{base}/panel/applications/{case.pk}/")
    page.get_by_label("利害関係はありません").check()
    page.get_by_role("button", name="申告する").click()
    page.get_by_role("heading", name="添付書類").wait_for()
    with page.expect_download() as download:
        page.get_by_role("link", name="「見積書（会場使用料）」をダウンロードする").click()
    assert download.value.suggested_filename == "見積書（会場使用料）.pdf"
    check_a11y(page, "competitive_panel_attachments")
    shot(page, "competitive_panel_attachments")
