"""Bad input through the pages: dates at the ends of the calendar and before the first policy, leap days,
amounts that are not whole yen (negative, huge, `True`, decimals, thousands separators), disability shares with
too many decimals, text at and over each column's length (PostgreSQL refuses longer strings), NUL and other
control characters, formula-like text in the workbook and markup in the pages and the PDF. Each wrong value is
refused by the form or the service with a message that names the field, writes nothing, and never answers 500."""
import datetime as dt
import io
from urllib.parse import urlencode

import openpyxl
import pytest
from django.urls import reverse

from grants.insurance import claims, services
from grants.insurance.models import AccidentReport, InsurancePolicy, InvolvedPerson
from reports.insurance_documents import claim_html, claim_xlsx
from tests.cases.steps import login
from tests.insurance import builders
from tests.insurance.groups import snapshot
from tests.insurance.pages import person_post, report_post, text

pytestmark = pytest.mark.django_db


@pytest.fixture
def head(client, group_a):  # type: ignore[no-untyped-def]
    return login(client, group_a.head)


@pytest.fixture
def open_claim(group_a, insurance):  # type: ignore[no-untyped-def]
    report = builders.covered_report(group_a.head, insurance, group_a.organization)
    return claims.send_claim_forms(actor=insurance, report_id=report.pk, person_id=report.persons.get().pk)


@pytest.fixture
def liability(group_a, insurance):  # type: ignore[no-untyped-def]
    report = builders.covered_report(group_a.head, insurance, group_a.organization, kind_injury=False,
                                     kind_liability_property=True, persons={"第三者 一": "property"})
    return claims.send_claim_forms(actor=insurance, report_id=report.pk, person_id=report.persons.get().pk)


def _refused(response, *words: str) -> str:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.status_code
    page = text(response)
    for word in words:
        assert word in page, word
    return page


# -- 日付 ------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("day,message", [
    ("0001-01-01", "保険期間に含む保険契約が登録されていません"),
    ("1899-12-31", "保険期間に含む保険契約が登録されていません"),
    ("9999-12-31", "今日より後の日付は入力できません"),
    ("2026-02-30", "日付を正しく入力してください"),
    ("10000-01-01", "日付を正しく入力してください"),
])
def test_accident_days_at_the_ends_of_the_calendar(head, group_a, day, message) -> None:
    before = snapshot()
    _refused(head.post(reverse("insurance_report_create"), {**report_post(group_a.organization),
                                                             "accident_date": day}), message)
    assert snapshot() == before


def test_an_accident_the_day_before_the_first_policy(head, group_a, policy) -> None:
    day = policy.period_start - dt.timedelta(days=1)
    before = snapshot()
    page = _refused(head.post(reverse("insurance_report_create"),
                              report_post(group_a.organization, accident_date=day)), "保険契約が登録されていません")
    assert snapshot() == before
    assert "事故の日" in page
    created = head.post(reverse("insurance_report_create"),
                        report_post(group_a.organization, accident_date=policy.period_start))
    assert created.status_code == 302


def test_a_leap_day_accident_is_due_nineteen_days_later(group_a, insurance) -> None:
    InsurancePolicy.objects.create(fiscal_year=2023, insurer="テスト", policy_number="L-1",
                                   period_start=dt.date(2023, 4, 1), period_end=dt.date(2024, 3, 31))
    report = services.create_report(actor=group_a.head, organization=group_a.organization,
                                    data=builders.report_data(accident_date=dt.date(2024, 2, 29)))
    assert report.due_date == dt.date(2024, 3, 19)


@pytest.mark.parametrize("birth", ["0001-01-01", "0960-04-01", "1899-12-31"])
def test_regression_a_birth_date_before_1900_is_refused(head, group_a, birth) -> None:
    """A year typed with a 0 for a 1 (0960) passed and came out of the insurer's workbook a day off (Excel
    counts no day before 1900); nobody alive was born before 1900."""
    before = snapshot()
    _refused(head.post(reverse("insurance_report_add_person", args=[group_a.draft.pk]),
                       person_post(birth_date=birth)), "生年月日: 1900年1月1日以降の日付を入力してください")
    assert snapshot()[0] == before[0]


