"""The document set forwarded to the insurer (保険会社への送付書類): the PDF and the .xlsx of one claim."""
import datetime as dt
import io
import re

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from grants.core.fiscal import wareki
from grants.insurance import claims
from grants.insurance.models import (
    AccidentReport,
    BandTable,
    BandTables,
    BenefitBand,
    BenefitMode,
    Claim,
    ClaimDocumentKind,
    InsurancePolicy,
    InvolvedPerson,
)
from reports.insurance_documents import claim_html, claim_pdf, claim_xlsx, report_pdf
from tests.insurance import builders
from tests.reports.pdf_tools import pdf_text, run

pytestmark = pytest.mark.django_db


DELAY_REASON = "代表者が入院しており、報告書を作成できませんでした。"


def html_text(claim: Claim) -> str:
    """The PDF's HTML without tags and white space: a table's cells follow each other (th then td)."""
    return re.sub(r"\s+", "", re.sub(r"<[^>]+>", "", claim_html(claim)))


def workbook(claim: Claim):  # type: ignore[no-untyped-def]
    return load_workbook(io.BytesIO(claim_xlsx(claim)))


def overview(book) -> dict[str, tuple]:  # type: ignore[no-untyped-def]
    """「事故の概要」 as {項目: (内容, 日付, 日数, 金額)} (項目 are unique within the sheet)."""
    rows = list(book["事故の概要"].iter_rows(min_row=2, values_only=True))
    return {row[1]: row[2:] for row in rows}


def liability_claim(head, judge, organization, *, damages: int = 150_000) -> Claim:  # type: ignore[no-untyped-def]
    """A filed liability claim (賠償・身体) of a third party hurt during the activity."""
    report = builders.covered_report(head, judge, organization, persons={"佐藤 花子": "bodily"}, kind_injury=False,
                                      kind_liability_bodily=True, outcome="通行人の佐藤さんに草刈機の石が当たりました。")
    person = report.persons.get()
    claim = claims.send_claim_forms(actor=judge, report_id=report.pk, person_id=person.pk)
    claims.record_damages(actor=head, claim_id=claim.pk, damages=damages)
    claims.add_claim_document(actor=head, claim_id=claim.pk, kind=ClaimDocumentKind.CLAIM_FORM, title="保険金請求書",
                              upload=builders.pdf())
    claims.add_claim_document(actor=head, claim_id=claim.pk, kind=ClaimDocumentKind.DAMAGE, title="治療費の見積書",
                              upload=builders.pdf(), amount=damages)
    return claims.file_claim(actor=head, claim_id=claim.pk)


def inpatient_claim(head, judge, organization) -> Claim:  # type: ignore[no-untyped-def]
    """An injury claim, forms sent and not yet filed: 5 days in hospital from the accident day, then 3 visits and
    one surgery in hospital (accident 15 days ago)."""
    report = builders.covered_report(head, judge, organization, accident_date=builders.days_ago(15))
    claim = claims.send_claim_forms(actor=judge, report_id=report.pk, person_id=report.persons.get().pk)
    accident = report.accident_date
    claims.record_treatment(
        actor=head, claim_id=claim.pk, in_treatment=False, recovered_on=accident + dt.timedelta(days=10),
        inpatient=[(accident, accident + dt.timedelta(days=4))], surgeries_inpatient=1,
        outpatient=[accident + dt.timedelta(days=d) for d in (6, 8, 10)])
    return Claim.objects.get(pk=claim.pk)


def test_pdf_embeds_the_ipaex_font(association, association_head, insurance, policy, media, tmp_path):  # type: ignore[no-untyped-def]
    pdf = claim_pdf(builders.filed_claim(association_head, insurance, association))
    assert pdf.startswith(b"%PDF")
    fonts = run("pdffonts", pdf, tmp_path).splitlines()[2:]
    ipaex = [line for line in fonts if "IPAex" in line]
    assert ipaex, fonts
    # columns: name type encoding emb sub uni object ID
    assert all(line.split()[-5] == "yes" for line in fonts), fonts


