"""The full-lifecycle case page after the decision: payment orders (起票・承認・差戻し), 変更承認申請, 実績報告 with
receipts, 額の確定, 返還 with the receipt of refunds, 取消 and closing — each through the Django test client, with
the happy path and the refusal."""
import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from grants.cases import lifecycle, receipts, services
from grants.cases.models import ChangeRequest, ChangeStatus, GrantCase, PerformanceReport, Receipt, RefundReason, Status
from grants.core.fiscal import wareki
from grants.core.models import AuditEvent
from grants.ledger.models import OrderStatus
from grants.programmes.models import ProgrammeYear
from tests.cases.steps import login
from tests.councils import builders
from tests.councils.helpers import line, pay_orders
from tests.councils.steps import post, today
from tests.factories import CURRENT_FY
from tests.pages.case_pages import confirmed_at, decided, other_council_case, page, unchanged

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def order_url(case, order, act: str) -> str:  # type: ignore[no-untyped-def]
    return reverse("case_order_action", args=[case.pk, order.pk, act])


# -- 概算払・精算払 ------------------------------------------------------------------------------------------------

def test_orders_prepared_by_staff_and_approved_by_finance(client, council, katsudo, staff, approver, finance,
                                                         finance2) -> None:  # type: ignore[no-untyped-def]
    case, _, _ = decided(katsudo, council, staff, approver)
    first = case.payment_orders.get(number=1)
    html = page(login(client, staff), case)
    assert "概算払 第1回の支出命令を起票する" in html
    assert post(client, order_url(case, first, "prepare"), {"note": ""}) == ["支出命令を起票しました。"]
    first.refresh_from_db()
    assert (first.status, first.prepared_by) == (OrderStatus.PREPARED, staff)

    html = page(login(client, finance), case)
    assert "概算払 第1回の支出を承認する" in html and "概算払 第1回の支出命令を差し戻す" in html
    assert post(client, order_url(case, first, "approve"), {"note": ""}) == [
        "支出を承認しました。振込の画面から振込バッチに入れてください。"]
    first.refresh_from_db()
    assert (first.status, first.approved_by) == (OrderStatus.APPROVED, finance)


def test_order_refusals(client, council, katsudo, staff, approver, finance, finance2) -> None:  # type: ignore[no-untyped-def]
    case, _, _ = decided(katsudo, council, staff, approver)
    first = case.payment_orders.get(number=1)
    # The council may not draft an order; the drafter may not approve it; a rejection needs a reason.
    assert post(login(client, council[1]), order_url(case, first, "prepare"), {"note": ""}) == [
        "支出命令を起票する権限がありません。"]
    assert post(login(client, finance), order_url(case, first, "prepare"), {"note": ""}) == ["支出命令を起票しました。"]
    assert "起票した方は、同じ支出を承認・差戻しできません。" in page(client, case)
    assert post(client, order_url(case, first, "approve"), {"note": ""}) == [
        "支出命令を起票した方は、同じ支出を承認・差戻しできません。"]
    login(client, finance2)
    assert post(client, order_url(case, first, "reject"), {"note": ""}) == ["理由: このフィールドは必須です。"]
    first.refresh_from_db()
    assert first.status == OrderStatus.PREPARED
    assert post(client, order_url(case, first, "reject"), {"note": "金額の確認が必要"}) == ["支出命令を差し戻しました。"]
    first.refresh_from_db()
    assert (first.status, first.prepared_by) == (OrderStatus.SCHEDULED, None)


def test_order_of_another_case_is_404_through_this_case(client, council, katsudo, unei, staff, approver) -> None:  # type: ignore[no-untyped-def]
    case, _, _ = decided(katsudo, council, staff, approver)
    other = GrantCase.objects.create(programme_year=unei, organization=case.organization)
    order = case.payment_orders.get(number=1)
    login(client, staff)
    assert client.post(reverse("case_order_action", args=[other.pk, order.pk, "prepare"]), {}).status_code == 404
    assert client.post(order_url(case, order, "pay"), {}).status_code == 404
    order.refresh_from_db()
    assert order.status == OrderStatus.SCHEDULED


