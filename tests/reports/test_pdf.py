"""Notices as PDF: embedded Japanese font, 和暦 dates, escaped applicant text and a fetcher that reads nothing
outside data: URLs and the project's static files."""
import base64
import re
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from PIL import Image
from weasyprint import HTML
from weasyprint.urls import URLFetcher

from grants.core.fiscal import wareki
from grants.notices.models import NoticeKind
from grants.notices.services import issue_notice
from reports import pdf as notice_pdf
from reports.pdf import NoticeURLFetcher, RefusedURLError, render_html_pdf, render_notice_pdf, render_notices_pdf
from tests import factories
from tests.cases.steps import to_decided
from tests.notices.builders import new_case, with_relations
from tests.reports.pdf_tools import page_count, pdf_text, run

pytestmark = pytest.mark.django_db


# The notices' case (tests/conftest.py notice_case) is this module's case: decided_case and refused_case build on it.
@pytest.fixture
def case(notice_case):  # type: ignore[no-untyped-def]
    return notice_case


PASSWD_LINE = "root:x:0:0"


def flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture
def decision(decided_case, approver):  # type: ignore[no-untyped-def]
    return issue_notice(case=decided_case, kind=NoticeKind.DECISION, actor=approver)


def test_ipaex_font_is_embedded(decision, tmp_path) -> None:  # type: ignore[no-untyped-def]
    fonts = run("pdffonts", render_notice_pdf(decision), tmp_path).splitlines()[2:]
    ipaex = [line for line in fonts if "IPAex" in line]
    assert ipaex, fonts
    # columns: name type encoding emb sub uni object ID
    assert all(line.split()[-5] == "yes" for line in ipaex), ipaex
    assert not [line for line in fonts if line.split()[-5] != "yes"], fonts


def test_text_has_number_wareki_date_addressee_sender_and_amounts(decision, tmp_path) -> None:  # type: ignore[no-untyped-def]
    text = pdf_text(render_notice_pdf(decision), tmp_path)
    assert decision.document_number in text
    assert wareki(decision.issued_on) in text and "令和" in text
    assert "（20" not in text  # no Western year by default
    assert "会長山口太郎様" in text and decision.details["organization"] in text
    assert "山口市長" in text
    assert "交付決定通知書" in text and decision.case.programme_year.fiscal_year_label in text
    assert "金70,000円" in text
    assert "120×500円" in text and "60,000円" in text  # the computation lines