def test_pdf_cover_letter_names_insurer_policy_claim_and_amount(association, association_head, insurance, policy,
                                                                media, tmp_path):  # type: ignore[no-untyped-def]
    claim = builders.filed_claim(association_head, insurance, association, outpatient_days=10)
    text = pdf_text(claim_pdf(claim), tmp_path)
    # Given no forwarding yet, the letter is dated today; 通院 10日 × 2,000円
    assert "テスト損害保険株式会社御中" in text
    assert "証券番号T-0001" in text
    assert f"請求番号{claim.number}" in text
    assert "山口市長" in text
    assert wareki(builders.today()) in text
    assert "算定額金20,000円" in text
    assert "見込み" not in text


def test_pdf_is_dated_the_day_the_claim_was_forwarded(association, association_head, insurance, policy, media,
                                                     tmp_path):  # type: ignore[no-untyped-def]
    claim = builders.filed_claim(association_head, insurance, association)
    claims.forward_claim(actor=insurance, claim_id=claim.pk, insurer_reference="UK-2026-31")
    Claim.objects.filter(pk=claim.pk).update(forwarded_on=builders.days_ago(3))
    text = pdf_text(claim_pdf(claim), tmp_path)
    assert wareki(builders.days_ago(3)) in text
    assert "保険会社の受付番号UK-2026-31" in text


def test_pdf_lists_the_accident_findings_person_and_visits(association, association_head, insurance, policy, media,
                                                           tmp_path):  # type: ignore[no-untyped-def]
    claim = builders.filed_claim(association_head, insurance, association, outpatient_days=4)
    text = pdf_text(claim_pdf(claim), tmp_path)
    for expected in ("河川清掃", "椹野川河川敷（○○橋付近）", "右足首を骨折しました。", "満たす", "非該当", "hoken担当",
                     "やまだたろう", wareki(dt.date(1960, 4, 1)), "山口市亀山町2-1", "083-000-0000", "通院日（4日）",
                     "通院保険金日額", "保険金請求書", "通院証明書", "会則・規約"):
        assert expected in text, expected
    html = html_text(claim)
    for expected in ("年間事業計画での位置づけ年間事業計画5月河川清掃",
                     "補償の条件市内を拠点とする5人以上の団体で、会員名簿がある満たす",
                     "対象外事由病気（熱中症・心疾患など、けがによらないもの）非該当", "判定者hoken担当",
                     f"判定日{wareki(builders.today())}", "通院保険金日額事故の日を含め180日以内、限度90日2,000円"):
        assert expected in html, expected
    accident = claim.report.accident_date
    days = "、".join(f"{(accident + dt.timedelta(days=i)).day}日" for i in range(4))
    if (accident + dt.timedelta(days=3)).month == accident.month:  # the four visits are listed on one month's row
        assert days in html


def test_pdf_of_a_late_report_carries_the_delay_reason(association, association_head, insurance, policy, media,
                                                       tmp_path):  # type: ignore[no-untyped-def]
    # accident 32 days ago: the report, due on day 20, is filed late
    claim = builders.filed_claim(association_head, insurance, association, outpatient_days=30,
                                 delay_reason=DELAY_REASON)
    assert claim.report.is_late
    text = pdf_text(claim_pdf(claim), tmp_path)
    assert "遅延理由書（報告期限を過ぎた理由）" + DELAY_REASON in text
    assert "期限後の報告（遅延理由書を同封）" in text


def test_pdf_of_a_report_on_time_has_no_delay_reason(association, association_head, insurance, policy, media,
                                                     tmp_path):  # type: ignore[no-untyped-def]
    text = pdf_text(claim_pdf(builders.filed_claim(association_head, insurance, association)), tmp_path)
    assert "遅延理由書（報告期限を過ぎた理由）" not in text
    assert "期限内の報告" in text


