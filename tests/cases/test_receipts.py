"""Copies of receipts attached to a 実績報告 (grants/cases/receipts.py): wrong types, missing file or title, and only
while the report is written."""
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from grants.cases import lifecycle, receipts
from grants.cases.models import Receipt
from grants.cases.workflows import CaseActionError
from tests.councils.steps import decided, today

pytestmark = pytest.mark.django_db


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


HTML = b"<html><script>alert(1)</script></html>"


EXE = b"MZ\x90\x00" + b"\x00" * 32


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


def test_receipts_only_while_the_report_is_written(council, staff, approver, katsudo) -> None:  # type: ignore[no-untyped-def]
    case, plan, cats = decided(katsudo, council, staff, approver)
    with pytest.raises(CaseActionError, match="実績報告の概要を保存した後"):
        receipts.add_receipt(case_id=case.pk, actor=council[1], title="領収書", upload=SimpleUploadedFile("r.pdf", PDF))