def test_the_birth_dates_that_make_sense_are_accepted_and_exact_in_the_workbook(group_a, insurance) -> None:
    person = group_a.claim.person
    for day in (dt.date(1900, 1, 1), dt.date(1904, 2, 29), builders.today()):
        InvolvedPerson.objects.filter(pk=person.pk).update(birth_date=day)
        rows = {row[1]: row for row in openpyxl.load_workbook(io.BytesIO(claim_xlsx(group_a.claim)))["事故の概要"]
                .iter_rows(values_only=True)}
        assert rows["生年月日"][3].date() == day
    services.add_person(actor=group_a.head, report_id=group_a.draft.pk,
                        data={"role": "participant", "harm": "none", "name": "最年長 一", "birth_date": dt.date(1900, 1, 1)})


@pytest.mark.parametrize("field,value", [("recovered_on", "0001-01-01"), ("recovered_on", "9999-12-31"),
                                         ("inpatient_1_first", "0001-01-01"), ("outpatient", "9999-12-31")])
def test_treatment_days_outside_accident_to_today(client, open_claim, group_a, field, value) -> None:
    data = {"state": "recovered" if field == "recovered_on" else "in_treatment", "surgeries_inpatient": 0,
            "surgeries_outpatient": 0, field: value}
    if field == "inpatient_1_first":
        data["inpatient_1_last"] = builders.today().isoformat()
    before = snapshot()
    _refused(login(client, group_a.head).post(reverse("insurance_claim_treatment", args=[open_claim.pk]), data),
             "事故の日から今日までの日付を入力してください")
    assert snapshot()[0] == before[0]


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_an_answer_day_at_the_ends_of_the_calendar(client, group_a, insurance, day) -> None:
    claims.forward_claim(actor=insurance, claim_id=group_a.claim.pk)
    before = snapshot()
    _refused(login(client, insurance).post(reverse("insurance_claim_payment", args=[group_a.claim.pk]),
                                           {"paid_on": day, "amount": 6_000}), "回答日")
    assert snapshot()[0] == before[0]


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_the_access_log_filter_takes_any_date(client, auditor, day) -> None:
    response = login(client, auditor).get(reverse("insurance_access_log"), {"date_from": day, "date_to": day})
    assert response.status_code == 200


# -- 金額 ------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("value", ["True", "-1", "0", "1e3", "1,000", "1000.5", "9" * 20, "", " ", "NaN"])
def test_damages_that_are_not_whole_yen_above_zero(client, liability, group_a, value) -> None:
    before = snapshot()
    _refused(login(client, group_a.head).post(reverse("insurance_claim_damages", args=[liability.pk]),
                                              {"damages": value}), "損害額（円）")
    assert snapshot()[0] == before[0]
    liability.refresh_from_db()
    assert liability.damages is None


def test_full_width_digits_are_whole_yen(client, liability, group_a) -> None:
    response = login(client, group_a.head).post(reverse("insurance_claim_damages", args=[liability.pk]),
                                                {"damages": "１２０００"})
    assert response.status_code == 302
    liability.refresh_from_db()
    assert liability.damages == 12_000


@pytest.mark.parametrize("value", ["True", "-1", "0", "1.5", "1000000000001"])
def test_payments_that_are_not_whole_yen_above_zero(client, group_a, insurance, value) -> None:
    claims.forward_claim(actor=insurance, claim_id=group_a.claim.pk)
    before = snapshot()
    _refused(login(client, insurance).post(reverse("insurance_claim_payment", args=[group_a.claim.pk]),
                                           {"paid_on": builders.today().isoformat(), "amount": value, "note": "x"}),
             "支払額（円）")
    assert snapshot()[0] == before[0]


@pytest.mark.parametrize("value", ["-1", "1.5", "True", "1000000000001"])
def test_receipt_amounts_that_are_not_whole_yen(client, open_claim, group_a, value) -> None:
    before = snapshot()
    _refused(login(client, group_a.head).post(reverse("insurance_claim_add_document", args=[open_claim.pk]), {
        "kind": "receipt", "title": "領収書", "amount": value, "file": builders.pdf()}), "金額（円）")
    assert snapshot()[0] == before[0]


@pytest.mark.parametrize("value", ["4.005", "0", "-3", "100.01", "NaN", "Infinity", "1e3", "四"])
def test_disability_shares_out_of_range_or_too_precise(client, open_claim, group_a, value) -> None:
    before = snapshot()
    _refused(login(client, group_a.head).post(reverse("insurance_claim_treatment", args=[open_claim.pk]), {
        "state": "in_treatment", "surgeries_inpatient": 0, "surgeries_outpatient": 0,
        "disability_percent": value}), "後遺障害の割合")
    assert snapshot()[0] == before[0]


