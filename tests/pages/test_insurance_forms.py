"""Errors at the field: a refusal of a service (``InsuranceError``, 「項目: 内容」) is shown on the form field it
names (or at the top of the form), announced as the form's own errors are; the treatment form names every wrong
inpatient row and outpatient line at once; and the ふりがな rule."""
import datetime as dt
import re

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import QueryDict
from django.urls import reverse

from grants.core.fiscal import wareki
from grants.insurance import claims, services
from grants.insurance.machines import InsuranceError
from grants.insurance.models import (
    AccidentReport,
    Claim,
    InvolvedPerson,
    OutpatientVisit,
    PersonalDataAccess,
    ReportStatus,
)
from pages.insurance.forms import (
    MAX_LINE_ERRORS,
    AttachmentForm,
    DamagesForm,
    DenialForm,
    ForwardForm,
    JudgmentForm,
    PaymentForm,
    PersonForm,
    ReportForm,
    SendFormsForm,
    SubmitForm,
    TreatmentForm,
    WithdrawForm,
    attach_service_error,
    parse_outpatient_days,
)
from tests.cases.steps import login, messages_of
from tests.insurance import builders
from tests.insurance.pages import accesses, counts, iso, person_post, report_post, text
from tests.insurance.support import nothing_written
from tests.pages.browser import log_in

pytestmark = pytest.mark.django_db


def url(name: str, *args: object) -> str:
    return reverse(name, args=args)


def _open_claim(association, head, insurance) -> Claim:  # type: ignore[no-untyped-def]
    """An injury claim, forms sent, nothing recorded (accident 5 days ago)."""
    report = builders.covered_report(head, insurance, association)
    return claims.send_claim_forms(actor=insurance, report_id=report.pk,
                                   person_id=report.persons.get(harm="injury").pk)


def treatment_post(**fields: object) -> dict[str, object]:
    data: dict[str, object] = {"state": "in_treatment", "outpatient": "", "surgeries_inpatient": 0,
                               "surgeries_outpatient": 0}
    data.update(fields)
    return data


def _person(kana: str) -> dict[str, object]:
    return {"role": "participant", "harm": "injury", "name": "山田 太郎", "name_kana": kana}


@pytest.mark.parametrize("typed,kept", [
    ("やまだ たろう", "やまだ たろう"),
    ("ヤマダ　タロウ", "やまだ\u3000たろう"),  # katakana with a full-width space
    ("ﾔﾏﾀﾞ ﾀﾛｳ", "やまだ たろう"),  # half-width katakana
    ("ゆうこー", "ゆうこー"),
    ("スミス・ジョン", "すみす・じょん"),
    ("", ""),
])
def test_kana_accepts_hiragana_and_katakana_and_keeps_hiragana(association, association_head, policy, media,
                                                              typed, kept):
    report = builders.draft_report(association_head, association)
    person = services.add_person(actor=association_head, report_id=report.pk, data=_person(typed))
    assert InvolvedPerson.objects.get(pk=person.pk).name_kana == kept


@pytest.mark.parametrize("typed", ["yamada taro", "やまだ たろう2", "ＹＡＭＡＤＡ", "山田 たろう", "やまだ-たろう"])
def test_kana_refuses_latin_letters_digits_and_kanji(association, association_head, policy, media, typed):
    report = builders.draft_report(association_head, association)
    with nothing_written(report), pytest.raises(InsuranceError) as error:
        services.add_person(actor=association_head, report_id=report.pk, data=_person(typed))
    assert str(error.value) == "ふりがな: ひらがなで入力してください。"


def test_kana_refused_is_shown_at_its_field(client, association, association_head, policy, media):
    report = builders.draft_report(association_head, association)
    response = login(client, association_head).post(url("insurance_report_add_person", report.pk),
                                                    person_post(name_kana="Yamada Taro"))
    assert response.status_code == 200 and report.persons.count() == 1
    page = text(response)
    assert 'id="person-name_kana_error">ふりがな: ひらがなで入力してください。</span>' in page
    assert 'href="#person-name_kana">ふりがな</a>: ひらがなで入力してください。' in page
    assert messages_of(response) == ["ふりがな: ひらがなで入力してください。"]
    assert 'value="Yamada Taro"' in page  # what was typed is kept


