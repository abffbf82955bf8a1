"""Notices of the full lifecycle as PDF: the 交付決定通知書 and 額の確定通知書 with the project, its conditions,
completion deadline and advance schedule; the 変更交付決定通知書; the 返還命令書 after 額の確定 (延滞金 only) and
after 取消 (加算金 too). Every notice a council's year produces renders."""
import datetime as dt
import re

import pytest
from django.urls import reverse

from grants.cases import lifecycle
from grants.core.fiscal import wareki
from grants.notices.models import Notice, NoticeKind
from reports.pdf import render_notice_html, render_notice_pdf
from tests.cases.steps import approved_simple_case, login
from tests.councils import builders
from tests.councils.helpers import pay_orders
from tests.councils.steps import draft, fresh, today
from tests.factories import CURRENT_FY, UserFactory
from tests.pages.case_pages import confirmed_at, decided, other_council_case
from tests.reports.pdf_tools import page_count, pdf_text

pytestmark = pytest.mark.django_db


def assert_in(texts: tuple[str, ...], text: str) -> None:
    for expected in texts:
        assert re.sub(r"\s+", "", expected) in text, expected


def year_with_change_and_refund(katsudo, council, staff, approver, finance, finance2):  # type: ignore[no-untyped-def]
    """Decided at 1,000,000 (advances 500,000 + 250,000 paid), changed to 900,000, confirmed at 700,000."""
    case, plan, cats = decided(katsudo, council, staff, approver)
    pay_orders(case, staff, finance, finance2)
    secretary = council[1]
    lifecycle.start_change(case_id=case.pk, actor=secretary, reason="資材費の減少", requested_amount=900_000,
                           new_completion_deadline=dt.date(CURRENT_FY + 1, 2, 28))
    lifecycle.request_change(case_id=case.pk, actor=secretary)
    lifecycle.check_change(case_id=case.pk, actor=staff, assessed_amount=900_000)
    lifecycle.approve_change(case_id=case.pk, actor=approver)
    return confirmed_at(case, plan, cats, secretary, staff, approver, 700_000)


def test_decision_notice_shows_project_conditions_deadline_and_advances(council, katsudo, staff, approver,
                                                                      tmp_path) -> None:  # type: ignore[no-untyped-def]
    case, plan, _ = decided(katsudo, council, staff, approver)
    notice = Notice.objects.get(case=case, kind=NoticeKind.DECISION)
    text = pdf_text(render_notice_pdf(notice), tmp_path)
    assert_in((notice.document_number, "交付決定通知書", "大歳地域づくり協議会", "事業名地域づくり活動",
               "交付決定額金1,000,000円", "交付の条件", "事業の内容を広報紙で周知すること", "事業の完了期限",
               wareki(dt.date(CURRENT_FY + 1, 3, 31)), "概算払の予定", "概算払第1回", "500,000円", "概算払第2回",
               "250,000円", wareki(today()), "精算払", str(plan)), text)


def test_change_decision_and_refund_order_after_confirmation(council, katsudo, staff, approver, finance, finance2,
                                                             tmp_path) -> None:  # type: ignore[no-untyped-def]
    case = year_with_change_and_refund(katsudo, council, staff, approver, finance, finance2)
    change = Notice.objects.get(case=case, kind=NoticeKind.CHANGE_DECISION)
    text = pdf_text(render_notice_pdf(change), tmp_path)
    assert_in(("変更交付決定通知書", "変更前の交付決定額金1,000,000円", "変更後の交付決定額金900,000円",
               "変更の理由", "資材費の減少", wareki(dt.date(CURRENT_FY + 1, 2, 28)), "変更後の支払の予定"), text)

    confirmation = Notice.objects.get(case=case, kind=NoticeKind.CONFIRMATION)
    text = pdf_text(render_notice_pdf(confirmation), tmp_path)
    # (pdftotext may read a line with the larger amount after the next one: amounts are checked on their own)
    assert_in(("額の確定通知書", "事業名地域づくり活動", "交付決定額", "金900,000円", "確定額", "金700,000円",
               "実績報告による算定額金700,000円", "既に支払った額金750,000円", "返還命令書により返還"), text)

    refund = Notice.objects.get(case=case, kind=NoticeKind.REFUND_ORDER)
    order = case.refund_order
    text = pdf_text(render_notice_pdf(refund), tmp_path)
    assert_in(("返還命令書", "既に交付した額が確定額を超えている", "確定額", "金700,000円", "既に交付した額金750,000円",
               "返還を命じる額金50,000円", f"納期限{wareki(order.due_on)}", "年10.95パーセント", "延滞金", "教示"),
              text)
    assert "加算金" not in text


def test_refund_order_after_cancellation_states_the_surcharge(council, katsudo, staff, approver, finance, finance2,
                                                              tmp_path) -> None:  # type: ignore[no-untyped-def]
    case, _, _ = decided(katsudo, council, staff, approver)
    pay_orders(case, staff, finance, finance2)
    lifecycle.cancel(case_id=case.pk, actor=approver, note="交付金の目的外使用", kept_amount=0)
    notice = Notice.objects.get(case=case, kind=NoticeKind.REFUND_ORDER)
    text = pdf_text(render_notice_pdf(notice), tmp_path)
    assert_in(("交付決定を取り消した", "取消後の交付額金0円", "返還を命じる額金750,000円", "加算金",
               "年10.95パーセントの割合で計算した加算金", "延滞金"), text)


