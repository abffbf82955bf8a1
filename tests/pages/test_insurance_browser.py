"""The insurance pages in a real browser, from the group's accident report to the recorded payment, with axe
(WCAG 2.1 A/AA) on every page on the way and on the 保険担当's and the auditor's lists."""
import datetime as dt

import pytest

from grants.insurance.models import AccidentReport, Claim, ClaimStatus, ReportStatus
from tests.insurance import builders
from tests.pages.browser import log_in, logout

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def press(page, label: str) -> None:  # type: ignore[no-untyped-def]
    page.get_by_role("button", name=label, exact=True).click()
    page.locator(".message-success").wait_for()


def upload(page, details_id: str, kind: str, title: str) -> None:  # type: ignore[no-untyped-def]
    details = page.locator(f"#{details_id}")
    if details.get_attribute("open") is None:
        details.locator("summary").click()
    form = details.locator("form")
    form.get_by_label("書類（必須）").select_option(kind)
    form.get_by_label("内容（必須）").fill(title)
    form.get_by_label("ファイル（必須）").set_input_files(
        {"name": "file.pdf", "mimeType": "application/pdf", "buffer": builders.PDF})
    form.locator("button[type=submit]").click()
    page.locator(".message-success").wait_for()


def test_from_the_groups_report_to_the_recorded_payment(live_server, page, check_a11y, association,  # type: ignore[no-untyped-def]
                                                        association_head, insurance, insurance2, auditor, policy,
                                                        media) -> None:
    base = live_server.url
    accident = builders.days_ago(25)  # the report is late: due 19 days after the accident

    # The group's head reports the accident.
    log_in(page, base, association_head.username)
    page.get_by_role("link", name="コミュニティ活動保険").click()
    check_a11y(page, "ins-01-report-list-head")
    page.get_by_role("link", name="事故報告書を作成").click()
    assert "事故の日を含めて20日以内" in page.locator("#due-rule").inner_text()
    check_a11y(page, "ins-02-report-form")
    page.get_by_label("活動の名称（必須）").fill("河川清掃")
    page.get_by_label("年間事業計画での位置づけ（必須）").fill("年間事業計画 5月 河川清掃")
    page.get_by_label("活動の内容（必須）").fill("河川敷で草刈りとごみ拾いを行いました。")
    page.get_by_label("事故の日（いつ）（必須）").fill(accident.isoformat())
    page.get_by_label("場所（どこで）（必須）").fill("椹野川河川敷")
    page.get_by_label("だれが（必須）").fill("参加者の1人が")
    page.get_by_label("どうして（事故の原因・状況）（必須）").fill("草刈り中に足を滑らせて転倒し")
    page.get_by_label("どうなった（けが・損害の内容）（必須）").fill("右足首を骨折しました。")
    page.get_by_label("活動者のけが（傷害）").check()
    press(page, "保存する")
    report = AccidentReport.objects.get()
    check_a11y(page, "ins-03-report-draft")

    form = page.locator("#add-person form")
    form.get_by_label("立場（必須）").select_option("participant")
    form.get_by_label("けが・損害（必須）").select_option("injury")
    form.get_by_label("氏名（必須）").fill("山田 太郎")
    form.get_by_label("生年月日").fill("1960-04-01")
    press(page, "関係者を登録する")
    for kind in ("bylaws", "member_list", "annual_plan", "participant_list"):
        upload(page, "add-attachment", kind, f"{kind}の書類")
    page.get_by_label("遅延理由書（期限を過ぎた理由）").fill("役員の交代で報告が遅れました。")
    press(page, "事故報告書を提出する")
    assert page.locator("#late-flag").inner_text() == "期限後"
    check_a11y(page, "ins-04-report-submitted")
    logout(page)

    # Another 保険担当 than the one who would have entered it judges, and sends the claim forms.
    log_in(page, base, insurance2.username)
    check_a11y(page, "ins-05-insurance-home")
    page.goto(f"{base}/insurance/reports/{report.pk}/")
    check_a11y(page, "ins-06-judgment-form")
    for condition in report.policy.conditions.all():
        page.locator(f"#judge-holds_{condition.pk}_0").check()  # 満たす / 該当しない
        page.locator(f"#judge-reason_{condition.pk}").fill("書類で確認しました。")
    press(page, "判定を記録する")
    assert "補償の対象" in page.locator("#judgment-result").inner_text()
    check_a11y(page, "ins-07-judged")
    press(page, "山田 太郎さんに請求書類を送付")
    claim = Claim.objects.get()
    logout(page)

    # The group records the treatment and the documents, and files the claim.
    log_in(page, base, association_head.username)
    page.goto(f"{base}/insurance/claims/{claim.pk}/")
    check_a11y(page, "ins-08-claim-head")
    page.get_by_label("治療を終えた", exact=True).check()
    page.get_by_label("治療を終えた日").fill((accident + dt.timedelta(days=9)).isoformat())
    for i in range(10):  # ten days picked in date boxes, the boxes after the first three added with the button
        if i >= 3:
            page.get_by_role("button", name="通院日の欄を増やす").click()
        page.get_by_label(f"通院日（{i + 1}行目）").fill((accident + dt.timedelta(days=i)).isoformat())
    press(page, "治療の記録を保存する")
    upload(page, "add-document", "claim_form", "保険金請求書")
    upload(page, "add-document", "medical", "通院証明書")
    press(page, "保険金を請求する")
    claim.refresh_from_db()
    assert (claim.status, claim.computed_amount) == (ClaimStatus.FILED, 20_000)  # 通院 10日 × 2,000円
    logout(page)

    # The city forwards it and records the insurer's payment.
    log_in(page, base, insurance.username)
    page.goto(f"{base}/insurance/claims/{claim.pk}/")
    check_a11y(page, "ins-09-claim-insurance")
    page.get_by_label("保険会社の受付番号（任意）").fill("SJ-001")
    press(page, "保険会社への送付を記録する")
    page.get_by_label("支払日（保険会社の回答日）（必須）").fill(builders.today().isoformat())
    press(page, "保険金の支払を記録する")
    assert page.locator("#paid-amount").inner_text() == "20,000円"
    check_a11y(page, "ins-10-claim-paid")
    for name in ("reminders", "access-log", "statistics", "claims"):
        page.goto(f"{base}/insurance/{name}/")
        check_a11y(page, f"ins-11-{name}")
    logout(page)

    log_in(page, base, auditor.username)
    page.get_by_role("link", name="閲覧記録").click()
    assert "事故報告書の画面" in page.locator("#accesses").inner_text()
    check_a11y(page, "ins-12-access-log-auditor")
    assert AccidentReport.objects.get().status == ReportStatus.COVERED