def test_pdf_of_a_liability_claim_shows_damages_and_the_deductible(association, association_head, insurance, policy,
                                                                  media, tmp_path):  # type: ignore[no-untyped-def]
    claim = liability_claim(association_head, insurance, association, damages=150_000)
    assert claim.computed_amount == 145_000
    text = pdf_text(claim_pdf(claim), tmp_path)
    assert "算定額金145,000円" in text
    assert "被害者佐藤花子" in text
    assert "通院日" not in text
    html = html_text(claim)
    assert "損害額（賠償）150,000円" in html
    assert "身体賠償損害額150,000円、1名100,000,000円・1事故300,000,000円を限度150,000円" in html
    assert "免責金額1事故につき5,000円-5,000円" in html
    assert "免責金額（1事故あたり）5,000円" in html


def test_applicant_markup_is_escaped_never_rendered(association, association_head, insurance, policy, media):  # type: ignore[no-untyped-def]
    claim = builders.filed_claim(association_head, insurance, association,
                                 persons={'<img src="file:///etc/passwd">': "injury"})
    html = claim_html(claim)
    assert '&lt;img src=&quot;file:///etc/passwd&quot;&gt;' in html
    assert "<img" not in html


def test_control_characters_do_not_break_the_pdf(association, association_head, insurance, policy, media, tmp_path):  # type: ignore[no-untyped-def]
    claim = builders.filed_claim(association_head, insurance, association, how="草刈り中に\x0b足を滑らせて\x07転倒し")
    text = pdf_text(claim_pdf(claim), tmp_path)
    assert "草刈り中に足を滑らせて転倒し" in text


def test_an_unfiled_claim_shows_the_amount_computed_now(association, association_head, insurance, policy, media,
                                                        tmp_path):  # type: ignore[no-untyped-def]
    claim = inpatient_claim(association_head, insurance, association)
    text = pdf_text(claim_pdf(claim), tmp_path)
    # 入院 5日 × 3,000円 + 通院 3日 × 2,000円 + 入院中の手術 3,000円 × 10 = 51,000円, not yet filed
    assert "算定額（見込み・請求前）金51,000円" in text
    html = html_text(claim)
    assert "手術保険金入院中の手術：入院日額3,000円×1030,000円" in html
    assert f"{wareki(claim.report.accident_date)}{wareki(claim.report.accident_date + dt.timedelta(days=4))}5日" in html


def test_report_pdf_holds_every_live_claim_of_the_accident(association, association_head, insurance, policy, media,
                                                           tmp_path):  # type: ignore[no-untyped-def]
    claim = builders.filed_claim(association_head, insurance, association, kind_liability_bodily=True,
                                 persons={"山田 太郎": "injury", "佐藤 花子": "bodily"})
    other = claims.send_claim_forms(actor=insurance, report_id=claim.report_id,
                                    person_id=claim.report.persons.get(name="佐藤 花子").pk)
    text = pdf_text(report_pdf(claim.report), tmp_path)
    assert text.index(f"請求番号{claim.number}") < text.index(f"請求番号{other.number}")
    claims.withdraw_claim(actor=insurance, claim_id=other.pk, reason="本人から取下げの申出がありました。")
    text = pdf_text(report_pdf(claim.report), tmp_path)
    assert f"請求番号{claim.number}" in text
    assert f"請求番号{other.number}" not in text


def test_report_pdf_without_claims_is_an_error(association, association_head, insurance, policy, media):  # type: ignore[no-untyped-def]
    report = builders.covered_report(association_head, insurance, association)
    with pytest.raises(ValueError, match="送付する請求がありません"):
        report_pdf(report)


def test_xlsx_has_its_sheets(association, association_head, insurance, policy, media):  # type: ignore[no-untyped-def]
    book = workbook(builders.filed_claim(association_head, insurance, association))
    assert book.sheetnames == ["事故の概要", "判定", "請求内容", "入院期間", "通院日", "書類"]


def test_formula_like_name_stays_text(association, association_head, insurance, policy, media):  # type: ignore[no-untyped-def]
    claim = builders.filed_claim(association_head, insurance, association, persons={'=HYPERLINK("x")': "injury"})
    sheet = workbook(claim)["事故の概要"]
    cell = next(row[2] for row in sheet.iter_rows(min_row=2) if row[1].value == "氏名")
    assert cell.value == '=HYPERLINK("x")'
    assert cell.data_type == "s"


