"""Several users of one organisation in a real browser (issue 14): the council's head invites a 会計 from 団体の
利用者 and reads the one-time link on the page; the 会計 opens it without an account, chooses a login name and a
password and lands on ホーム (first login); the 会計 registers a receipt on the 実績報告 but is shown why the
report's submission is not theirs; the head submits it. axe finds no WCAG 2.1 A/AA violation on the pages met."""
import pytest

from grants.accounts.models import Role
from grants.cases import lifecycle
from grants.cases.models import GrantCase, Status
from grants.organizations.models import MemberRole, Representative
from tests import factories
from tests.councils import builders
from tests.councils.helpers import line
from tests.councils.steps import decided, today
from tests.pages.browser import done, log_in, open_case

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.browser,
]

KAIKEI_PASSWORD = "kaikei-no-pass-2026"


def test_invitation_first_login_treasurer_enters_a_receipt_head_submits(live_server, page, check_a11y, settings,  # type: ignore[no-untyped-def]
                                                                        tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path
    settings.SITE_URL = live_server.url  # the links mailed and shown start with the site's public address
    org, secretary = builders.council()
    staff = factories.UserFactory(username="tanto", role=Role.STAFF)
    approver = factories.UserFactory(username="kessai", role=Role.APPROVER)
    katsudo = builders.katsudo_year()
    case, plan, cats = decided(katsudo, (org, secretary), staff, approver, shares=())
    lifecycle.save_report(case_id=case.pk, actor=secretary, narrative="防災訓練を実施しました。", completed_on=today())
    line(case, secretary, where="report", category=cats["genzairyo"], plan_item=builders.item(plan, "1-1-2"),
         amount=500_000, description="原材料")

    # The head invites the 会計 and reads the one-time link on the page.
    log_in(page, live_server.url, secretary.username)
    page.goto(f"{live_server.url}/organizations/{org.pk}/members/")
    check_a11y(page, "members_head")
    page.get_by_label("氏名（必須）").fill("会計 花子")
    page.get_by_label("メールアドレス（必須）").fill("kaikei@example.jp")
    page.get_by_label("会計", exact=True).check()
    page.get_by_role("button", name="招待する").click()
    link = page.locator("#invitation-link").input_value()
    assert "/invite/" in link
    check_a11y(page, "members_link_shown")

    # The 会計 opens it with no session, chooses a login and is logged in (the first login).
    page.context.clear_cookies()
    page.goto(link)
    check_a11y(page, "invitation_accept")
    page.get_by_label("ログイン名（必須）").fill("hanako-kaikei")
    page.get_by_label("パスワード（必須）", exact=True).fill(KAIKEI_PASSWORD)
    page.get_by_label("パスワード（確認）（必須）").fill(KAIKEI_PASSWORD)
    page.get_by_role("button", name="招待を受ける").click()
    page.get_by_role("heading", name="ホーム").wait_for()
    term = Representative.objects.get(user__username="hanako-kaikei")
    assert (term.organization_id, term.role) == (org.pk, MemberRole.TREASURER)

    # The 会計 registers a receipt; the submission is the head's, and the page says so.
    open_case(page, live_server.url, case.pk)
    page.locator("#receipt-title").fill("原材料の領収書")
    page.locator("#receipt-file").set_input_files(
        files=[{"name": "r.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 receipt"}])
    page.get_by_role("button", name="領収書の写しを登録する").click()
    done(page, "領収書の写しを登録しました。")
    open_case(page, live_server.url, case.pk)
    submit = page.get_by_role("button", name="実績報告書を提出する")
    assert submit.is_disabled()
    page.get_by_text("この手続は団体の代表者が行います。").first.wait_for()
    check_a11y(page, "case_report_treasurer")
    assert GrantCase.objects.get(pk=case.pk).status == Status.DECIDED

    # The head sees the receipt the 会計 registered and submits the report.
    log_in(page, live_server.url, secretary.username)
    open_case(page, live_server.url, case.pk)
    page.get_by_text("原材料の領収書").first.wait_for()
    page.get_by_role("button", name="実績報告書を提出する").click()
    page.locator("#case-status", has_text="実績報告済").wait_for()
    assert GrantCase.objects.get(pk=case.pk).status == Status.REPORTED