def test_wareki_western_date_style_and_mayor_name(decision, settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings.NOTICE_DATE_STYLE = "wareki_western"
    settings.CITY_MAYOR_NAME = "伊藤 和貴"
    text = pdf_text(render_notice_pdf(decision), tmp_path)
    assert wareki(decision.issued_on, with_western=True) in text
    assert f"（{decision.issued_on.year}年）" in text
    assert "山口市長伊藤和貴" in text


def test_unknown_date_style_is_a_configuration_error(decision, settings) -> None:  # type: ignore[no-untyped-def]
    settings.NOTICE_DATE_STYLE = "western"
    with pytest.raises(ImproperlyConfigured):
        render_notice_pdf(decision)


def test_refusal_confirmation_and_payment_notices(decided_case, refused_case, staff, approver, finance, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tests.notices.builders import paid

    refusal = issue_notice(case=refused_case, kind=NoticeKind.REFUSAL, actor=approver)
    text = pdf_text(render_notice_pdf(refusal), tmp_path)
    assert "不交付決定通知書" in text and "活動実績が確認できないため。" in text and "白石花子" in text
    confirmation = issue_notice(case=decided_case, kind=NoticeKind.CONFIRMATION, actor=staff, confirmed_amount=65_000)
    text = pdf_text(render_notice_pdf(confirmation), tmp_path)
    assert "額の確定通知書" in text and "金65,000円" in text and "金70,000円" in text
    paid_case = with_relations(paid(decided_case, staff, finance))
    payment = issue_notice(case=paid_case, kind=NoticeKind.PAYMENT, actor=finance)
    text = pdf_text(render_notice_pdf(payment), tmp_path)
    assert "支払通知書" in text and wareki(paid_case.paid_on) in text and "****567" in text
    assert "1234567" not in text


def test_applicant_text_is_printed_as_text_and_fetches_nothing(programme_year, staff, approver, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    head = factories.UserFactory(username="evil-head", role="association_head")
    org = factories.AssociationFactory(name='<img src="file:///etc/passwd">')
    factories.RepresentativeFactory(organization=org, user=head,
                                    name='<link rel=stylesheet href="http://example.com/x.css">')
    case = with_relations(to_decided(new_case(programme_year, org), head, staff, approver))
    notice = issue_notice(case=case, kind=NoticeKind.DECISION, actor=approver)
    fetched: list[str] = []
    original = NoticeURLFetcher.fetch

    def spy(self, url, headers=None):  # type: ignore[no-untyped-def]
        fetched.append(url)
        return original(self, url, headers)

    monkeypatch.setattr(NoticeURLFetcher, "fetch", spy)
    pdf = render_notice_pdf(notice)
    text = pdf_text(pdf, tmp_path)
    assert flat('<img src="file:///etc/passwd">') in text
    assert flat('<link rel=stylesheet href="http://example.com/x.css">') in text
    assert PASSWD_LINE not in text and PASSWD_LINE.encode() not in pdf
    assert fetched == []  # the markup never became an element, so nothing was even asked for
    assert "&lt;" not in text  # escaped once, not twice


@pytest.mark.parametrize("url", [
    "file:///etc/passwd", "FILE:///etc/passwd", "http://example.com/x.css", "https://example.com/x.css",
    "ftp://example.com/x", "//example.com/static/css/site.css", "/static/../../../etc/passwd",
    "/static/%2e%2e/%2e%2e/etc/passwd", "/static/css/../../config/settings.py", "/static/no-such-file.css",
    "/etc/passwd", "static/css/site.css",
])
def test_fetcher_refuses_anything_but_data_and_static(url) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(RefusedURLError):
        NoticeURLFetcher().fetch(url)


def test_fetcher_serves_data_urls_and_static_files() -> None:
    response = NoticeURLFetcher().fetch("data:text/plain;base64," + base64.b64encode("通知".encode()).decode())
    assert response.read().decode() == "通知"
    response = NoticeURLFetcher().fetch("/static/css/site.css")
    assert response.content_type == "text/css" and b"font-family" in response.read()


def _png(path: Path) -> None:
    Image.new("RGB", (40, 40), (200, 0, 0)).save(path, format="PNG")


def test_html_referencing_local_files_embeds_nothing(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A document that points straight at local files (an image, a PDF attachment of /etc/passwd): with the
    default fetcher WeasyPrint reads and embeds them; with the notice fetcher nothing reaches the PDF."""
    image = tmp_path / "secret.png"
    _png(image)
    html = (f'<p>本文</p><img src="file://{image}" alt="x"><img src="file:///etc/passwd" alt="y">'
            '<link rel="attachment" href="file:///etc/passwd"><link rel=stylesheet href="file:///etc/passwd">')
    ours = render_html_pdf(html)
    default = HTML(string=html, base_url=None, url_fetcher=URLFetcher()).write_pdf()
    assert _images(default, tmp_path) == 1 and _attachments(default, tmp_path) == 1  # the check can fail
    assert _images(ours, tmp_path) == 0 and _attachments(ours, tmp_path) == 0
    assert PASSWD_LINE.encode() not in ours
    assert "本文" in pdf_text(ours, tmp_path)


def _images(pdf: bytes, tmp_path: Path) -> int:
    return len(run("pdfimages", pdf, tmp_path, "-list").splitlines()[2:])


def _attachments(pdf: bytes, tmp_path: Path) -> int:
    first = run("pdfdetach", pdf, tmp_path, "-list").splitlines()[0]
    return int(first.split()[0])


def test_batch_pdf_has_the_pages_of_every_notice(decided_case, refused_case, programme_year, staff, approver, tmp_path) -> None:  # type: ignore[no-untyped-def]
    head = factories.UserFactory(username="third-head", role="association_head")
    third = with_relations(to_decided(new_case(programme_year, head_user=head), head, staff, approver))
    notices = [
        issue_notice(case=decided_case, kind=NoticeKind.DECISION, actor=approver),
        issue_notice(case=refused_case, kind=NoticeKind.REFUSAL, actor=approver),
        issue_notice(case=third, kind=NoticeKind.DECISION, actor=approver),
    ]
    singles = [page_count(render_notice_pdf(n), tmp_path) for n in notices]
    calls: list[tuple[int, int]] = []
    pdf = render_notices_pdf(notices, progress=lambda done, total: calls.append((done, total)))
    assert page_count(pdf, tmp_path) == sum(singles) >= 3
    text = pdf_text(pdf, tmp_path)
    assert all(n.document_number in text for n in notices)
    assert text.index(notices[0].document_number) < text.index(notices[2].document_number)
    assert calls == [(0, 3), (1, 3), (2, 3), (3, 3)]
    assert any("IPAex" in line and line.split()[-5] == "yes" for line in run("pdffonts", pdf, tmp_path).splitlines())


def test_batch_of_nothing_is_an_error() -> None:
    with pytest.raises(ValueError, match="対象の通知書がありません"):
        render_notices_pdf([])


def test_module_reads_settings_at_render_time(settings) -> None:  # type: ignore[no-untyped-def]
    assert notice_pdf.sender_line() == "山口市長"
    settings.CITY_MAYOR_TITLE = "山口市長職務代理者 山口市副市長"
    assert notice_pdf.sender_line() == "山口市長職務代理者 山口市副市長"