def test_every_notice_of_the_year_renders(council, katsudo, staff, approver, finance, finance2,
                                                          tmp_path) -> None:  # type: ignore[no-untyped-def]
    case = year_with_change_and_refund(katsudo, council, staff, approver, finance, finance2)
    from grants.cases.batches import record_transfer_result
    from grants.ledger.models import BatchItem

    for item in BatchItem.objects.filter(case=case, result="sent"):
        record_transfer_result(item_id=item.pk, actor=finance, returned=False)
    kinds = set(Notice.objects.filter(case=case).values_list("kind", flat=True))
    assert kinds == {"decision", "payment", "change_decision", "confirmation", "refund_order"}
    for notice in Notice.objects.filter(case=case):
        html = render_notice_html(notice)
        assert "{{" not in html and "None" not in html, notice.kind
        pdf = render_notice_pdf(notice)
        assert pdf.startswith(b"%PDF"), notice.kind
        # One A4 page each; the 返還命令書 may put its 教示 (how to appeal) on a second page.
        assert page_count(pdf, tmp_path) <= (2 if notice.kind == "refund_order" else 1), notice.kind
    payment = Notice.objects.filter(case=case, kind="payment").order_by("pk").first()
    assert "（概算払第1回）" in pdf_text(render_notice_pdf(payment), tmp_path)


def test_simple_decision_notice_is_unchanged(tmp_path, staff, approver) -> None:  # type: ignore[no-untyped-def]
    case = approved_simple_case(staff, approver, UserFactory(username="finance", role="finance"))
    notice = Notice.objects.get(case=case, kind=NoticeKind.DECISION)
    text = pdf_text(render_notice_pdf(notice), tmp_path)
    assert_in(("交付決定額金70,000円", "交付決定額の算定", "世帯数120世帯", "交付の時期"), text)
    assert "事業名" not in text and "概算払" not in text


def test_council_gets_its_notice_pdf_and_not_another_councils(client, council, katsudo, staff, approver) -> None:  # type: ignore[no-untyped-def]
    case, _, _ = decided(katsudo, council, staff, approver)
    notice = Notice.objects.get(case=case, kind=NoticeKind.DECISION)
    response = login(client, council[1]).get(reverse("notice_pdf", args=[notice.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    other = other_council_case(katsudo, staff)
    login(client, other.organization.representatives.get().user)
    assert client.get(reverse("notice_pdf", args=[notice.pk])).status_code == 404


# Bad input in every form of the council pages: amounts that are negative, huge, not integers or in other
# digits; dates outside the 年度 or at the end of the calendar; empty, very long or control-character texts;
# HTML in every text (escaped in pages and notices); and rows of another council or programme-year posted
# directly. The page always answers (never a 500), names the field, and writes nothing.


XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_html_in_every_text_of_the_council_notices_is_escaped(katsudo, council, staff, approver, finance,
                                                               finance2) -> None:  # type: ignore[no-untyped-def]
    """Every notice of a council's year (交付決定, 変更交付決定, 支払, 額の確定, 返還命令) with HTML in the council's
    name, the plan's title, the project, the conditions and the change's reason: escaped, and the PDF renders."""
    from reports.pdf import render_notice_pdf
    from tests.councils.helpers import decide, pay_orders
    from tests.councils.steps import reported

    org, secretary = council
    org.name = f"協議会{XSS}"
    org.save()
    builders.instalments(katsudo, [(1, 2)])
    case, plan, cats = draft(katsudo, council, staff)
    type(plan).objects.filter(pk=plan.pk).update(title=f"計画{XSS}")
    lifecycle.save_application(case_id=case.pk, actor=secretary, project_title=f"事業{XSS}",
                               project_start=case.project_start, project_end=case.project_end)
    case = decide(case, secretary, staff, approver, conditions=f"条件{XSS}\n2行目")
    pay_orders(case, staff, finance, finance2, kinds=("advance",))
    lifecycle.start_change(case_id=case.pk, actor=secretary, reason=f"理由{XSS}", requested_amount=900_000)
    lifecycle.request_change(case_id=case.pk, actor=secretary)
    lifecycle.check_change(case_id=case.pk, actor=staff, assessed_amount=900_000)
    lifecycle.approve_change(case_id=case.pk, actor=approver)
    reported(fresh(case), plan, cats, secretary, staff, amounts=(300_000, 100_000))
    lifecycle.confirm(case_id=case.pk, actor=approver)
    kinds = set(Notice.objects.filter(case=case).values_list("kind", flat=True))
    assert kinds == {"decision", "payment", "change_decision", "confirmation", "refund_order"}
    for notice in Notice.objects.filter(case=case):
        html = render_notice_html(notice)
        assert "<script>alert" not in html and "<img src=x" not in html, notice.kind
        assert "&lt;script&gt;" in html, notice.kind
    assert render_notice_pdf(Notice.objects.get(case=case, kind="refund_order")).startswith(b"%PDF")
