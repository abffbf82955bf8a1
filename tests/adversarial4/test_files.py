"""Files attached to plans and reports: wrong types disguised by their extension, empty and oversized files,
odd names, and how they are served back (always as a download, only to whoever may see the plan or case)."""
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from grants.cases import lifecycle, receipts
from grants.cases.models import Receipt
from grants.cases.workflows import CaseActionError
from grants.councils import plans
from grants.organizations.models import PlanAttachment
from tests.councils import builders
from tests.councils.steps import case_url, decided, login, post, today

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32
DOCX = b"PK\x03\x04" + b"\x00" * 32
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 32
HTML = b"<html><script>alert(1)</script></html>"
EXE = b"MZ\x90\x00" + b"\x00" * 32


@pytest.fixture
def draft_plan(council, staff):  # type: ignore[no-untyped-def]
    plan = builders.approved_plan(council[0], staff)
    return plans.start_revision(actor=council[1], plan_id=plan.pk, reason="見直し")


@pytest.mark.parametrize("name, content", [("plan.pdf", PDF), ("PLAN.PDF", PDF), ("図.png", PNG), ("写真.jpeg", JPEG),
                                           ("計画.docx", DOCX), ("予算.xlsx", DOCX), ("旧.doc", OLE), ("旧.xls", OLE)])
def test_plan_attachments_of_the_allowed_types_are_kept(council, draft_plan, name, content) -> None:  # type: ignore[no-untyped-def]
    attachment = plans.add_attachment(actor=council[1], plan_id=draft_plan.pk, title="資料",
                                      upload=SimpleUploadedFile(name, content))
    assert attachment.file.read() == content


@pytest.mark.parametrize("name, content", [("plan.pdf", HTML), ("plan.pdf", EXE), ("図.png", PDF),
                                           ("計画.docx", HTML), ("旧.xls", b"a,b,c\n1,2,3\n"),
                                           ("写真.jpg", b"GIF89a" + b"\x00" * 16)])
def test_regression_plan_attachment_disguised_by_its_extension_is_refused(council, draft_plan, name, content) -> None:  # type: ignore[no-untyped-def]
    """Receipts were checked for their first bytes; plan attachments were not, so an HTML page or a program named
    「計画書.pdf」 was kept and handed to every city user who opens the plan."""
    with pytest.raises(plans.PlanError, match="ファイル"):
        plans.add_attachment(actor=council[1], plan_id=draft_plan.pk, title="資料",
                             upload=SimpleUploadedFile(name, content))
    assert not PlanAttachment.objects.exists()


def test_regression_empty_plan_attachment_is_refused_by_the_service(council, draft_plan) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(plans.PlanError, match="ファイル"):
        plans.add_attachment(actor=council[1], plan_id=draft_plan.pk, title="資料",
                             upload=SimpleUploadedFile("empty.pdf", b""))
    assert not PlanAttachment.objects.exists()


@pytest.mark.parametrize("name", ["plan.exe", "plan.pdf.exe", "plan.html", "plan", ".pdf", "plan.PDF ", "plan.svg"])
def test_plan_attachment_of_other_extensions_is_refused(council, draft_plan, name) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(plans.PlanError, match="ファイル"):
        plans.add_attachment(actor=council[1], plan_id=draft_plan.pk, title="資料",
                             upload=SimpleUploadedFile(name, PDF))


def test_oversized_and_empty_uploads_through_the_pages(client, council, draft_plan) -> None:  # type: ignore[no-untyped-def]
    login(client, council[1])
    url = reverse("plan_add_attachment", args=[draft_plan.pk])
    big = SimpleUploadedFile("big.pdf", PDF + b"0" * (10 * 1024 * 1024))
    assert any("10MB" in m for m in post(client, url, {"title": "大", "file": big}))
    assert any(m.startswith("ファイル") for m in post(client, url, {"title": "空", "file": SimpleUploadedFile(
        "empty.pdf", b"")}))
    assert any(m.startswith("資料名") for m in post(client, url, {"title": "", "file": SimpleUploadedFile(
        "a.pdf", PDF)}))
    assert not PlanAttachment.objects.exists()