def test_xlsx_amounts_are_whole_yen_numbers(association, association_head, insurance, policy, media):  # type: ignore[no-untyped-def]
    claim = builders.filed_claim(association_head, insurance, association, outpatient_days=10)
    book = workbook(claim)
    lines = list(book["請求内容"].iter_rows(min_row=2, values_only=True))
    assert lines[0][0] == "通院保険金" and lines[0][2] == 20_000
    assert lines[-1] == ("算定額", None, 20_000)
    assert all(type(row[2]) is int for row in lines)
    assert overview(book)["算定額"][3] == 20_000
    assert overview(book)["通院保険金日額"][3] == 2_000


def test_xlsx_dates_are_dates(association, association_head, insurance, policy, media):  # type: ignore[no-untyped-def]
    claim = builders.filed_claim(association_head, insurance, association)
    rows = overview(workbook(claim))
    # openpyxl reads a date cell back as a datetime at midnight
    assert rows["事故の日（いつ）"][1].date() == claim.report.accident_date
    assert rows["報告期限"][1].date() == claim.report.accident_date + dt.timedelta(days=19)
    assert rows["生年月日"][1].date() == dt.date(1960, 4, 1)
    assert rows["請求日"][1].date() == builders.today()
    assert rows["事故の日（いつ）"][0] is None


def test_outpatient_sheet_has_one_row_per_visit(association, association_head, insurance, policy, media):  # type: ignore[no-untyped-def]
    claim = builders.filed_claim(association_head, insurance, association, outpatient_days=7)
    rows = list(workbook(claim)["通院日"].iter_rows(min_row=2, values_only=True))
    accident = claim.report.accident_date
    assert [(n, day.date(), k) for n, day, k in rows] == [
        (i + 1, accident + dt.timedelta(days=i), i + 1) for i in range(7)]


def test_inpatient_sheet_has_one_row_per_stay(association, association_head, insurance, policy, media):  # type: ignore[no-untyped-def]
    claim = inpatient_claim(association_head, insurance, association)
    book = workbook(claim)
    accident = claim.report.accident_date
    rows = list(book["入院期間"].iter_rows(min_row=2, values_only=True))
    assert [(a.date(), b.date(), n, k) for a, b, n, k in rows] == [(accident, accident + dt.timedelta(days=4), 5, 1)]
    assert len(list(book["通院日"].iter_rows(min_row=2))) == 3
    assert list(book["請求内容"].iter_rows(min_row=2, values_only=True))[-1] == ("算定額（見込み・請求前）", None, 51_000)


def test_xlsx_of_a_late_report_carries_the_delay_reason(association, association_head, insurance, policy, media):  # type: ignore[no-untyped-def]
    claim = builders.filed_claim(association_head, insurance, association, outpatient_days=30,
                                 delay_reason=DELAY_REASON)
    rows = overview(workbook(claim))
    assert rows["期限後の報告"][0] == "期限後（遅延理由書あり）"
    assert rows["遅延理由書（期限を過ぎた理由）"][0] == DELAY_REASON


def test_xlsx_of_a_liability_claim_has_damages_and_the_deductible(association, association_head, insurance, policy,
                                                                 media):  # type: ignore[no-untyped-def]
    book = workbook(liability_claim(association_head, insurance, association, damages=150_000))
    assert "通院日" not in book.sheetnames and "入院期間" not in book.sheetnames
    lines = [(label, amount) for label, _, amount in book["請求内容"].iter_rows(min_row=2, values_only=True)]
    assert lines == [("身体賠償", 150_000), ("免責金額", -5_000), ("算定額", 145_000)]
    rows = overview(book)
    assert rows["損害額（賠償）"][3] == 150_000
    assert rows["免責金額（1事故あたり）"][3] == 5_000
    documents = list(book["書類"].iter_rows(min_row=2, values_only=True))
    assert ("保険金請求", "損害の見積書・写真", "治療費の見積書", 150_000) in [row[:4] for row in documents]


