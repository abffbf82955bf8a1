"""The claim page as the group and the 保険担当 meet it: the claim form to print (保険金請求書（記入用）), removing
a wrong document, and the forwarding section in the order of the work (the downloads, the ZIP of everything,
then 送付を記録). Who may download each file, and one access row per download."""
import datetime as dt
import io
import re
import zipfile

import pytest
from django.urls import reverse

from grants.insurance import claims
from grants.insurance.models import (
    BandTable,
    BandTables,
    BenefitBand,
    BenefitMode,
    Claim,
    ClaimDocument,
    ClaimDocumentKind,
    ClaimStatus,
    InsurancePolicy,
    PersonalDataAccess,
)
from tests.cases.steps import login, messages_of
from tests.insurance import builders
from tests.insurance.pages import accesses, counts, other_group, state, text

pytestmark = pytest.mark.django_db

GRANT_ROLES = ("staff", "approver", "finance", "auditor")
FILES = ("insurance_claim_form", "insurance_claim_documents_zip", "insurance_claim_documents_pdf",
         "insurance_claim_documents_xlsx")


def url(name: str, *args: object) -> str:
    return reverse(name, args=args)


@pytest.fixture
def open_claim(association, association_head, insurance, policy, media) -> Claim:  # type: ignore[no-untyped-def]
    """The injured participant's claim, forms sent, nothing recorded yet."""
    report = builders.covered_report(association_head, insurance, association)
    return claims.send_claim_forms(actor=insurance, report_id=report.pk, person_id=report.persons.get().pk)


@pytest.fixture
def filed(association, association_head, insurance, policy, media) -> Claim:  # type: ignore[no-untyped-def]
    return builders.filed_claim(association_head, insurance, association, outpatient_days=3)


# -- who may download what ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", FILES)
def test_the_head_of_another_group_gets_404_and_nothing_is_logged(client, filed, name) -> None:
    _, head = other_group()
    assert login(client, head).get(url(name, filed.pk)).status_code == 404
    assert PersonalDataAccess.objects.count() == 0


@pytest.mark.parametrize("role", GRANT_ROLES)
def test_the_grant_roles_get_404_on_every_file_and_nothing_is_logged(client, request, filed, role) -> None:
    c = login(client, request.getfixturevalue(role))
    for name in FILES:
        assert c.get(url(name, filed.pk)).status_code == 404, name
    assert PersonalDataAccess.objects.count() == 0


def test_the_group_prints_the_claim_form_but_gets_403_on_what_goes_to_the_insurer(client, association_head,
                                                                                  open_claim) -> None:
    c = login(client, association_head)
    for name in ("insurance_claim_documents_zip", "insurance_claim_documents_pdf", "insurance_claim_documents_xlsx"):
        assert c.get(url(name, open_claim.pk)).status_code == 403, name
    assert PersonalDataAccess.objects.count() == 0
    response = c.get(url("insurance_claim_form", open_claim.pk))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert response["Content-Disposition"].startswith("inline;")
    assert accesses() == [("head", "claim_form", open_claim.pk, f"請求 {open_claim.number}")]


def test_the_insurance_officer_gets_each_file_and_each_download_writes_one_row(client, insurance, filed) -> None:
    c = login(client, insurance)
    expected = {"insurance_claim_form": ("claim_form", "application/pdf"),
                "insurance_claim_documents_zip": ("document_set_zip", "application/zip"),
                "insurance_claim_documents_pdf": ("document_set_pdf", "application/pdf"),
                "insurance_claim_documents_xlsx": (
                    "document_set_xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")}
    for name, (kind, content_type) in expected.items():
        before = PersonalDataAccess.objects.count()
        response = c.get(url(name, filed.pk))
        assert (response.status_code, response["Content-Type"]) == (200, content_type), name
        assert accesses(pk__gt=0)[before:] == [("hoken", kind, filed.pk, f"請求 {filed.number}")], name


def test_the_zip_download_is_an_attachment_named_by_the_claim(client, insurance, filed) -> None:
    response = login(client, insurance).get(url("insurance_claim_documents_zip", filed.pk))
    assert response["Content-Disposition"].startswith("attachment;")
    assert f"{filed.number}" in response["Content-Disposition"]
    names = zipfile.ZipFile(io.BytesIO(response.content)).namelist()
    assert names[:3] == ["01_送付書.pdf", "02_請求内容.xlsx", "03_会則・規約_1.pdf"] and len(names) == 8


def test_a_zip_with_a_stored_file_gone_answers_404_and_logs_nothing(client, insurance, filed) -> None:
    document = filed.documents.first()
    document.file.storage.delete(document.file.name)
    assert login(client, insurance).get(url("insurance_claim_documents_zip", filed.pk)).status_code == 404
    assert PersonalDataAccess.objects.count() == 0