@pytest.mark.parametrize("value,stored", [("4.25", "4.25"), ("100", "100"), ("1e2", "100"), ("０.５", "0.5")])
def test_disability_shares_within_range(client, open_claim, group_a, value, stored) -> None:
    from decimal import Decimal

    response = login(client, group_a.head).post(reverse("insurance_claim_treatment", args=[open_claim.pk]), {
        "state": "in_treatment", "surgeries_inpatient": 0, "surgeries_outpatient": 0, "disability_percent": value})
    assert response.status_code == 302
    open_claim.refresh_from_db()
    assert open_claim.disability_percent == Decimal(stored)


@pytest.mark.parametrize("value", ["21", "-1", "True", "1.5", "99999999999"])
def test_surgeries_are_counts_up_to_twenty(client, open_claim, group_a, value) -> None:
    before = snapshot()
    _refused(login(client, group_a.head).post(reverse("insurance_claim_treatment", args=[open_claim.pk]), {
        "state": "in_treatment", "surgeries_inpatient": value, "surgeries_outpatient": 0}), "入院中の手術")
    assert snapshot()[0] == before[0]


def test_a_participants_count_beyond_any_integer_column(head, group_a) -> None:
    before = snapshot()
    _refused(head.post(reverse("insurance_report_create"),
                       {**report_post(group_a.organization), "participants_count": str(2**63)}), "参加者数")
    assert snapshot() == before


# -- 文字数・制御文字 ------------------------------------------------------------------------------------------

PERSON_LIMITS = {"name": 100, "name_kana": 100, "address": 200, "phone": 30, "detail": 2000}


@pytest.mark.parametrize("field", list(PERSON_LIMITS))
def test_person_text_at_and_over_its_length(head, group_a, field) -> None:
    limit = PERSON_LIMITS[field]
    before = snapshot()
    _refused(head.post(reverse("insurance_report_add_person", args=[group_a.draft.pk]),
                       person_post(**{field: "あ" * (limit + 1)})), f"この値は {limit} 文字以下でなければなりません")
    assert snapshot()[0] == before[0]
    assert head.post(reverse("insurance_report_add_person", args=[group_a.draft.pk]),
                     person_post(**{field: "あ" * limit})).status_code == 302
    assert getattr(InvolvedPerson.objects.latest("pk"), field) == "あ" * limit


REPORT_LIMITS = {"activity_name": 100, "plan_entry": 200, "place": 200, "who": 200, "activity_description": 2000,
                 "how": 2000, "outcome": 2000}


@pytest.mark.parametrize("field", list(REPORT_LIMITS))
def test_report_text_at_and_over_its_length(head, group_a, field) -> None:
    limit = REPORT_LIMITS[field]
    before = snapshot()
    _refused(head.post(reverse("insurance_report_create"),
                       report_post(group_a.organization, **{field: "あ" * (limit + 1)})), f"この値は {limit} 文字以下でなければなりません")
    assert snapshot() == before
    assert head.post(reverse("insurance_report_create"),
                     report_post(group_a.organization, **{field: "あ" * limit})).status_code == 302
    assert getattr(AccidentReport.objects.latest("pk"), field) == "あ" * limit


@pytest.mark.parametrize("name,field,limit,stage", [
    ("insurance_claim_forward", "insurer_reference", 40, "filed"),
    ("insurance_claim_withdraw", "reason", 2000, "filed"),
    ("insurance_claim_denial", "reason", 2000, "forwarded"),
    ("insurance_claim_payment", "note", 2000, "forwarded"),
])
def test_claim_text_over_its_length(client, group_a, insurance, name, field, limit, stage) -> None:
    if stage == "forwarded":
        claims.forward_claim(actor=insurance, claim_id=group_a.claim.pk)
    data = {"paid_on": builders.today().isoformat(), "answered_on": builders.today().isoformat(), "amount": 1,
            "reason": "理由", field: "あ" * (limit + 1)}
    before = snapshot()
    _refused(login(client, insurance).post(reverse(name, args=[group_a.claim.pk]), data), f"この値は {limit} 文字以下でなければなりません")
    assert snapshot()[0] == before[0]


@pytest.mark.parametrize("field", ["name", "address", "detail", "name_kana", "phone"])
def test_a_nul_character_is_refused_not_sent_to_the_database(head, group_a, field) -> None:
    """PostgreSQL refuses NUL in text; the form must stop it first."""
    before = snapshot()
    response = head.post(reverse("insurance_report_add_person", args=[group_a.draft.pk]),
                         urlencode(person_post(**{field: "山田\x00太郎"})),
                         content_type="application/x-www-form-urlencoded")
    _refused(response, "入力内容に誤りがあります")
    assert snapshot()[0] == before[0]