def test_regression_formula_order_sent_back_through_the_order_url_moves_its_case_too(  # type: ignore[no-untyped-def]
        client, case, association_head, staff, approver, finance, finance2):
    """The order URL reaches any order of a case the user sees, a 自治会's single order (交付金) included. Sent
    back there, the order used to be withdrawn on its own: 取りやめ, while the case stayed 支出命令起票済 with
    nothing left to pay. It is the case's 差戻し: both go back, and the drafter is refused as on the case."""
    services.submit_application(case_id=case.pk, actor=association_head)
    services.verify_application(case_id=case.pk, actor=staff)
    services.decide_grant(case_id=case.pk, actor=approver)
    services.prepare_payment(case_id=case.pk, actor=finance)
    order = case.payment_orders.get()

    assert post(login(client, finance), order_url(case, order, "reject"), {"note": "自分で差戻し"}) == [
        "支出命令を起票した方は、同じ支出を承認・差戻しできません。"]
    assert post(login(client, finance2), order_url(case, order, "reject"), {"note": "口座の確認"}) == [
        "支出命令を差し戻しました。"]

    case.refresh_from_db()
    order.refresh_from_db()
    assert (case.status, order.status) == (Status.DECIDED, OrderStatus.SCHEDULED)


# -- 変更承認申請 ------------------------------------------------------------------------------------------------

def test_change_request_from_start_to_approval(client, council, katsudo, staff, approver) -> None:  # type: ignore[no-untyped-def]
    case, plan, cats = decided(katsudo, council, staff, approver)
    secretary = council[1]
    login(client, secretary)
    assert "変更承認申請を作成する" in page(client, case)
    shown = post(client, reverse("case_change_start", args=[case.pk]), {
        "reason": "講師謝礼の減額", "requested_amount": "900000", "new_completion_deadline": ""})
    assert shown == ["変更承認申請を作成しました。変更後の収支予算を直してから提出してください。"]
    change = ChangeRequest.objects.get(case=case)
    assert change.status == ChangeStatus.DRAFT and change.lines.count() == 2

    fee = change.lines.get(description="防災訓練の講師謝礼")
    assert post(client, reverse("case_line_delete", args=[case.pk, "change", fee.pk])) == ["明細を削除しました。"]
    shown = post(client, reverse("case_line_add", args=[case.pk, "change"]), {
        "kind": "expense", "category": cats["hoshohi"].pk, "plan_item": builders.item(plan, "1-1-1").pk,
        "description": "講師謝礼（減額後）", "amount": "300000", "spent_on": today().isoformat()})
    assert shown == ["明細を追加しました。"]
    html = page(client, case)
    assert "作成中の変更承認申請" in html and "講師謝礼（減額後）" in html and "900,000円" in html
    assert post(client, reverse("case_change_submit", args=[case.pk]), {"note": ""}) == [
        "変更承認申請を提出しました。"]
    case.refresh_from_db()
    assert case.status == Status.CHANGE_REQUESTED

    login(client, staff)
    shown = post(client, reverse("case_change_check", args=[case.pk]), {"assessed_amount": "900000", "note": ""})
    assert shown == ["変更承認申請を審査済にしました。決裁者が決裁します。"]
    shown = post(login(client, approver), reverse("case_action", args=[case.pk, "approve_change"]), {"note": ""})
    case.refresh_from_db()
    assert (case.status, case.decided_amount) == (Status.DECIDED, 900_000), shown
    html = page(client, case)
    assert "変更承認申請の履歴" in html and "承認" in html and "変更後の収支予算を表示しています" in html
    assert case.notices.filter(kind="change_decision").exists()