def _bound(form_class, data: dict[str, object], **kwargs: object):  # type: ignore[no-untyped-def]
    form = form_class(data, **kwargs)
    form.is_valid()
    return form


def test_each_part_of_a_message_goes_to_the_field_it_names():
    form = _bound(PersonForm, {"role": "participant", "harm": "injury", "name": "山田 太郎"})
    attach_service_error(form, InsuranceError("ふりがな: ひらがなで入力してください。 電話番号: 30文字以内で入力してください。"))
    assert form.errors == {"name_kana": ["ひらがなで入力してください。"], "phone": ["30文字以内で入力してください。"]}


def test_a_label_without_its_note_and_a_declared_alias_name_the_field():
    form = _bound(ReportForm, {})
    attach_service_error(form, "事故の日: 今日より後の日付は入力できません。")  # the field is 「事故の日（いつ）」
    assert form.errors["accident_date"][-1] == "今日より後の日付は入力できません。"
    form = _bound(PaymentForm, {"paid_on": "2026-04-01", "amount": "1000"})
    attach_service_error(form, "回答日: 今日より後の日付は入力できません。")  # alias of 「支払日（保険会社の回答日）」
    assert form.errors == {"paid_on": ["今日より後の日付は入力できません。"]}
    for form_class, message, field in (
            (DamagesForm, "損害額: 1円以上の金額（円）を入力してください。", "damages"),
            (ForwardForm, "保険会社の受付番号: 40文字以内で入力してください。", "insurer_reference"),
            (DenialForm, "回答日: 保険会社へ送付した日（令和8年4月1日）より前の日付です。", "answered_on"),
            (AttachmentForm, "ファイル: 空のファイルは登録できません。", "file"),
            (SubmitForm, "遅延理由書: 報告期限（令和8年4月20日）を過ぎています。", "delay_reason")):
        form = _bound(form_class, {})
        attach_service_error(form, message)
        assert form.errors[field][-1] == message.split(": ", 1)[1], form_class


def test_a_message_naming_no_field_is_an_error_of_the_whole_form():
    form = _bound(ForwardForm, {"insurer_reference": ""})
    attach_service_error(form, "この操作は保険担当のみが行えます。")
    assert form.non_field_errors() == ["この操作は保険担当のみが行えます。"] and list(form.errors) == ["__all__"]
    form = _bound(SendFormsForm, {"person": "1"})  # a hidden field shows no error: the whole form does
    attach_service_error(form, "関係者: この事故報告書の関係者を選んでください。")
    assert form.non_field_errors() == ["関係者: この事故報告書の関係者を選んでください。"]
    form = _bound(WithdrawForm, {"reason": "理由"})  # a label inside the text is not a prefix
    attach_service_error(form, "提出できません。 取下げの理由:が足りません。")
    assert form.non_field_errors() == ["提出できません。 取下げの理由:が足りません。"]


def test_a_judgment_finding_is_named_by_its_label_in_brackets(policy):
    conditions = list(policy.conditions.all())
    form = _bound(JudgmentForm, {}, conditions=conditions)
    first = conditions[0]
    attach_service_error(form, f"「{first.label}」: 該当するかどうかを選んでください。")
    attach_service_error(form, "判定の所見: 2000文字以内で入力してください。")
    assert form.errors[f"holds_{first.pk}"][-1] == "該当するかどうかを選んでください。"
    assert form.errors["note"] == ["2000文字以内で入力してください。"]