@pytest.mark.parametrize("target", ["withdraw", "submit", "return", "attachment_title", "claim_withdraw", "filter"])
def test_a_nul_character_anywhere_else_is_refused(client, group_a, insurance, target) -> None:
    c = login(client, insurance)
    draft, claim = group_a.draft, group_a.claim
    posts = {
        "withdraw": (reverse("insurance_report_withdraw", args=[draft.pk]), {"reason": "理由\x00"}),
        "submit": (reverse("insurance_report_submit", args=[draft.pk]), {"delay_reason": "理由\x00"}),
        "return": (reverse("insurance_report_return", args=[draft.pk]), {"note": "理由\x00"}),
        "attachment_title": (reverse("insurance_report_add_attachment", args=[draft.pk]),
                             {"kind": "other", "title": "写真\x00", "file": builders.pdf()}),
        "claim_withdraw": (reverse("insurance_claim_withdraw", args=[claim.pk]), {"reason": "\x00"}),
    }
    before = snapshot()
    if target == "filter":
        assert c.get(reverse("insurance_report_list"), {"organization": "大歳\x00"}).status_code == 200
        assert c.get(reverse("insurance_claim_list"), {"status": "filed\x00"}).status_code == 200
        return
    url, data = posts[target]
    assert c.post(url, data).status_code == 200
    assert snapshot()[0] == before[0]


def test_control_characters_pasted_from_word_pass_through_every_output(client, group_a, insurance) -> None:
    name = "山田\x0b太郎\x07"
    claim = builders.filed_claim(group_a.head, insurance, group_a.organization, persons={name: "injury"},
                                 how="転倒\x0cし")
    c = login(client, insurance)
    for url_name in ("insurance_claim_detail", "insurance_claim_documents_pdf", "insurance_claim_documents_xlsx"):
        assert c.get(reverse(url_name, args=[claim.pk])).status_code == 200, url_name
    assert c.get(reverse("insurance_report_detail", args=[claim.report.pk])).status_code == 200


# -- 数式・マークアップ -----------------------------------------------------------------------------------------

FORMULA = "=cmd|' /C calc'!A0"


def test_formula_like_text_stays_text_in_every_workbook_cell(group_a, insurance) -> None:
    claim = builders.filed_claim(group_a.head, insurance, group_a.organization, persons={FORMULA: "injury"},
                                 activity_name="+SUM(1,2)", place="@A1", who="-1+1")
    person = claim.person
    InvolvedPerson.objects.filter(pk=person.pk).update(address=FORMULA, phone="=1+1", detail="=HYPERLINK(\"x\")")
    claims.add_claim_document(actor=group_a.head, claim_id=claim.pk, kind="receipt", title=FORMULA,
                              upload=builders.pdf(), amount=100)
    book = openpyxl.load_workbook(io.BytesIO(claim_xlsx(claim)))
    seen = 0
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value[:1] in "=+-@":
                    assert cell.data_type == "s", (sheet.title, cell.coordinate, cell.value)
                    seen += 1
    assert seen >= 7


MARKUP = '<script>alert("x")</script>'


def test_markup_is_escaped_on_every_page_and_in_the_pdf(client, group_a, insurance) -> None:
    claim = builders.filed_claim(group_a.head, insurance, group_a.organization, persons={MARKUP: "injury"},
                                 activity_name=MARKUP, place=MARKUP)
    claims.add_claim_document(actor=group_a.head, claim_id=claim.pk, kind="receipt", title=MARKUP,
                              upload=builders.pdf(), amount=100)
    claims.forward_claim(actor=insurance, claim_id=claim.pk, insurer_reference="<b>1</b>")
    claims.record_denial(actor=insurance, claim_id=claim.pk, answered_on=builders.today(), reason=MARKUP)
    c = login(client, insurance)
    for target in (reverse("insurance_report_list"), reverse("insurance_report_detail", args=[claim.report.pk]),
                   reverse("insurance_claim_detail", args=[claim.pk]), reverse("insurance_claim_list"),
                   reverse("home")):
        page = text(c.get(target))
        assert "<script>alert" not in page and "<b>1</b>" not in page, target
    assert "&lt;script&gt;" in text(c.get(reverse("insurance_claim_detail", args=[claim.pk])))
    html = claim_html(claim)
    assert "<script>" not in html and "&lt;script&gt;" in html