def test_change_refusals(client, council, katsudo, staff, approver) -> None:  # type: ignore[no-untyped-def]
    case, _, _ = decided(katsudo, council, staff, approver)
    url = reverse("case_change_start", args=[case.pk])
    assert post(login(client, approver), url, {"reason": "x", "requested_amount": "900000"}) == [
        "交付決定後（実績報告の前）に、申請者または担当者が変更承認申請を作成できます。"]
    login(client, council[1])
    # a form with errors comes back as typed, each error at its field (issue 15)
    body = client.post(url, {"reason": "", "requested_amount": "0"}).content.decode()
    assert "変更の理由: このフィールドは必須です。" in body[body.index('id="change-reason_error"'):]
    assert "この値は 1 以上でなければなりません。" in body[body.index('id="change-requested_amount_error"'):]
    assert post(client, url, {"reason": "年度を越える延長", "requested_amount": "900000",
                              "new_completion_deadline": f"{CURRENT_FY + 1}-04-30"})[0].startswith("変更後の完了期限は")
    assert not ChangeRequest.objects.exists()
    # Nothing to submit or check yet.
    assert post(client, reverse("case_change_submit", args=[case.pk]), {"note": ""}) == ["対象の変更承認申請がありません。"]
    assert post(login(client, staff), reverse("case_change_check", args=[case.pk]),
                {"assessed_amount": "900000"}) == ["この案件は「交付決定済」のため、この操作はできません。"]


def test_reject_change_through_generic_button(client, council, katsudo, staff, approver) -> None:  # type: ignore[no-untyped-def]
    case, _, _ = decided(katsudo, council, staff, approver)
    lifecycle.start_change(case_id=case.pk, actor=council[1], reason="事業の追加", requested_amount=1_000_000)
    lifecycle.request_change(case_id=case.pk, actor=council[1])
    login(client, staff)
    assert post(client, reverse("case_action", args=[case.pk, "reject_change"]), {"note": ""}) == ["理由を入力してください。"]
    post(client, reverse("case_action", args=[case.pk, "reject_change"]), {"note": "計画に位置付けがない"})
    case.refresh_from_db()
    assert case.status == Status.DECIDED
    assert ChangeRequest.objects.get(case=case).status == ChangeStatus.REJECTED
    assert "不承認" in page(client, case)


# -- 実績報告 ------------------------------------------------------------------------------------------------------

def write_report(client, case, plan, cats) -> None:  # type: ignore[no-untyped-def]
    """Save the report and its two lines through the pages (the client logged in as the council)."""
    assert post(client, reverse("case_report", args=[case.pk]), {
        "narrative": "防災訓練と水路補修を行いました。", "completed_on": today().isoformat()}) == [
        "実績報告の概要を保存しました。"]
    for data in (
        {"category": cats["genzairyo"].pk, "plan_item": builders.item(plan, "1-1-2").pk, "amount": "500000",
         "description": "水路補修の原材料", "recipient": "大歳第1自治会"},
        {"category": cats["hoshohi"].pk, "plan_item": builders.item(plan, "1-1-1").pk, "amount": "200000",
         "description": "講師謝礼"},
    ):
        assert post(client, reverse("case_line_add", args=[case.pk, "report"]), {
            "kind": "expense", "spent_on": today().isoformat(), **data}) == ["明細を追加しました。"]


@pytest.mark.parametrize(("counting", "days_after", "wording"), [
    ("next_day", 30, "事業が完了した日の翌日から起算して30日以内"),  # completion + 30 days
    ("inclusive", 29, "事業が完了した日を含めて30日以内"),  # completion + 29 days
])
def test_the_report_due_date_quotes_the_yokos_wording(client, council, katsudo, staff, approver, counting: str,
                                                      days_after: int, wording: str) -> None:  # type: ignore[no-untyped-def]
    """期限：令和…（事業が完了した日の翌日から起算して30日以内）: the page quotes the 要綱's own number and counting
    (issue 12 §6), not a day count shifted by one."""
    ProgrammeYear.objects.filter(pk=katsudo.pk).update(report_due_fixed=None, report_due_counting=counting)
    katsudo.refresh_from_db()
    case, _, _ = decided(katsudo, council, staff, approver)
    completed = today()  # the decision's day: completion may not come before it
    lifecycle.save_report(case_id=case.pk, actor=council[1], narrative="実施した。", completed_on=completed)
    html = page(login(client, council[1]), case)
    due = html.split('id="report-due">')[1].split("</dd>")[0]
    assert due == f"{wareki(completed + dt.timedelta(days=days_after))}（{wording}）"
    assert f"提出期限は、{wording}です。" in html


