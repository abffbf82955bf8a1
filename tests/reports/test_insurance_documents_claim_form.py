"""The claim form (保険金請求書) the group prints, fills by hand, signs and uploads: pre-filled with what the city
knows, blank boxes for the rest, the documents to attach and the claim window in the policy's words."""
import re

import pytest
from django.template.loader import render_to_string

from grants.core.fiscal import wareki
from grants.insurance import claims
from grants.insurance.models import Claim, InvolvedPerson
from reports.insurance_documents import claim_form_context, claim_form_pdf
from tests.insurance import builders
from tests.reports.pdf_tools import pdf_text, run

pytestmark = pytest.mark.django_db


def html(claim: Claim) -> str:
    return render_to_string("insurance/pdf/claim_form.html", claim_form_context(claim))


def _claim(head, judge, organization, **kwargs: object) -> Claim:  # type: ignore[no-untyped-def]
    report = builders.covered_report(head, judge, organization, **kwargs)
    return claims.send_claim_forms(actor=judge, report_id=report.pk, person_id=report.persons.get().pk)


@pytest.fixture
def injury(association, association_head, insurance, policy, media) -> Claim:  # type: ignore[no-untyped-def]
    return _claim(association_head, insurance, association)


@pytest.fixture
def liability(association, association_head, insurance, policy, media) -> Claim:  # type: ignore[no-untyped-def]
    return _claim(association_head, insurance, association, persons={"佐藤 花子": "property"}, kind_injury=False,
                  kind_liability_property=True, activity_name="公園の花壇づくり", place="亀山公園の花壇")


def test_the_form_embeds_the_ipaex_font(injury, tmp_path) -> None:
    pdf = claim_form_pdf(injury)
    assert pdf.startswith(b"%PDF")
    fonts = run("pdffonts", pdf, tmp_path).splitlines()[2:]
    assert [line for line in fonts if "IPAex" in line], fonts
    # columns: name type encoding emb sub uni object ID
    assert all(line.split()[-5] == "yes" for line in fonts), fonts


def test_an_injury_form_is_filled_with_what_the_city_knows(injury, tmp_path) -> None:
    report = injury.report
    text = pdf_text(claim_form_pdf(injury), tmp_path, raw=True)
    for expected in ("保険金請求書（傷害保険金）", "テスト損害保険株式会社御中", "証券番号T-0001", "保険契約者山口市長",
                     f"請求番号・請求の種類{injury.number}傷害保険金", f"事故報告の受付番号{report.number}",
                     f"事故の日{wareki(report.accident_date)}", "事故の場所椹野川河川敷（○○橋付近）", "活動河川清掃",
                     "被保険者（けがをされた方）", "氏名山田太郎", "ふりがなやまだたろう", "生年月日昭和35年4月1日",
                     "住所山口市亀山町2-1", "電話番号083-000-0000"):
        assert expected in text, expected


def test_an_injury_form_leaves_the_treatment_account_day_and_signature_blank(injury, tmp_path) -> None:
    text = pdf_text(claim_form_pdf(injury), tmp_path, raw=True)
    for expected in ("入院した日", "退院した日", "1回目", "3回目", "通院した日数", "治療を終えた日", "まだ治療中",
                     "保険金の振込先口座", "金融機関", "支店", "種目□普通□当座", "口座番号", "口座名義（カタカナ）",
                     "請求日", "請求する方の署名"):
        assert expected in text, expected
    assert "損害額" not in text


def test_an_injury_form_lists_its_documents_and_the_claim_window_of_the_policy(injury, tmp_path) -> None:
    text = pdf_text(claim_form_pdf(injury), tmp_path, raw=True)
    assert "この請求書（記入して署名したもの）診断書または通院証明書領収書（治療費・通院交通費など）" in text
    assert "請求できる時期治療を終えた後、または事故の日から180日を過ぎてから" in text
    assert f"請求期限{wareki(claims.claim_limit_date(injury))}まで（事故の日から3年）" in text


def test_the_claim_window_follows_the_policy(injury, tmp_path) -> None:
    policy = injury.report.policy
    policy.claim_after_days, policy.claim_limit_years = 90, 2
    policy.save()
    text = pdf_text(claim_form_pdf(injury), tmp_path, raw=True)
    limit = injury.report.accident_date.replace(year=injury.report.accident_date.year + 2)
    assert "事故の日から90日を過ぎてから" in text and "180日" not in text
    assert f"請求期限{wareki(limit)}まで（事故の日から2年）" in text


def test_a_liability_form_asks_for_the_damages_and_the_estimate(liability, tmp_path) -> None:
    text = pdf_text(claim_form_pdf(liability), tmp_path, raw=True)
    for expected in ("保険金請求書（賠償責任保険金（財物））", "被害者", "氏名佐藤花子", "活動公園の花壇づくり",
                     "事故の場所亀山公園の花壇", "損害額", "見積書・写真を添えてください",
                     "この請求書（記入して署名したもの）損害の見積書・写真", "請求できる時期損害の額が分かってから",
                     "保険金の振込先口座", "請求する方の署名"):
        assert expected in text, expected
    for absent in ("入院した日", "通院した日数", "診断書", "180日"):
        assert absent not in text, absent


def test_markup_and_control_characters_typed_by_the_group_are_harmless(injury, tmp_path) -> None:
    InvolvedPerson.objects.filter(pk=injury.person_id).update(
        name='<script>alert("x")</script>', name_kana="やまだ\x0bたろう", address="山口市\x07亀山町<b>2-1</b>",
        phone="083\x1b-000")
    page = html(injury)
    assert "<script>" not in page and "<b>" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page and "&lt;b&gt;2-1&lt;/b&gt;" in page
    assert not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", page)
    text = pdf_text(claim_form_pdf(injury), tmp_path, raw=True)
    assert '氏名<script>alert("x")</script>' in text
    assert "ふりがなやまだたろう" in text and "住所山口市亀山町<b>2-1</b>" in text and "電話番号083-000" in text


def test_an_unknown_birth_date_and_blank_contacts_print_empty(association, association_head, insurance, policy,
                                                              media, tmp_path) -> None:
    claim = _claim(association_head, insurance, association)
    InvolvedPerson.objects.filter(pk=claim.person_id).update(birth_date=None, name_kana="", address="", phone="")
    text = pdf_text(claim_form_pdf(claim), tmp_path, raw=True)
    assert "氏名山田太郎ふりがな生年月日住所電話番号" in text
