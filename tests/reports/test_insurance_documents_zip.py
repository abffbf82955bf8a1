"""The single ZIP the 保険担当 sends the insurer (送付書類一式): the document set as PDF and .xlsx and every file
attached to the report and the claim, under names the app builds from kinds and numbers."""
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from grants.insurance import claims, services
from grants.insurance.models import AttachmentKind, Claim, ClaimDocumentKind
from reports.insurance_documents import ZIP_UTF8_FLAG, document_set_zip
from tests.insurance import builders

pytestmark = pytest.mark.django_db

TRAVERSAL = "../../etc/passwd"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture
def filed(association, association_head, insurance, policy, media) -> Claim:  # type: ignore[no-untyped-def]
    """A filed injury claim: the report's four documents, the claim form and a certificate."""
    return builders.filed_claim(association_head, insurance, association, outpatient_days=3)


def archive(claim: Claim) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(document_set_zip(claim)))


def stored(field_file) -> bytes:  # type: ignore[no-untyped-def]
    with field_file.storage.open(field_file.name, "rb") as handle:
        return handle.read()


def test_the_zip_holds_the_set_then_every_file_named_by_kind_and_number(filed) -> None:
    assert archive(filed).namelist() == [
        "01_送付書.pdf", "02_請求内容.xlsx", "03_会則・規約_1.pdf", "04_会員名簿_1.pdf", "05_年間事業計画_1.pdf",
        "06_参加者名簿_1.pdf", "07_保険金請求書_1.pdf", "08_診断書・通院証明書_1.pdf"]


def test_each_file_is_the_stored_file_and_the_set_is_the_pdf_and_workbook(filed, association_head) -> None:
    receipt = claims.add_claim_document(actor=association_head, claim_id=filed.pk, kind=ClaimDocumentKind.RECEIPT,
                                        title="領収書", amount=4_860,
                                        upload=SimpleUploadedFile("receipt.png", PNG, content_type="image/png"))
    zipped = archive(filed)
    files = list(filed.report.attachments.order_by("pk")) + list(filed.documents.order_by("pk"))
    assert receipt in files
    names = zipped.namelist()[2:]
    assert names[-1] == "09_領収書（治療費・通院交通費など）_1.png"
    assert [zipped.read(name) for name in names] == [stored(f.file) for f in files]
    assert zipped.read("01_送付書.pdf").startswith(b"%PDF")
    book = load_workbook(io.BytesIO(zipped.read("02_請求内容.xlsx")))
    assert book.sheetnames[:3] == ["事故の概要", "判定", "請求内容"]
    assert zipped.testzip() is None


def test_documents_of_one_kind_are_counted_and_names_carry_the_utf8_flag(filed, association_head) -> None:
    for amount in (1_000, 2_000):
        claims.add_claim_document(actor=association_head, claim_id=filed.pk, kind=ClaimDocumentKind.RECEIPT,
                                  title="領収書", amount=amount, upload=builders.pdf())
    zipped = archive(filed)
    assert zipped.namelist()[-2:] == ["09_領収書（治療費・通院交通費など）_1.pdf",
                                      "10_領収書（治療費・通院交通費など）_2.pdf"]
    assert all(info.flag_bits & ZIP_UTF8_FLAG for info in zipped.infolist())


def test_a_typed_title_or_an_uploaded_name_cannot_shape_a_name(association, association_head, insurance, policy,
                                                               media) -> None:
    report = builders.draft_report(association_head, association)
    services.add_attachment(actor=association_head, report_id=report.pk, kind=AttachmentKind.OTHER, title=TRAVERSAL,
                            upload=SimpleUploadedFile("..\\..\\windows\\evil.pdf", builders.PDF))
    services.submit_report(actor=association_head, report_id=report.pk)
    services.judge_report(actor=insurance, report_id=report.pk, findings=builders.all_hold(report))
    claim = claims.send_claim_forms(actor=insurance, report_id=report.pk, person_id=report.persons.get().pk)
    claims.add_claim_document(actor=association_head, claim_id=claim.pk, kind=ClaimDocumentKind.OTHER,
                              title=f"{TRAVERSAL}.exe", upload=builders.pdf(f"{TRAVERSAL}.pdf"))
    names = archive(claim).namelist()
    assert names[-2:] == ["07_その他（写真・図面など）_1.pdf", "08_その他_1.pdf"]
    for name in names:
        assert "/" not in name and "\\" not in name and ".." not in name, name
        assert "passwd" not in name and "evil" not in name, name


def test_a_liability_claim_sends_its_estimate(association, association_head, insurance, policy, media) -> None:
    report = builders.covered_report(association_head, insurance, association, persons={"佐藤 花子": "property"},
                                     kind_injury=False, kind_liability_property=True)
    claim = claims.send_claim_forms(actor=insurance, report_id=report.pk, person_id=report.persons.get().pk)
    claims.add_claim_document(actor=association_head, claim_id=claim.pk, kind=ClaimDocumentKind.DAMAGE,
                              title="修理の見積書", amount=80_000, upload=builders.pdf())
    assert archive(claim).namelist()[-1] == "07_損害の見積書・写真_1.pdf"