@pytest.mark.parametrize("who", ["association_head", "insurance"])
def test_the_claim_form_is_not_printed_once_the_claim_is_forwarded(client, request, filed, insurance, who) -> None:
    claims.forward_claim(actor=insurance, claim_id=filed.pk)
    c = login(client, request.getfixturevalue(who))
    response = c.get(url("insurance_claim_form", filed.pk))
    assert response.status_code == 302 and response.url == url("insurance_claim_detail", filed.pk)
    assert PersonalDataAccess.objects.count() == 0
    assert messages_of(c.get(response.url))[0] == "保険金請求書（記入用）を印刷できるのは、保険会社へ送付する前の請求だけです。"
    assert "保険金請求書（記入用）を印刷" not in text(c.get(url("insurance_claim_detail", filed.pk))).split("</h1>")[1]


# -- the claim page ----------------------------------------------------------------------------------------------

def test_the_group_is_told_in_one_sentence_what_to_do_with_the_claim_form(client, association_head,
                                                                          open_claim) -> None:
    page = text(login(client, association_head).get(url("insurance_claim_detail", open_claim.pk)))
    block = page.split('<div id="claim-form">')[1].split("</div>")[0]
    assert ("保険金請求書を下のリンクから印刷し（市から郵送した用紙でも構いません）、記入して署名したら、写真に撮るか"
            "スキャンして、領収書や診断書・通院証明書と一緒にこの画面で登録し、「保険金を請求する」を押してください。"
            ) in block
    assert f'<a href="{url("insurance_claim_form", open_claim.pk)}">保険金請求書（記入用）を印刷</a>' in block
    assert (page.index('id="claim-form"') < page.index('id="documents"')
            < page.index('<button type="submit">保険金を請求する</button>'))


def test_a_filed_claim_still_offers_the_form_without_asking_to_file(client, association_head, filed) -> None:
    page = text(login(client, association_head).get(url("insurance_claim_detail", filed.pk)))
    block = page.split('<div id="claim-form">')[1].split("</div>")[0]
    assert "保険金請求書（記入用）を印刷" in block and "「保険金を請求する」を押してください" not in block


def _forwarding(page: str) -> str:
    return page.split('<section id="forwarding"')[1].split("</section>")[0]


def test_the_forwarding_section_is_in_the_order_of_the_work(client, insurance, filed) -> None:
    page = text(login(client, insurance).get(url("insurance_claim_detail", filed.pk)))
    section = _forwarding(page)
    steps = [f'href="{url("insurance_claim_documents_pdf", filed.pk)}"',
             f'href="{url("insurance_claim_documents_xlsx", filed.pk)}"',
             f'href="{url("insurance_claim_documents_zip", filed.pk)}">送付書類一式（ZIP）をダウンロード',
             "送付書類一式（ZIP）には、送付書類のPDFとExcelに加えて、事故報告書と請求に添付されたすべてのファイルが"
             "入っています。",
             f'action="{url("insurance_claim_forward", filed.pk)}"',
             '<button type="submit">保険会社への送付を記録する</button>']
    positions = [section.index(step) for step in steps]
    assert positions == sorted(positions)
    assert section.index("<h2") < positions[0]
    assert page.count("保険会社への送付を記録する") == 2  # the sentence that names the button, and the button
    assert page.index('id="forwarding"') < page.index("<h2>手続</h2>")


def test_after_forwarding_the_downloads_stay_and_the_form_goes(client, insurance, filed) -> None:
    claims.forward_claim(actor=insurance, claim_id=filed.pk)
    section = _forwarding(text(login(client, insurance).get(url("insurance_claim_detail", filed.pk))))
    assert "送付書類一式（ZIP）をダウンロード" in section and "保険会社への送付を記録する" not in section


def test_the_group_sees_no_forwarding_section(client, association_head, filed) -> None:
    page = text(login(client, association_head).get(url("insurance_claim_detail", filed.pk)))
    assert 'id="forwarding"' not in page and "ZIP" not in page


def test_a_paid_claim_shows_no_empty_steps_heading(client, insurance, filed) -> None:
    claims.forward_claim(actor=insurance, claim_id=filed.pk)
    claims.record_payment(actor=insurance, claim_id=filed.pk, paid_on=builders.today(), amount=6_000)
    page = text(login(client, insurance).get(url("insurance_claim_detail", filed.pk)))
    assert "<h2>手続</h2>" not in page and 'id="forwarding"' in page


# -- removing a document -----------------------------------------------------------------------------------------

def _delete_button(page: str, claim: Claim, document: ClaimDocument) -> str | None:
    match = re.search(rf'<form method="post" action="{url("insurance_claim_remove_document", claim.pk, document.pk)}"'
                      r'[^>]*>.*?<button type="submit"[^>]*aria-label="([^"]*)">削除</button>', page)
    return match.group(1) if match else None