def test_a_fixed_report_date_that_comes_first_is_named_as_such(client, council, katsudo, staff, approver) -> None:  # type: ignore[no-untyped-def]
    fixed = today() + dt.timedelta(days=5)
    ProgrammeYear.objects.filter(pk=katsudo.pk).update(report_due_fixed=fixed)
    katsudo.refresh_from_db()
    case, _, _ = decided(katsudo, council, staff, approver)
    lifecycle.save_report(case_id=case.pk, actor=council[1], narrative="実施した。", completed_on=today())
    html = page(login(client, council[1]), case)
    assert html.split('id="report-due">')[1].split("</dd>")[0] == f"{wareki(fixed)}（固定の期限）"
    assert f"提出期限は、事業が完了した日の翌日から起算して30日以内と{wareki(fixed)}の早い方です。" in html


def test_report_lines_receipts_submission_verification_and_confirmation(client, council, katsudo, staff, approver,
                                                                        finance, finance2) -> None:  # type: ignore[no-untyped-def]
    case, plan, cats = decided(katsudo, council, staff, approver)
    pay_orders(case, staff, finance, finance2)  # 750,000 paid in advance
    login(client, council[1])
    html = page(client, case)
    assert "実績報告の概要を入力する" in html and "提出期限" in html
    write_report(client, case, plan, cats)
    report = PerformanceReport.objects.get(case=case)
    assert report.lines.get(description="水路補修の原材料").recipient == "大歳第1自治会"

    line_id = report.lines.get(description="講師謝礼").pk
    shown = post(client, reverse("case_receipt_add", args=[case.pk]), {
        "title": "講師謝礼の領収書", "line": line_id, "file": SimpleUploadedFile("ryoshu.pdf", PDF, "application/pdf")})
    assert shown == ["領収書の写しを登録しました。"]
    receipt = Receipt.objects.get(report=report)
    assert receipt.line_id == line_id and receipt.uploaded_by == council[1]
    html = page(client, case)
    assert "講師謝礼の領収書" in html and "大歳第1自治会" in html
    download = client.get(reverse("case_receipt", args=[case.pk, receipt.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert download["Content-Type"] == "application/pdf" and "attachment" in download["Content-Disposition"]
    assert AuditEvent.objects.for_object(case).filter(action="download_receipt").count() == 1

    post(client, reverse("case_action", args=[case.pk, "submit_report"]), {"note": ""})
    case.refresh_from_db()
    assert case.status == Status.REPORTED
    assert "実績報告の概要を直す" not in page(client, case)  # no more editing once submitted

    post(login(client, staff), reverse("case_action", args=[case.pk, "verify_report"]), {"note": ""})
    case.refresh_from_db()
    assert (case.status, case.justified_amount) == (Status.REPORT_VERIFIED, 700_000)
    html = page(client, case)
    assert "実績による算定額" in html and "700,000円" in html

    post(login(client, approver), reverse("case_action", args=[case.pk, "confirm"]), {"note": ""})
    case.refresh_from_db()
    assert (case.status, case.confirmed_amount) == (Status.CONFIRMED, 700_000)
    html = page(client, case)
    for text in ("額の確定・返還", "確定額", "700,000円", "返還命令", "50,000円", "本日時点で納付すべき額",
                 "なし（額の確定による返還のため）", "10.95％"):
        assert text in html, text


def test_report_refusals(client, council, katsudo, staff, approver, auditor) -> None:  # type: ignore[no-untyped-def]
    case, plan, cats = decided(katsudo, council, staff, approver)
    login(client, council[1])
    # Lines and receipts need the report saved first.
    assert post(client, reverse("case_line_add", args=[case.pk, "report"]), {
        "kind": "expense", "category": cats["hoshohi"].pk, "description": "x", "amount": "1000",
        "spent_on": timezone.localdate().isoformat()}) == [
        "実績報告は、交付決定後、提出前のあいだだけ入力できます。先に実績報告の概要を保存してください。"]
    assert post(client, reverse("case_receipt_add", args=[case.pk]), {
        "title": "領収書", "file": SimpleUploadedFile("a.pdf", PDF)}) == [
        "領収書の写しは、実績報告の概要を保存した後、提出前のあいだだけ登録できます。"]
    future = today() + dt.timedelta(days=1)
    assert post(client, reverse("case_report", args=[case.pk]), {
        "narrative": "x", "completed_on": future.isoformat()})[0].startswith("事業完了日")
    assert not PerformanceReport.objects.filter(case=case).exists()
    # Submitting without a report is refused; the auditor writes nothing.
    assert post(client, reverse("case_action", args=[case.pk, "submit_report"]), {"note": ""}) == [
        "実績報告の概要と、収支決算の支出の明細を入力してから提出してください。"]
    assert post(login(client, auditor), reverse("case_report", args=[case.pk]), {
        "narrative": "x", "completed_on": today().isoformat()}) == [
        "交付決定後、実績報告の提出前に、申請者または担当者が入力できます。"]


def test_receipt_upload_checks_type_content_and_size(client, council, katsudo, staff, approver, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    case, _, _ = decided(katsudo, council, staff, approver)
    lifecycle.save_report(case_id=case.pk, actor=council[1], narrative="実施した", completed_on=today())
    url = reverse("case_receipt_add", args=[case.pk])
    login(client, council[1])
    assert post(client, url, {"title": "実行ファイル", "file": SimpleUploadedFile("a.exe", b"MZ\x90\x00")}) == [
        "ファイル: PDF・JPEG・PNGのいずれかのファイルを選んでください。"]
    assert post(client, url, {"title": "偽のPDF", "file": SimpleUploadedFile("a.pdf", b"<html>x</html>")}) == [
        "ファイル: ファイルの中身が拡張子（PDF・JPEG・PNG）と一致しません。"]
    monkeypatch.setattr(receipts, "MAX_RECEIPT_BYTES", 16)
    assert post(client, url, {"title": "大きな画像", "file": SimpleUploadedFile("a.png", PNG)}) == [
        "ファイル: 16バイト以下のファイルを選んでください。"]
    assert post(client, url, {"title": "", "file": SimpleUploadedFile("a.png", PNG)}) == [
        "内容（例: 講師謝礼の領収書）: このフィールドは必須です。"]
    assert not Receipt.objects.exists()
    monkeypatch.setattr(receipts, "MAX_RECEIPT_BYTES", 10 * 1024 * 1024)
    assert post(client, url, {"title": "写真", "file": SimpleUploadedFile("写真.PNG", PNG)}) == [
        "領収書の写しを登録しました。"]
    assert Receipt.objects.get().file.name.endswith(".png")


def test_receipt_download_is_404_for_another_council_and_other_cases(client, council, katsudo, staff,
                                                                     approver) -> None:  # type: ignore[no-untyped-def]
    case, _, _ = decided(katsudo, council, staff, approver)
    lifecycle.save_report(case_id=case.pk, actor=council[1], narrative="実施した", completed_on=today())
    receipt = receipts.add_receipt(case_id=case.pk, actor=council[1], title="領収書",
                                   upload=SimpleUploadedFile("a.pdf", PDF))
    other = other_council_case(katsudo, staff)
    login(client, other.organization.representatives.get().user)
    assert client.get(reverse("case_receipt", args=[case.pk, receipt.pk])).status_code == 404
    assert client.get(reverse("case_receipt", args=[other.pk, receipt.pk])).status_code == 404
    assert client.get(reverse("case_receipt", args=[case.pk, receipt.pk])).status_code == 404
    assert login(client, staff).get(reverse("case_receipt", args=[case.pk, receipt.pk])).status_code == 200


def test_overdue_report_is_shown_in_words(client, council, katsudo, staff, approver) -> None:  # type: ignore[no-untyped-def]
    katsudo.report_due_fixed = today() - dt.timedelta(days=3)  # the rule the case is decided under
    katsudo.save(update_fields=["report_due_fixed"])
    case, _, _ = decided(katsudo, council, staff, approver)
    html = page(login(client, council[1]), case)
    assert "期限を過ぎています（3日経過）" in html


# -- 返還, 取消, 完了 ------------------------------------------------------------------------------------------------

def confirmed_with_refund(katsudo, council, staff, approver, finance, finance2):  # type: ignore[no-untyped-def]
    """Decided at 1,000,000, 750,000 paid in advance, confirmed at 700,000: a refund of 50,000 ordered."""
    case, plan, cats = decided(katsudo, council, staff, approver)
    pay_orders(case, staff, finance, finance2)
    secretary = council[1]
    return confirmed_at(case, plan, cats, secretary, staff, approver, 700_000)


def test_finance_records_the_refund_and_the_case_closes(client, council, katsudo, staff, approver, finance,
                                                       finance2) -> None:  # type: ignore[no-untyped-def]
    case = confirmed_with_refund(katsudo, council, staff, approver, finance, finance2)
    url = reverse("case_refund_receipt", args=[case.pk])
    html = page(login(client, staff), case)
    assert "返還金の納付を記録する" not in html
    # 納期限 = the order's day + 20 (翌日起算, the rule's default), quoted as the 要綱 words it
    due = wareki(today() + dt.timedelta(days=20))
    assert f'<dd id="refund-due">{due}（返還命令の日の翌日から起算して20日以内）</dd>' in html
    assert post(client, url, {"amount": "50000", "received_on": today().isoformat()}) == [
        "返還金の納付は会計課の職員のみが記録できます。"]
    login(client, finance)
    assert "返還金の納付を記録する" in page(client, case)
    assert post(client, url, {"amount": "50001", "received_on": today().isoformat()})[0].startswith("納付額が、")
    assert post(client, url, {"amount": "", "received_on": ""}) == [
        "納付額（円）: このフィールドは必須です。", "納付日: このフィールドは必須です。"]
    assert post(client, url, {"amount": "50000", "received_on": today().isoformat()}) == ["返還金の納付を記録しました。"]
    case.refresh_from_db()
    assert (case.status, case.refunded_amount) == (Status.CLOSED, 50_000)
    html = page(client, case)
    assert "返還金の納付の記録" in html and "納付済" in html and "完了日" in html


def test_close_button_waits_for_settlement(client, council, unei, staff, approver, finance, finance2) -> None:  # type: ignore[no-untyped-def]
    org, secretary = council
    builders.approved_plan(org, staff)
    cats = builders.categories()
    start = dt.date(unei.fiscal_year, 4, 1)
    case = builders.draft_case(unei, org, start=start)
    line(case, secretary, category=cats["kounetsu"], amount=300_000, description="光熱水費", spent_on=start)
    from tests.councils.helpers import decide

    case = decide(case, secretary, staff, approver)  # no instalments: everything at the 精算払
    lifecycle.save_report(case_id=case.pk, actor=secretary, narrative="運営した", completed_on=today())
    line(case, secretary, where="report", category=cats["kounetsu"], amount=300_000, description="光熱水費",
         spent_on=start)
    lifecycle.submit_report(case_id=case.pk, actor=secretary)
    lifecycle.verify_report(case_id=case.pk, actor=staff)
    case = lifecycle.confirm(case_id=case.pk, actor=approver)
    assert case.status == Status.CONFIRMED
    html = page(login(client, finance), case)
    assert "まだ完了にできません：支払の済んでいない支出命令があります。" in html and "精算払" in html
    assert post(client, reverse("case_action", args=[case.pk, "close"]), {"note": ""}) == [
        "まだ完了にできません：支払の済んでいない支出命令があります。"]
    pay_orders(case, staff, finance, finance2, kinds=("settlement",))
    case.refresh_from_db()
    assert case.status == Status.CLOSED  # closed by the last payment


def test_approver_cancels_the_decision(client, council, katsudo, staff, approver, finance, finance2) -> None:  # type: ignore[no-untyped-def]
    case, _, _ = decided(katsudo, council, staff, approver)
    pay_orders(case, staff, finance, finance2)  # 750,000 paid
    url = reverse("case_cancel", args=[case.pk])
    events = AuditEvent.objects.for_object(case).count()
    assert post(login(client, staff), url, {"note": "目的外使用", "kept_amount": "0"}) == [
        "この操作を行う権限がありません。"]
    login(client, approver)
    assert "交付決定を取り消す（返還を命じる）" in page(client, case)
    assert post(client, url, {"note": "", "kept_amount": "0"}) == ["取消の理由: このフィールドは必須です。"]
    assert post(client, url, {"note": "目的外使用", "kept_amount": "1000001"}) == [
        "取消後に残す額は0円以上、交付決定額（1,000,000円）以下にしてください。"]
    case.refresh_from_db()
    assert unchanged(case, events)
    assert post(client, url, {"note": "交付金の目的外使用", "kept_amount": "250000"}) == ["交付決定を取り消しました。"]
    case.refresh_from_db()
    assert (case.status, case.confirmed_amount) == (Status.CANCELLED, 250_000)
    order = case.refund_order
    assert (order.principal, order.reason) == (500_000, RefundReason.CANCELLATION)
    html = page(client, case)
    assert "取消後に残る額" in html and "交付決定の取消による返還" in html and "10.95％（交付金を受け取った日から" in html


def test_return_report_and_the_separation_of_report_roles(client, council, katsudo, staff, staff2, approver) -> None:  # type: ignore[no-untyped-def]
    case, plan, cats = decided(katsudo, council, staff, approver)
    login(client, staff)  # staff write and submit the report on the council's behalf
    write_report(client, case, plan, cats)
    post(client, reverse("case_action", args=[case.pk, "submit_report"]), {"note": ""})
    assert post(client, reverse("case_action", args=[case.pk, "verify_report"]), {"note": ""}) == [
        "実績報告書を代理で提出した方は、同じ報告の審査を行えません。"]
    login(client, staff2)
    assert post(client, reverse("case_action", args=[case.pk, "return_report"]), {"note": ""}) == [
        "理由を入力してください。"]
    shown = post(client, reverse("case_action", args=[case.pk, "return_report"]), {"note": "領収書が足りません"})
    case.refresh_from_db()
    assert case.status == Status.DECIDED, shown
    assert PerformanceReport.objects.get(case=case).submitted_at is None
    assert "実績報告の概要を直す" in page(client, case)


def test_approve_change_is_for_the_approver_only(client, council, katsudo, staff, approver) -> None:  # type: ignore[no-untyped-def]
    case, _, _ = decided(katsudo, council, staff, approver)
    lifecycle.start_change(case_id=case.pk, actor=council[1], reason="事業の縮小", requested_amount=900_000)
    lifecycle.request_change(case_id=case.pk, actor=council[1])
    lifecycle.check_change(case_id=case.pk, actor=staff, assessed_amount=900_000)
    assert post(login(client, staff), reverse("case_action", args=[case.pk, "approve_change"]), {"note": ""}) == [
        "この操作を行う権限がありません。"]
    case.refresh_from_db()
    assert (case.status, case.decided_amount) == (Status.CHANGE_CHECKED, 1_000_000)


def test_delete_line_refusals(client, council, katsudo, staff, approver) -> None:  # type: ignore[no-untyped-def]
    case, _, _ = decided(katsudo, council, staff, approver)
    budget_line = case.budget_lines.first()
    login(client, council[1])
    assert post(client, reverse("case_line_delete", args=[case.pk, "budget", budget_line.pk])) == [
        "提出前の申請でのみ収支予算を変更できます。"]
    lifecycle.save_report(case_id=case.pk, actor=council[1], narrative="実施した", completed_on=today())
    assert post(client, reverse("case_line_delete", args=[case.pk, "report", budget_line.pk])) == [
        "明細が見つかりません。"]
    assert case.budget_lines.filter(pk=budget_line.pk).exists()


def test_draft_change_is_withdrawn_from_the_case_page(client, council, katsudo, staff, approver) -> None:  # type: ignore[no-untyped-def]
    case, _, _ = decided(katsudo, council, staff, approver)
    lifecycle.start_change(case_id=case.pk, actor=council[1], reason="事業の縮小", requested_amount=900_000)
    login(client, approver)
    assert "作成中の変更承認申請を取り下げる" not in page(client, case)  # not the approver's act
    login(client, council[1])
    assert "作成中の変更承認申請を取り下げる" in page(client, case)
    assert post(client, reverse("case_change_withdraw", args=[case.pk])) == ["作成中の変更承認申請を取り下げました。"]
    assert ChangeRequest.objects.get(case=case).status == ChangeStatus.WITHDRAWN
    shown = page(client, case)
    assert "取下げ" in shown and "変更承認申請を作成する" in shown
    assert post(client, reverse("case_change_withdraw", args=[case.pk])) == [
        "取り下げられる作成中の変更承認申請はありません。"]