def test_attachments_are_served_as_downloads_never_inline(client, council, staff, draft_plan) -> None:  # type: ignore[no-untyped-def]
    attachment = plans.add_attachment(actor=council[1], plan_id=draft_plan.pk, title="資料",
                                      upload=SimpleUploadedFile("計画.pdf", PDF))
    response = login(client, staff).get(reverse("plan_attachment", args=[draft_plan.pk, attachment.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response.get("X-Content-Type-Options") == "nosniff"
    # A file gone from the disk is a 404, not a 500.
    attachment.file.storage.delete(attachment.file.name)
    assert client.get(reverse("plan_attachment", args=[draft_plan.pk, attachment.pk])).status_code == 404


def test_approved_plan_takes_no_attachment(council, staff) -> None:  # type: ignore[no-untyped-def]
    plan = builders.approved_plan(council[0], staff)
    with pytest.raises(plans.PlanError, match="承認済み"):
        plans.add_attachment(actor=council[1], plan_id=plan.pk, title="資料", upload=SimpleUploadedFile("a.pdf", PDF))


# -- receipts ----------------------------------------------------------------------------------------------------

@pytest.fixture
def writing_report(council, staff, approver, katsudo):  # type: ignore[no-untyped-def]
    case, plan, cats = decided(katsudo, council, staff, approver)
    lifecycle.save_report(case_id=case.pk, actor=council[1], narrative="実施", completed_on=today())
    return case


@pytest.mark.parametrize("name, content, match", [
    ("r.pdf", HTML, "一致しません"), ("r.png", PDF, "一致しません"), ("r.jpg", EXE, "一致しません"),
    ("r.pdf", b"", "空のファイル"), ("r.gif", b"GIF89a", "PDF・JPEG・PNG"), ("r.pdf.html", PDF, "PDF・JPEG・PNG"),
    ("r.pdf", PDF + b"0" * (10 * 1024 * 1024), "10MB"),
])
def test_bad_receipts_are_refused(council, writing_report, name, content, match) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(CaseActionError, match=match):
        receipts.add_receipt(case_id=writing_report.pk, actor=council[1], title="領収書",
                             upload=SimpleUploadedFile(name, content))
    assert not Receipt.objects.exists()


def test_receipt_without_a_file_or_title_is_refused(council, writing_report) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(CaseActionError, match="ファイル"):
        receipts.add_receipt(case_id=writing_report.pk, actor=council[1], title="領収書", upload=None)
    for title in ("", " ", "x" * 201):
        with pytest.raises(CaseActionError, match="内容"):
            receipts.add_receipt(case_id=writing_report.pk, actor=council[1], title=title,
                                 upload=SimpleUploadedFile("r.pdf", PDF))


def test_receipt_keeps_no_user_file_name_and_downloads_as_attachment(client, council, staff, writing_report) -> None:  # type: ignore[no-untyped-def]
    receipt = receipts.add_receipt(case_id=writing_report.pk, actor=council[1], title="領収書",
                                   upload=SimpleUploadedFile("../../../etc/passwd.pdf", PDF))
    assert "passwd" not in receipt.file.name and ".." not in receipt.file.name
    response = login(client, staff).get(case_url("case_receipt", writing_report, receipt.pk))
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Content-Type"] == "application/pdf"


def test_receipts_only_while_the_report_is_written(council, staff, approver, katsudo) -> None:  # type: ignore[no-untyped-def]
    case, plan, cats = decided(katsudo, council, staff, approver)
    with pytest.raises(CaseActionError, match="実績報告の概要を保存した後"):
        receipts.add_receipt(case_id=case.pk, actor=council[1], title="領収書", upload=SimpleUploadedFile("r.pdf", PDF))