def test_a_future_accident_day_is_shown_at_its_field_on_create_and_edit(client, association, association_head,
                                                                        policy, media):
    c = login(client, association_head)
    tomorrow = iso(builders.today() + dt.timedelta(days=1))
    response = c.post(url("insurance_report_create"), report_post(association, accident_date=tomorrow))
    assert response.status_code == 200 and AccidentReport.objects.count() == 0
    page = text(response)
    assert 'id="id_accident_date_error">事故の日（いつ）: 今日より後の日付は入力できません。</span>' in page
    assert 'href="#id_accident_date">事故の日（いつ）</a>: 今日より後の日付は入力できません。' in page
    assert 'role="alert"' in page and re.search(r'<input type="date" name="accident_date"[^>]*aria-invalid="true"', page)
    assert messages_of(response) == ["事故の日: 今日より後の日付は入力できません。"]  # the banner stays as a summary
    assert PersonalDataAccess.objects.count() == 0  # no report, nothing shown
    report = builders.draft_report(association_head, association)
    response = c.post(url("insurance_report_edit", report.pk), report_post(accident_date=tomorrow))
    assert response.status_code == 200
    assert 'id="id_accident_date_error">事故の日（いつ）: 今日より後の日付は入力できません。</span>' in text(response)
    assert accesses() == [("head", "report_page", None, "修正画面")]  # the page shown again is logged, as before


def test_a_participant_with_a_third_partys_harm_is_shown_at_the_harm(client, association, association_head,
                                                                      policy, media):
    report = builders.draft_report(association_head, association)
    before = counts()
    response = login(client, association_head).post(url("insurance_report_add_person", report.pk),
                                                    person_post(role="participant", harm="bodily"))
    assert response.status_code == 200 and counts() == before
    page = text(response)
    assert ('id="person-harm_error">けが・損害: 参加者には「第三者のけが（賠償責任・身体）」を選べません。'
            "活動者のけがは傷害、第三者のけが・物の損害は賠償責任です。</span>") in page
    assert 'href="#person-harm">けが・損害</a>: 参加者には' in page
    assert "<details id=\"add-person\" open>" in page  # the form stays open with its error
    assert accesses() == [("head", "report_page", None, "")]


def test_a_text_file_is_shown_at_the_file_field(client, association, association_head, policy, media):
    report = builders.draft_report(association_head, association, attachments=False)
    memo = SimpleUploadedFile("memo.txt", b"meibo", content_type="text/plain")
    response = login(client, association_head).post(url("insurance_report_add_attachment", report.pk),
                                                    {"kind": "member_list", "title": "会員名簿", "file": memo})
    assert response.status_code == 200 and report.attachments.count() == 0
    page = text(response)
    assert re.search(r'id="attachment-file_error">ファイル: PDF・Word・Excel・画像（JPEG/PNG）のいずれかのファイル'
                     r"を選んでください。</span>", page)
    assert '<details id="add-attachment" open>' in page and 'value="会員名簿"' in page


def test_an_inpatient_row_outside_the_accident_and_today_names_its_row(client, association, association_head,
                                                                       insurance, policy, media):
    claim = _open_claim(association, association_head, insurance)
    accident = claim.report.accident_date
    response = login(client, association_head).post(url("insurance_claim_treatment", claim.pk), treatment_post(
        inpatient_1_first=iso(accident), inpatient_1_last=iso(accident + dt.timedelta(days=1)),
        inpatient_2_first=iso(accident - dt.timedelta(days=2)), inpatient_2_last=iso(accident),
        inpatient_3_first=iso(accident), inpatient_3_last=iso(builders.today() + dt.timedelta(days=1))))
    assert response.status_code == 200 and claim.inpatient.count() == 0
    page = text(response)
    assert (f'href="#treatment-inpatient_2_first">入院期間（2行目）の入院日</a>: '
            f"事故の日（{wareki(accident)}）より前です。事故の日から今日までの日付を入力してください。") in page
    assert ('href="#treatment-inpatient_3_last">入院期間（3行目）の退院日</a>: 今日より後です。'
            "事故の日から今日までの日付を入力してください（入院中のときは、退院日に今日の日付を入力します）。") in page
    assert 'id="treatment-inpatient_2_first_error">' in page and "inpatient_1_first_error" not in page
    assert re.search(r'name="inpatient_2_first"[^>]*aria-invalid="true"', page)