@pytest.mark.parametrize("who", ["association_head", "insurance"])
def test_each_document_has_a_delete_button_that_removes_it(client, request, filed, who) -> None:
    c = login(client, request.getfixturevalue(who))
    page = text(c.get(url("insurance_claim_detail", filed.pk)))
    form, medical = filed.documents.order_by("pk")
    assert _delete_button(page, filed, form) == f"保険金請求書（書類番号 {form.pk}）を削除"
    assert _delete_button(page, filed, medical) == f"診断書・通院証明書（書類番号 {medical.pk}）を削除"
    response = c.post(url("insurance_claim_remove_document", filed.pk, medical.pk))
    assert response.status_code == 302 and response.url == url("insurance_claim_detail", filed.pk)
    assert messages_of(c.get(response.url)) == ["請求書類を削除しました。"]
    assert list(filed.documents.values_list("pk", flat=True)) == [form.pk]
    page = text(c.get(url("insurance_claim_detail", filed.pk)))
    assert "請求書類の削除" in page.split('id="history"')[1]


def test_after_forwarding_there_is_no_delete_button_and_a_post_is_refused(client, association_head, insurance,
                                                                          filed) -> None:
    claims.forward_claim(actor=insurance, claim_id=filed.pk)
    document = filed.documents.first()
    c = login(client, association_head)
    page = text(c.get(url("insurance_claim_detail", filed.pk)))
    assert _delete_button(page, filed, document) is None and ">削除<" not in page
    before = counts(), state(document)
    response = c.post(url("insurance_claim_remove_document", filed.pk, document.pk))
    assert messages_of(c.get(response.url)) == [
        "書類を削除できるのは、保険会社へ送付する前（請求待ち・請求受付）の請求だけです。"]
    assert (counts(), state(document)) == before
    assert document.file.storage.exists(document.file.name)
    assert Claim.objects.get(pk=filed.pk).status == ClaimStatus.FORWARDED


def test_removing_is_refused_to_outsiders_with_404(client, filed, staff) -> None:
    _, head = other_group()
    document = filed.documents.first()
    before = counts()
    for user in (head, staff):
        assert login(client, user).post(url("insurance_claim_remove_document", filed.pk, document.pk)).status_code == 404
    assert counts() == before


def test_a_receipt_without_its_amount_is_refused_on_the_page(client, association_head, open_claim) -> None:
    c = login(client, association_head)
    before = counts()
    response = c.post(url("insurance_claim_add_document", open_claim.pk), {
        "kind": ClaimDocumentKind.RECEIPT, "title": "整形外科の領収書", "file": builders.pdf()})
    assert response.status_code == 200
    assert "金額: 領収書の金額（円）を入力してください。" in messages_of(response)
    assert counts() == before


# -- a banded policy of separate 入院 and 通院 tables (issue 12 §5) ------------------------------------------------

def test_the_claim_page_shows_a_line_for_each_table_of_a_separate_policy(client, association, association_head,
                                                                         insurance, policy, media) -> None:
    """入院 12 days → 10〜29日 30,000円; 通院 5 days → 5〜9日 5,000円; 35,000円 in all, while the forms are out and
    as filed."""
    InsurancePolicy.objects.filter(pk=policy.pk).update(benefit_mode=BenefitMode.BANDED,
                                                        band_tables=BandTables.SEPARATE)
    for table, lower, upper, amount in ((BandTable.INPATIENT, 1, 9, 10_000), (BandTable.INPATIENT, 10, 29, 30_000),
                                        (BandTable.INPATIENT, 30, None, 60_000), (BandTable.OUTPATIENT, 1, 4, 2_000),
                                        (BandTable.OUTPATIENT, 5, 9, 5_000), (BandTable.OUTPATIENT, 10, None, 10_000)):
        BenefitBand.objects.create(policy=policy, table=table, lower_days=lower, upper_days=upper, amount=amount)
    report = builders.covered_report(association_head, insurance, association, accident_date=builders.days_ago(30),
                                     delay_reason="入院していたため")
    claim = claims.send_claim_forms(actor=insurance, report_id=report.pk, person_id=report.persons.get().pk)
    accident = report.accident_date
    visits = [accident + dt.timedelta(days=12 + i) for i in range(5)]
    claims.record_treatment(actor=association_head, claim_id=claim.pk, in_treatment=False, recovered_on=visits[-1],
                            inpatient=[(accident, accident + dt.timedelta(days=11))], outpatient=visits)
    page = text(login(client, association_head).get(url("insurance_claim_detail", claim.pk)))
    lines = re.sub(r"\s+", "", re.sub(r"<[^>]+>", "", page.split('id="amount-lines"')[1].split("</table>")[0]))
    assert "入院保険金（定額）入院12日（10〜29日の区分）30,000円" in lines
    assert "通院保険金（定額）通院5日（5〜9日の区分）5,000円" in lines
    assert "合計35,000円" in lines