def test_judgment_sheet_has_one_row_per_condition(association, association_head, insurance, policy, media):  # type: ignore[no-untyped-def]
    claim = builders.filed_claim(association_head, insurance, association)
    rows = list(workbook(claim)["判定"].iter_rows(min_row=2, values_only=True))
    assert len(rows) == policy.conditions.count() == 9
    first = rows[0]
    assert first[:3] == ("補償の条件", "市内を拠点とする5人以上の団体で、会員名簿がある", "満たす")
    assert first[3] == "市内を拠点とする5人以上の団体で、会員名簿があるを書類で確認しました。"
    assert first[4] == str(insurance) and first[5].date() == builders.today()
    assert rows[-1][2] == "非該当"


def test_control_characters_do_not_break_the_xlsx(association, association_head, insurance, policy, media):  # type: ignore[no-untyped-def]
    claim = builders.filed_claim(association_head, insurance, association, how="草刈り中に\x0b足を滑らせて\x07転倒し")
    rows = overview(workbook(claim))
    assert rows["どうして（事故の原因・状況）"][0] == "草刈り中に足を滑らせて転倒し"


def test_filed_amount_is_the_one_kept_not_recomputed(association, association_head, insurance, policy, media):  # type: ignore[no-untyped-def]
    claim = builders.filed_claim(association_head, insurance, association, outpatient_days=10)
    InsurancePolicy.objects.filter(pk=policy.pk).update(outpatient_daily=9_999)
    rows = list(workbook(claim)["請求内容"].iter_rows(min_row=2, values_only=True))
    assert rows[-1] == ("算定額", None, 20_000)


def test_queries_do_not_grow_with_the_visits(association, association_head, insurance, policy, media):  # type: ignore[no-untyped-def]
    few = builders.filed_claim(association_head, insurance, association, outpatient_days=2)
    many = builders.filed_claim(association_head, insurance, association, outpatient_days=12)
    counts = []
    for claim in (few, many):
        with CaptureQueriesContext(connection) as queries:
            claim_xlsx(claim)
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_banded_policy_lists_its_bands(association, association_head, insurance, media):  # type: ignore[no-untyped-def]
    banded = builders.policy(benefit_mode=BenefitMode.BANDED, banded_window_days=180)
    BenefitBand.objects.create(policy=banded, lower_days=1, upper_days=4, amount=10_000)
    BenefitBand.objects.create(policy=banded, lower_days=5, upper_days=None, amount=30_000)
    claim = builders.filed_claim(association_head, insurance, association, outpatient_days=6)
    rows = list(workbook(claim)["事故の概要"].iter_rows(min_row=2, values_only=True))
    assert [(r[2], r[5]) for r in rows if r[1] == "治療日数に応じた定額"] == [("1〜4日：10,000円", 10_000),
                                                                          ("5日以上：30,000円", 30_000)]
    assert not [r for r in rows if r[1] == "通院保険金日額"]
    assert "入院・通院保険金（定額）治療日数6日（事故の日から180日以内）：5日以上の区分30,000円" in html_text(claim)


def test_a_policy_of_separate_tables_lists_each_table_and_its_line(association, association_head, insurance,  # type: ignore[no-untyped-def]
                                                                   media):
    banded = builders.policy(benefit_mode=BenefitMode.BANDED, band_tables=BandTables.SEPARATE)
    for table, lower, upper, amount in ((BandTable.INPATIENT, 1, None, 20_000), (BandTable.OUTPATIENT, 1, 4, 2_000),
                                        (BandTable.OUTPATIENT, 5, None, 5_000)):
        BenefitBand.objects.create(policy=banded, table=table, lower_days=lower, upper_days=upper, amount=amount)
    claim = builders.filed_claim(association_head, insurance, association, outpatient_days=6)
    rows = list(workbook(claim)["事故の概要"].iter_rows(min_row=2, values_only=True))
    assert [(r[1], r[2]) for r in rows if str(r[1]).endswith("日数に応じた定額")] == [
        ("入院日数に応じた定額", "入院 1日以上：20,000円"), ("通院日数に応じた定額", "通院 1〜4日：2,000円"),
        ("通院日数に応じた定額", "通院 5日以上：5,000円")]
    assert "通院保険金（定額）通院6日（5日以上の区分）5,000円" in html_text(claim)
    assert claim.computed_amount == 5_000