def test_every_wrong_outpatient_line_is_named_at_once(client, association, association_head, insurance, policy,
                                                      media):
    claim = _open_claim(association, association_head, insurance)
    accident, today = claim.report.accident_date, builders.today()
    lines = [iso(accident), iso(accident - dt.timedelta(days=1)), "5月3日",
             f"{iso(accident)}〜{iso(today + dt.timedelta(days=2))}", iso(accident + dt.timedelta(days=1))]
    response = login(client, association_head).post(url("insurance_claim_treatment", claim.pk),
                                                    treatment_post(outpatient="\n".join(lines)))
    assert response.status_code == 200 and claim.outpatient.count() == 0
    page = text(response)
    for error in (f"2行目: 「{lines[1]}」は事故の日（{wareki(accident)}）より前です。",
                  "3行目: 「5月3日」を日付として読めません。2026-05-01 の形で入力してください。",
                  f"4行目: 「{lines[3][:20]}…」は今日（{wareki(today)}）より後です。",
                  f"事故の日から今日までの日付を入力してください（{wareki(accident)}〜{wareki(today)}）。"):
        assert f'href="#treatment-outpatient">通院日</a>: {error}' in page
    assert "通院日</a>: 1行目" not in page and "通院日</a>: 5行目" not in page


def test_parse_outpatient_days_without_bounds_reads_any_day():
    assert parse_outpatient_days("2000-01-01") == [dt.date(2000, 1, 1)]
    with pytest.raises(ValidationError) as error:
        parse_outpatient_days("2000-01-01\n2000-01-05", earliest=dt.date(2000, 1, 2), latest=dt.date(2000, 1, 4))
    assert error.value.messages == ["1行目: 「2000-01-01」は事故の日（平成12年1月2日）より前です。",
                                    "2行目: 「2000-01-05」は今日（平成12年1月4日）より後です。",
                                    "事故の日から今日までの日付を入力してください（平成12年1月2日〜平成12年1月4日）。"]
    with pytest.raises(ValidationError) as error:  # a line that is no day asks for none of the range
        parse_outpatient_days("2000-01-03\n1月5日", earliest=dt.date(2000, 1, 2), latest=dt.date(2000, 1, 4))
    assert error.value.messages == ["2行目: 「1月5日」を日付として読めません。2026-05-01 の形で入力してください。"]


def test_the_payment_day_refused_by_the_service_is_shown_at_the_payment_day(client, association, association_head,
                                                                             insurance, policy, media):
    claim = builders.filed_claim(association_head, insurance, association, outpatient_days=3)
    claims.forward_claim(actor=insurance, claim_id=claim.pk)
    tomorrow = builders.today() + dt.timedelta(days=1)
    before = counts()
    response = login(client, insurance).post(url("insurance_claim_payment", claim.pk),
                                             {"paid_on": iso(tomorrow), "amount": "6000"})
    assert response.status_code == 200 and counts() == before
    page = text(response)
    assert 'id="payment-paid_on_error">支払日（保険会社の回答日）: 今日より後の日付は入力できません。</span>' in page
    assert 'href="#payment-paid_on">支払日（保険会社の回答日）</a>: 今日より後の日付は入力できません。' in page
    assert messages_of(response) == ["回答日: 今日より後の日付は入力できません。"]
    assert accesses() == [("hoken", "claim_page", claim.pk, f"請求 {claim.number}")]
    response = login(client, insurance).post(url("insurance_claim_payment", claim.pk),
                                             {"paid_on": iso(builders.today()), "amount": "5000"})
    assert ('id="payment-note_error">備考: 支払額が算定額（6,000円）と異なります。保険会社の説明を入力してください。'
            "</span>") in text(response)
    response = login(client, insurance).post(url("insurance_claim_denial", claim.pk),
                                             {"answered_on": iso(tomorrow), "reason": "既往症"})
    assert 'id="denial-answered_on_error">回答日: 今日より後の日付は入力できません。</span>' in text(response)


