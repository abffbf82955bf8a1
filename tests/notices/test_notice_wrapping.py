"""A 300-character string without a place to break (事業名, 団体名, 交付の条件, 理由 …) wraps inside the page and
inside its table cell in every kind of notice, and the amounts of the 概算払 and 算定 tables stay whole on the page
(templates/notices/base.html: overflow-wrap and fixed table layout). Read from WeasyPrint's layout boxes of the
notice as reports.pdf lays it out; the notice's snapshot (``Notice.details``) is written here directly, since no
form takes such text whole and the PDF is drawn from the snapshot alone."""
import datetime as dt
from collections.abc import Iterator

import pytest
from weasyprint.formatting_structure import boxes

from grants.notices.models import Notice, NoticeKind
from reports.pdf import html_document, render_notice_html

LONG = "あ" * 150 + "A" * 150  # 300 characters, none a place to break a line (no space, no punctuation)
ADVANCES = (123_456_789, 987_654_321)


def details(*, full_lifecycle: bool = True) -> dict[str, object]:
    """A snapshot with every text a notice prints made 300 characters long."""
    texts = {"organization": "団体" + LONG, "project_title": "事業" + LONG if full_lifecycle else "",
             "conditions": "条件" + LONG, "plan": "計画" + LONG, "reason": "理由" + LONG, "change_reason": "変更" + LONG,
             "account": "口座" + LONG, "order_label": "概算払" + LONG, "call_title": "募集" + LONG,
             "head_name": "氏名" + LONG}
    return {
        **texts, "fiscal_year_label": "令和8年度", "programme_name": "地域づくり交付金", "head_title": "会長",
        "programme_year_label": "令和8年度地域づくり交付金", "submitted_on": "2026-04-10", "decided_on": "2026-05-01",
        "completion_deadline": "2027-03-31", "applied_amount": 1_200_000, "decided_amount": 1_000_000,
        "confirmed_amount": 900_000, "paid_amount": 500_000, "justified_amount": 900_000,
        "previous_amount": 1_000_000, "selected_amount": 800_000, "principal": 100_000, "ordered_on": "2026-05-01",
        "due_on": "2026-05-21", "household_count": 120, "base_date": "2026-04-01",
        "advances": [{"label": "第1回" + LONG, "amount": ADVANCES[0], "pay_on": "2026-06-01"},
                     {"label": "第2回", "amount": ADVANCES[1], "pay_on": "2026-09-01"}],
        "computation_lines": [{"label": "均等割" + LONG, "basis": "基準" + LONG, "amount": 10_000, "applied": True}],
    }


def laid_out(kind: str, *, full_lifecycle: bool = True):  # type: ignore[no-untyped-def]
    notice = Notice(kind=kind, document_number="山協第1号", issued_on=dt.date(2026, 5, 1), amount=1_000_000,
                    details=details(full_lifecycle=full_lifecycle))
    return html_document(render_notice_html(notice))


def text_boxes(document) -> Iterator[tuple[boxes.TextBox, float, float]]:  # type: ignore[no-untyped-def]
    """Every line of text with the left and right edges of its page's content area (CSS px)."""
    for page in document.pages:
        page_box = page._page_box
        left = page_box.content_box_x()
        right = left + page_box.width

        def walk(box):  # type: ignore[no-untyped-def]
            if isinstance(box, boxes.TextBox):
                yield box
            for child in getattr(box, "children", None) or []:
                yield from walk(child)

        for box in walk(page_box):
            yield box, left, right


@pytest.mark.parametrize(("kind", "full_lifecycle"), [(k, True) for k in NoticeKind.values] + [("decision", False)],
                         ids=[*NoticeKind.values, "decision_formula"])
def test_long_unbroken_text_stays_inside_the_pages_content_width(kind, full_lifecycle) -> None:  # type: ignore[no-untyped-def]
    document = laid_out(kind, full_lifecycle=full_lifecycle)
    lines = list(text_boxes(document))
    beyond = [(box.text[:20], round(box.position_x + box.width - right, 1)) for box, left, right in lines
              if box.position_x < left - 0.5 or box.position_x + box.width > right + 0.5]
    assert not beyond, beyond
    assert any("あ" in box.text for box, _, _ in lines)  # the long text is printed (wrapped), not dropped


@pytest.mark.parametrize(("kind", "figures", "full_lifecycle"), [
    ("decision", ADVANCES, True), ("confirmation", ADVANCES, True), ("change_decision", ADVANCES, True),
    ("decision", (10_000,), False),
])
def test_the_amount_column_keeps_each_figure_whole_on_the_page(kind, figures, full_lifecycle) -> None:  # type: ignore[no-untyped-def]
    lines = list(text_boxes(laid_out(kind, full_lifecycle=full_lifecycle)))
    for figure in figures:
        shown = [(box, right) for box, _, right in lines if box.text == f"{figure:,}円"]
        assert shown, f"{figure:,}円 is not one line of the notice"
        assert all(box.position_x + box.width <= right + 0.5 for box, right in shown)
