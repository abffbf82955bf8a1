"""Bad files through the upload forms: a renamed executable, HTML named .pdf, zero bytes, one byte over 10 MB,
names with a path or in Japanese, no extension. Only the extension and the first bytes are checked (a PDF that
carries /JavaScript is a PDF): such a file is kept, and it is served only as a download (attachment, its own
content type, nosniff) by a view that checks who may see it, never from MEDIA_URL."""
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from grants.core.uploads import MAX_UPLOAD_BYTES
from grants.insurance.models import ClaimDocument, ReportAttachment
from tests.cases.steps import login
from tests.insurance import builders
from tests.insurance.groups import snapshot
from tests.insurance.pages import text

pytestmark = pytest.mark.django_db

PDF = builders.PDF
BAD = {
    "exe_as_pdf": ("請求書.pdf", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64, "中身が拡張子"),
    "html_as_pdf": ("診断書.pdf", b"<html><script>alert(1)</script></html>", "中身が拡張子"),
    "empty": ("空.pdf", b"", "ファイルは空です"),
    "no_extension": ("診断書", PDF, "いずれかのファイル"),
    "exe": ("setup.exe", b"MZ" + b"\x00" * 64, "いずれかのファイル"),
    "double_extension": ("写真.pdf.exe", PDF, "いずれかのファイル"),
    "svg": ("図面.svg", b"<svg xmlns='http://www.w3.org/2000/svg'><script>1</script></svg>", "いずれかのファイル"),
    "html": ("page.html", b"<html></html>", "いずれかのファイル"),
}


def _upload(name: str, content: bytes, content_type: str = "application/pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.mark.parametrize("case", list(BAD))
def test_a_bad_attachment_is_refused_and_nothing_is_kept(client, group_a, media, case) -> None:
    name, content, message = BAD[case]
    before = snapshot()
    response = login(client, group_a.head).post(reverse("insurance_report_add_attachment", args=[group_a.draft.pk]),
                                                {"kind": "other", "title": "写真", "file": _upload(name, content)})
    assert response.status_code == 200 and message in text(response)
    assert snapshot()[0] == before[0]
    assert not list((media / "insurance" / "reports" / str(group_a.draft.pk)).glob("attachment*"))


@pytest.mark.parametrize("case", list(BAD))
def test_a_bad_claim_document_is_refused(client, group_a, insurance, case) -> None:
    from grants.insurance import claims

    report = builders.covered_report(group_a.head, insurance, group_a.organization)
    claim = claims.send_claim_forms(actor=insurance, report_id=report.pk, person_id=report.persons.get().pk)
    name, content, message = BAD[case]
    before = snapshot()
    response = login(client, group_a.head).post(reverse("insurance_claim_add_document", args=[claim.pk]), {
        "kind": "receipt", "title": "領収書", "file": _upload(name, content)})
    assert response.status_code == 200 and message in text(response)
    assert snapshot()[0] == before[0]


def test_one_byte_over_ten_megabytes_is_refused_and_exactly_ten_is_kept(client, group_a) -> None:
    c = login(client, group_a.head)
    target = reverse("insurance_report_add_attachment", args=[group_a.draft.pk])
    big = PDF + b"0" * (MAX_UPLOAD_BYTES + 1 - len(PDF))
    response = c.post(target, {"kind": "other", "title": "大きい", "file": _upload("big.pdf", big)})
    assert response.status_code == 200 and "10MB以下" in text(response)
    assert c.post(target, {"kind": "other", "title": "ちょうど", "file": _upload("ok.pdf", big[:-1])}).status_code == 302


def test_a_word_file_is_a_report_attachment_but_not_a_claim_document(client, group_a, insurance) -> None:
    from grants.insurance import claims

    docx = b"PK\x03\x04" + b"\x00" * 60
    c = login(client, group_a.head)
    assert c.post(reverse("insurance_report_add_attachment", args=[group_a.draft.pk]),
                  {"kind": "bylaws", "title": "会則", "file": _upload("会則.docx", docx)}).status_code == 302
    report = builders.covered_report(group_a.head, insurance, group_a.organization)
    claim = claims.send_claim_forms(actor=insurance, report_id=report.pk, person_id=report.persons.get().pk)
    response = c.post(reverse("insurance_claim_add_document", args=[claim.pk]),
                      {"kind": "receipt", "title": "領収書", "file": _upload("領収書.docx", docx)})
    assert response.status_code == 200 and "PDF・JPEG・PNG" in text(response)


@pytest.mark.parametrize("name", ["../../../../etc/cron.d/evil.PDF", "..\\..\\windows\\evil.pdf", "診断書①（写し）.pdf",
                                  "/absolute/path.pdf", "a" * 300 + ".pdf"])
def test_the_given_name_never_becomes_a_path(client, group_a, media, name) -> None:
    response = login(client, group_a.head).post(
        reverse("insurance_report_add_attachment", args=[group_a.draft.pk]),
        {"kind": "other", "title": "写真", "file": _upload(name, PDF)})
    assert response.status_code == 302
    stored = ReportAttachment.objects.latest("pk").file
    assert stored.name.startswith(f"insurance/reports/{group_a.draft.pk}/") and stored.name.endswith(".pdf")
    assert ".." not in stored.name and "\\" not in stored.name
    assert (media / stored.name).resolve().is_relative_to(media.resolve())


def test_a_pdf_with_javascript_is_kept_and_served_only_as_a_download(client, group_a, insurance) -> None:
    """We check the first bytes only: a PDF with /JavaScript is still a PDF. It leaves the server as an
    attachment with its own type and nosniff, so no browser runs it as a page."""
    hostile = b"%PDF-1.4\n1 0 obj<</OpenAction<</S/JavaScript/JS(app.alert(1))>>>>endobj\n<html><script>1</script>"
    c = login(client, group_a.head)
    c.post(reverse("insurance_report_add_attachment", args=[group_a.draft.pk]),
           {"kind": "other", "title": "写真", "file": _upload("x.pdf", hostile, "text/html")})
    attachment = ReportAttachment.objects.latest("pk")
    response = c.get(reverse("insurance_report_attachment", args=[group_a.draft.pk, attachment.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == hostile


def test_files_are_not_reachable_under_media_url(client, group_a, settings) -> None:
    """Attachments are served by the logged view only: the MEDIA_URL path of a stored file is not a page."""
    stored = group_a.report.attachments.first().file.name
    response = login(client, group_a.head).get(settings.MEDIA_URL + stored)
    assert response.status_code == 404


def test_a_download_name_is_the_kind_and_number_not_the_uploaded_name(client, group_a) -> None:
    c = login(client, group_a.head)
    c.post(reverse("insurance_report_add_attachment", args=[group_a.draft.pk]),
           {"kind": "other", "title": "写真", "file": _upload('evil"; filename="x.html.pdf', PDF)})
    attachment = ReportAttachment.objects.latest("pk")
    response = c.get(reverse("insurance_report_attachment", args=[group_a.draft.pk, attachment.pk]))
    disposition = response["Content-Disposition"]
    assert "x.html" not in disposition and "evil" not in disposition
    assert disposition.endswith(".pdf") or ".pdf" in disposition


def test_claim_documents_keep_only_their_number_too(client, group_a) -> None:
    document = ClaimDocument.objects.filter(claim=group_a.claim).first()
    assert document.file.name.startswith(f"insurance/claims/{group_a.claim.pk}/")
    assert document.file.name.endswith(".pdf")