def test_a_late_report_marks_the_delay_reason_required_and_asks_for_it_there(client, association,
                                                                              association_head, policy, media):
    report = builders.draft_report(association_head, association, accident_date=builders.days_ago(30))
    c = login(client, association_head)
    page = text(c.get(url("insurance_report_detail", report.pk)))
    assert '<label for="submit-delay_reason">遅延理由書（期限を過ぎた理由）（必須）</label>' in page
    response = c.post(url("insurance_report_submit", report.pk), {"delay_reason": " "})
    assert response.status_code == 200
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT
    expected = f"報告期限（{wareki(report.due_date)}）を過ぎています。期限までに報告できなかった理由を入力してください。"
    assert f'id="submit-delay_reason_error">遅延理由書（期限を過ぎた理由）: {expected}</span>' in text(response)
    on_time = builders.draft_report(association_head, association)
    assert "submit-delay_reason" not in text(c.get(url("insurance_report_detail", on_time.pk)))


def test_a_refusal_naming_no_field_is_announced_in_the_forms_summary(client, association, association_head,
                                                                     policy, media):
    report = builders.draft_report(association_head, association, attachments=False)
    response = login(client, association_head).post(url("insurance_report_submit", report.pk), {})
    assert response.status_code == 200
    action = f'action="{url("insurance_report_submit", report.pk)}"'
    summary = re.search(re.escape(action) + r'.*?<div class="errorlist" role="alert">(.*?)</div>', text(response),
                        re.S)
    assert summary and "提出できません。" in summary.group(1) and "添付書類「会則・規約」を登録してください。" in summary.group(1)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_new_users_errors_are_shown_at_their_fields_in_a_browser(live_server, page, check_a11y, association,  # type: ignore[no-untyped-def]
                                                                   association_head, policy, media) -> None:
    def refused(button: str) -> None:
        page.get_by_role("button", name=button, exact=True).click()
        page.locator(".message-error").wait_for()

    log_in(page, live_server.url, association_head.username)
    page.goto(f"{live_server.url}{url('insurance_report_create')}")
    for label, value in (("活動の名称", "河川清掃"), ("年間事業計画での位置づけ", "年間事業計画 5月 河川清掃"),
                         ("活動の内容", "河川敷で草刈りを行いました。"), ("場所（どこで）", "椹野川河川敷"),
                         ("だれが", "参加者の1人が"), ("どうして（事故の原因・状況）", "足を滑らせて転倒し"),
                         ("どうなった（けが・損害の内容）", "右足首を骨折しました。"),
                         ("事故の日（いつ）", iso(builders.today() + dt.timedelta(days=1)))):
        page.get_by_label(f"{label}（必須）").fill(value)
    page.get_by_label("活動者のけが（傷害）").check()
    refused("保存する")
    assert page.locator("#id_accident_date_error").inner_text() == "事故の日（いつ）: 今日より後の日付は入力できません。"
    assert page.get_by_role("alert").first.is_visible()
    check_a11y(page, "errors-01-future-accident-day")

    page.get_by_label("事故の日（いつ）（必須）").fill(iso(builders.days_ago(25)))
    page.get_by_role("button", name="保存する", exact=True).click()
    page.locator(".message-success").wait_for()
    assert "遅延理由書" in page.locator(".message-success").inner_text()
    assert "を過ぎています。" in page.locator("#next-step").inner_text()

    form = page.locator("#add-person form")
    form.get_by_label("立場（必須）").select_option("participant")
    form.get_by_label("けが・損害（必須）").select_option("injury")
    form.get_by_label("氏名（必須）").fill("山田 太郎")
    form.get_by_label("ふりがな").fill("Yamada Taro")
    refused("関係者を登録する")
    assert page.locator("#person-name_kana_error").inner_text() == "ふりがな: ひらがなで入力してください。"
    check_a11y(page, "errors-02-kana")

    details = page.locator("#add-attachment")
    if details.get_attribute("open") is None:
        details.locator("summary").click()
    form = details.locator("form")
    form.get_by_label("書類（必須）").select_option("member_list")
    form.get_by_label("内容（必須）").fill("会員名簿")
    form.get_by_label("ファイル（必須）").set_input_files({"name": "meibo.txt", "mimeType": "text/plain",
                                                        "buffer": b"meibo"})
    refused("添付する")
    assert page.locator("#attachment-file_error").inner_text().startswith("ファイル: PDF・Word・Excel")
    check_a11y(page, "errors-03-text-file")

    refused("事故報告書を提出する")
    assert page.locator("#submit-delay_reason_error").inner_text().startswith("遅延理由書（期限を過ぎた理由）: 報告期限（")
    assert page.get_by_label("遅延理由書（期限を過ぎた理由）（必須）").get_attribute("aria-invalid") == "true"
    check_a11y(page, "errors-04-delay-reason")