@pytest.mark.parametrize(("inpatient", "outpatient", "count", "text"), [
    (10, 5, 1, "入院中 入院日額 × 10、外来 入院日額 × 5（1事故 1回まで）"),
    (10, 0, 2, "入院中 入院日額 × 10（1事故 2回まで）"),
    (0, 0, 1, "なし"),
    (10, 5, 0, "なし"),
])
def test_the_surgery_cover_reads_as_none_when_the_policy_has_none(inpatient, outpatient, count, text) -> None:  # type: ignore[no-untyped-def]
    from reports.insurance_documents import _surgery_text

    policy = InsurancePolicy(surgery_multiple_inpatient=inpatient, surgery_multiple_outpatient=outpatient,
                             surgery_max_count=count)
    assert _surgery_text(policy) == text


# The document set (PDF and .xlsx) of a claim whose every text is as long as the pages allow: long unbreakable
# answers must not make the PDF take seconds per field (the automatic table layout measures each cell's text), and
# both files still carry the whole text.


LONG = {"how": "a" * 2000, "outcome": "あ" * 2000, "activity_description": "W" * 2000, "plan_entry": "p" * 200,
        "place": "P" * 200, "who": "w" * 200, "activity_name": "n" * 100}


@pytest.fixture
def longest(group_a, insurance):  # type: ignore[no-untyped-def]
    """A claim of an accident 399 days ago, reported late, every text at its maximum length, 400 visits."""
    report = builders.covered_report(group_a.head, insurance, group_a.organization, accident_date=builders.days_ago(399),
                                     delay_reason="x" * 2000, **LONG)
    person = report.persons.get()
    InvolvedPerson.objects.filter(pk=person.pk).update(name="名" * 100, name_kana="か" * 100, address="住" * 200,
                                                       phone="0" * 30, detail="d" * 2000)
    claim = claims.send_claim_forms(actor=insurance, report_id=report.pk, person_id=person.pk)
    days = [report.accident_date + dt.timedelta(days=i) for i in range(400)]
    claims.record_treatment(actor=group_a.head, claim_id=claim.pk, in_treatment=True, recovered_on=None,
                            outpatient=days, inpatient=[(days[0], days[2])])
    claims.add_claim_document(actor=group_a.head, claim_id=claim.pk, kind="receipt", title="t" * 200,
                              upload=builders.pdf(), amount=10**12)
    return claim


def test_regression_no_table_of_the_pdf_is_laid_out_by_measuring_its_text(longest, monkeypatch) -> None:
    """Every table has fixed column widths: the automatic layout (seconds for each 2,000-character answer, half a
    minute for this claim) is never entered."""
    import weasyprint.layout.table as table

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a table of the document set was laid out automatically")

    monkeypatch.setattr(table, "auto_table_layout", refuse)
    assert claim_pdf(longest).startswith(b"%PDF")


def test_the_longest_texts_are_all_in_the_pdf_html_and_the_workbook(longest) -> None:
    html = claim_html(longest)
    report = AccidentReport.objects.get(pk=longest.report_id)
    for text in (report.how, report.outcome, report.delay_reason, "名" * 100, "住" * 200, "t" * 200):
        assert text in html
    book = openpyxl.load_workbook(io.BytesIO(claim_xlsx(longest)))
    cells = {cell for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for cell in row}
    for text in (report.how, report.outcome, "d" * 2000, "t" * 200):
        assert text in cells
    assert len(list(book["通院日"].iter_rows(min_row=2))) == 400