# The outpatient days are typed (or pasted) into one textarea: thousands of lines of garbage, ranges that
# together list millions of days, or the same range pasted over and over must be answered with a short list of
# what is wrong, never a page with one message per line or a server that counts days for minutes.


def _messages(text: str) -> list[str]:
    with pytest.raises(ValidationError) as refused:
        parse_outpatient_days(text)
    return refused.value.messages


def test_regression_garbage_lines_get_a_few_messages_not_one_each() -> None:
    messages = _messages("きのう\n" * 20_000)
    assert len(messages) == MAX_LINE_ERRORS + 1
    assert messages[0] == "1行目: 「きのう」を日付として読めません。2026-05-01 の形で入力してください。"
    assert messages[-1] == f"ほかに{20_000 - MAX_LINE_ERRORS:,}行、読めない行があります。"


def test_regression_a_huge_line_is_not_echoed_whole() -> None:
    messages = _messages("x" * 100_000)
    assert len(messages) == 1 and len(messages[0]) < 120
    assert messages[0].startswith("1行目: 「xxxxxxxxxxxxxxxxxxxx…」を日付として読めません。")


def test_regression_ranges_stop_being_counted_at_the_limit() -> None:
    """Ranges of 999 days each across the calendar would list millions of days; the count stops past 1,000."""
    lines, start = [], dt.date(1, 1, 1)
    for _ in range(3_000):
        end = start + dt.timedelta(days=998)
        lines.append(f"{start.isoformat()}〜{end.isoformat()}")
        start = end + dt.timedelta(days=1)
    lines.append("ごみ")  # past the limit: not read any more
    assert _messages("\n".join(lines)) == ["通院日は1000日以内で入力してください。"]


def test_regression_the_same_range_pasted_again_and_again_counts_each_time() -> None:
    assert _messages("2026-05-01〜2026-05-31\n" * 50_000) == ["通院日は1000日以内で入力してください。"]


def test_the_limit_itself_is_accepted_and_repeats_below_it_are_merged() -> None:
    start = dt.date(2024, 1, 1)
    exactly = f"{start:%Y-%m-%d}〜{start + dt.timedelta(days=999):%Y-%m-%d}"
    assert len(parse_outpatient_days(exactly)) == 1000
    assert parse_outpatient_days("2026-05-01\n2026-05-01〜2026-05-02") == [dt.date(2026, 5, 1), dt.date(2026, 5, 2)]
    assert _messages(exactly + "\n2030-01-01") == ["通院日は1000日以内で入力してください。"]


def test_regression_wrong_lines_and_too_many_days_are_both_named() -> None:
    start = dt.date(2024, 1, 1)
    text = f"ごみ\n{start:%Y-%m-%d}〜{start + dt.timedelta(days=999):%Y-%m-%d}\n2030-01-01"
    assert _messages(text) == ["1行目: 「ごみ」を日付として読めません。2026-05-01 の形で入力してください。",
                               "通院日は1000日以内で入力してください。"]


def test_regression_the_claim_page_answers_pasted_garbage_with_a_short_page(client, group_a, insurance) -> None:
    report = builders.covered_report(group_a.head, insurance, group_a.organization)
    claim = claims.send_claim_forms(actor=insurance, report_id=report.pk, person_id=report.persons.get().pk)
    visits = OutpatientVisit.objects.count()
    response = login(client, group_a.head).post(reverse("insurance_claim_treatment", args=[claim.pk]), {
        "state": "in_treatment", "outpatient": "x\n" * 20_000, "surgeries_inpatient": 0,
        "surgeries_outpatient": 0})
    assert response.status_code == 200
    page = response.content.decode()
    assert len(response.content) < 200_000
    assert "ほかに19,990行、読めない行があります。" in page
    assert OutpatientVisit.objects.count() == visits
    assert accesses() == [("head", "claim_page", claim.pk, f"請求 {claim.number}")]


# -- 通院日: one date box a day ---------------------------------------------------------------------------------

ACCIDENT, TODAY = dt.date(2026, 6, 1), dt.date(2026, 6, 20)


def _days_form(*days: str, window_end: dt.date | None = None) -> TreatmentForm:
    data = QueryDict(mutable=True)
    data.update({"state": "in_treatment", "surgeries_inpatient": "0", "surgeries_outpatient": "0"})
    data.setlist("outpatient", list(days))
    return TreatmentForm(data, accident_date=ACCIDENT, today=TODAY, window_end=window_end, auto_id="treatment-%s")


def test_outpatient_days_are_picked_in_date_boxes_bounded_by_the_accident_and_today() -> None:
    form = TreatmentForm(initial={"outpatient": ["2026-06-03", "2026-06-05"]}, accident_date=ACCIDENT, today=TODAY,
                         window_end=dt.date(2026, 11, 27), auto_id="treatment-%s")
    html = str(form["outpatient"])
    boxes = re.findall(r'<input type="date" name="outpatient" id="treatment-outpatient_(\d+)" value="([^"]*)"'
                       r' min="2026-06-01" max="2026-06-20"', html)
    assert boxes == [("1", "2026-06-03"), ("2", "2026-06-05"), ("3", ""), ("4", ""), ("5", "")]
    assert "令和8年6月3日" in html and "令和8年6月5日" in html  # each recorded day in 和暦 beside its box
    assert '<label for="treatment-outpatient_3">通院日（3行目）</label>' in html
    assert "<textarea" not in html


def test_outpatient_days_from_the_boxes_are_read_sorted_and_blank_boxes_ignored() -> None:
    form = _days_form("2026-06-05", "", "2026-06-02", "")
    assert form.is_valid(), form.errors
    assert form.treatment()["outpatient"] == [dt.date(2026, 6, 2), dt.date(2026, 6, 5)]


def test_a_day_entered_twice_is_refused_naming_both_rows() -> None:
    form = _days_form("2026-06-02", "2026-06-03", "2026-06-02")
    assert not form.is_valid()
    assert form.errors["outpatient"] == ["3行目: 「2026-06-02」は1行目と同じ日です。同じ日は1行にしてください。"]


def test_days_before_the_accident_or_after_today_are_refused_by_their_row() -> None:
    form = _days_form("2026-05-31", "2026-06-02", "2026-06-21")
    assert not form.is_valid()
    errors = form.errors["outpatient"]
    assert "1行目: 「2026-05-31」は事故の日（令和8年6月1日）より前です。" in errors
    assert "3行目: 「2026-06-21」は今日（令和8年6月20日）より後です。" in errors


def test_a_day_past_the_policy_s_outpatient_window_is_refused() -> None:
    form = _days_form("2026-06-05", "2026-06-12", window_end=dt.date(2026, 6, 10))
    assert not form.is_valid()
    assert form.errors["outpatient"] == [
        "2行目: 「2026-06-12」は通院の対象期間（令和8年6月1日〜令和8年6月10日）の後です。"]
