"""The insurance pages: the report list, form and page (persons, attachments, submission, return, withdrawal,
judgment, claim forms), the claim page (treatment, damages, documents, filing, forwarding, the insurer's answer,
the document set), reminders, the access log, the statistics, the home box, the navigation and the admin. Every
act goes through the page's POST; refusals are checked to write nothing."""
import datetime as dt
import inspect
import re

import pytest
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from grants.core.fiscal import fiscal_year_label, wareki
from grants.insurance import claims, reminders, services
from grants.insurance.models import (
    AccidentReport,
    Claim,
    ClaimDocumentKind,
    ClaimStatus,
    InsurancePolicy,
    Judgment,
    PersonalDataAccess,
    PolicyCondition,
    Reminder,
    ReportStatus,
)
from pages.insurance.forms import format_days, parse_outpatient_days
from pages.insurance.views import INSURANCE_EVENT_LABELS
from tests import factories
from tests.cases.steps import login, messages_of
from tests.factories import CURRENT_FY
from tests.insurance import builders
from tests.insurance.pages import (
    accesses,
    counts,
    iso,
    judgment_post,
    other_group,
    person_post,
    report_post,
    state,
    text,
)

pytestmark = pytest.mark.django_db

GRANT_ROLES = ("staff", "approver", "finance", "auditor")


@pytest.fixture
def head_client(client, association_head):  # type: ignore[no-untyped-def]
    return login(client, association_head)


@pytest.fixture
def submitted(association, association_head, policy, media):  # type: ignore[no-untyped-def]
    """A complete report submitted on time by the group's head."""
    report = builders.draft_report(association_head, association)
    return services.submit_report(actor=association_head, report_id=report.pk)


@pytest.fixture
def covered(association, association_head, insurance, policy, media):  # type: ignore[no-untyped-def]
    return builders.covered_report(association_head, insurance, association)


@pytest.fixture
def open_claim(covered, insurance):  # type: ignore[no-untyped-def]
    """The injured participant's claim, forms sent, nothing recorded yet (accident 5 days ago)."""
    person = covered.persons.get(harm="injury")
    return claims.send_claim_forms(actor=insurance, report_id=covered.pk, person_id=person.pk)


def url(name: str, *args: object) -> str:
    return reverse(name, args=args)


# -- 一覧 ------------------------------------------------------------------------------------------------------

def test_list_insurance_sees_every_report_with_its_columns_and_no_names(client, association, association_head,
                                                                         insurance, policy, media):
    org2, head2 = other_group()
    mine = builders.draft_report(association_head, association)
    theirs = builders.draft_report(head2, org2, accident_date=builders.days_ago(30))
    services.submit_report(actor=head2, report_id=theirs.pk, delay_reason="会長が入院していました。")
    page = text(login(client, insurance).get(url("insurance_report_list")))
    for expected in (mine.number, theirs.number, association.name, "湯田第1自治会", "河川清掃", "傷害",
                     wareki(mine.accident_date), wareki(mine.due_date), wareki(builders.today()), "期限後", "作成中",
                     "提出済（判定待ち）", url("insurance_report_detail", mine.pk), "事故報告書を作成"):
        assert expected in page
    assert "山田 太郎" not in page and "山口市亀山町" not in page


def test_list_head_sees_only_own_groups_reports(client, association, association_head, policy, media):
    org2, head2 = other_group()
    mine = builders.draft_report(association_head, association)
    theirs = builders.draft_report(head2, org2)
    page = text(login(client, association_head).get(url("insurance_report_list")))
    assert url("insurance_report_detail", mine.pk) in page
    assert url("insurance_report_detail", theirs.pk) not in page and "湯田第1自治会" not in page
    # A filter by another group's name reveals nothing either.
    page = text(client.get(url("insurance_report_list"), {"organization": "湯田"}))
    assert url("insurance_report_detail", theirs.pk) not in page


def test_list_filters_by_status_year_lateness_and_group_name(client, association, association_head, insurance,
                                                             policy, media):
    org2, head2 = other_group()
    draft = builders.draft_report(association_head, association)
    late = builders.draft_report(head2, org2, accident_date=builders.days_ago(30))
    services.submit_report(actor=head2, report_id=late.pk, delay_reason="会長が入院していました。")
    builders.policy(fiscal_year=CURRENT_FY - 2, period_start=dt.date(2000, 4, 1), period_end=dt.date(2001, 3, 31),
                    policy_number="T-OLD")
    c = login(client, insurance)

    def shown(**params: object) -> set[int]:
        page = text(c.get(url("insurance_report_list"), params))
        return {r.pk for r in (draft, late) if url("insurance_report_detail", r.pk) in page}

    assert shown() == {draft.pk, late.pk}
    assert shown(status="submitted") == {late.pk}
    assert shown(late_only="on") == {late.pk}
    assert shown(organization="湯田") == {late.pk}
    assert shown(fiscal_year=CURRENT_FY) == {draft.pk, late.pk}
    assert shown(fiscal_year=CURRENT_FY - 2) == set()
    assert fiscal_year_label(CURRENT_FY - 2) in text(c.get(url("insurance_report_list")))


def test_lists_cost_no_query_per_row(client, association, association_head, insurance, policy, media):
    """The report list, the claim list and the access log read a fixed number of queries, whatever the rows."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    c = login(client, insurance)
    pages = (url("insurance_report_list"), url("insurance_claim_list"), url("insurance_access_log"))

    def queries() -> list[int]:
        used = []
        for target in pages:
            with CaptureQueriesContext(connection) as captured:
                assert c.get(target).status_code == 200
            used.append(len(captured))
        return used

    def one_more_claim() -> None:
        claim = builders.filed_claim(association_head, insurance, association, outpatient_days=2)
        services.log_access(insurance, claim.report, "claim_page", claim=claim)

    one_more_claim()
    first = queries()
    one_more_claim()
    one_more_claim()
    assert queries() == first


@pytest.mark.parametrize("role", GRANT_ROLES)
def test_list_and_form_are_refused_to_the_grant_roles(client, role, request, policy):
    user = request.getfixturevalue(role)
    c = login(client, user)
    assert c.get(url("insurance_report_list")).status_code == 403
    assert c.get(url("insurance_report_create")).status_code == 403
    assert c.get(url("insurance_claim_list")).status_code == 403


def test_list_asks_to_log_in(client):
    response = client.get(url("insurance_report_list"))
    assert response.status_code == 302 and reverse("login") in response.url


# -- 作成・修正 ------------------------------------------------------------------------------------------------

def test_head_creates_a_report_and_is_told_its_number_and_due_date(head_client, association, policy, media):
    accident = builders.days_ago(3)
    response = head_client.post(url("insurance_report_create"), report_post(association, accident_date=accident))
    report = AccidentReport.objects.get()
    assert response.status_code == 302 and response.url == url("insurance_report_detail", report.pk)
    assert (report.organization, report.status, report.activity_name) == (association, ReportStatus.DRAFT, "河川清掃")
    assert report.due_date == accident + dt.timedelta(days=19)
    page = head_client.get(response.url)
    assert messages_of(page) == [f"事故報告書（受付番号 {report.number}）を作成しました。報告期限は"
                                 f"{wareki(report.due_date)}です。関係者と添付書類を登録して提出してください。"]
    assert wareki(report.due_date) in text(page)


def test_form_explains_the_deadline_rule_with_the_policys_days(head_client, association, media):
    builders.policy(report_due_days=10)
    page = text(head_client.get(url("insurance_report_create")))
    assert "事故の日を含めて10日以内" in page and "20日以内" not in page
    for legend in ("活動", "事故の状況（いつ・どこで・だれが・どうして・どうなった）", "年間事業計画での位置づけ",
                   "事故の日（いつ）", "場所（どこで）", "だれが", "どうして（事故の原因・状況）",
                   "どうなった（けが・損害の内容）", "活動者のけが（傷害）"):
        assert legend in page


def test_a_next_day_deadline_is_quoted_as_the_yoko_words_it_on_the_form_and_the_report(head_client, association,
                                                                                        media):
    """A 要綱 of 「事故の日の翌日から起算して20日以内」 is entered as 20 days 翌日起算 (issue 12 §6): the form and the
    report page quote it, and the due date is the accident day + 20 days."""
    builders.policy(report_due_counting="next_day")
    form = text(head_client.get(url("insurance_report_create")))
    assert "事故の日の翌日から起算して20日以内" in form and "事故の日を含めて" not in form
    assert "例: 事故の日が5月1日なら、5月21日まで" in form
    accident = builders.days_ago(3)
    response = head_client.post(url("insurance_report_create"), report_post(association, accident_date=accident))
    report = AccidentReport.objects.get()
    assert report.due_date == accident + dt.timedelta(days=20)
    page = text(head_client.get(response.url))
    assert f"{wareki(report.due_date)}（事故の日の翌日から起算して20日以内）" in page


def test_form_errors_are_in_japanese_and_name_the_field(head_client, association, policy):
    response = head_client.post(url("insurance_report_create"), {"organization": association.pk,
                                                                 "accident_date": "2026-13-40"})
    assert response.status_code == 200 and AccidentReport.objects.count() == 0
    page = text(response)
    assert "活動の名称: このフィールドは必須です。" in page
    assert "事故の日（いつ）: 日付を正しく入力してください（例: 2026-04-01）。" in page
    assert 'role="alert"' in page and 'aria-invalid="true"' in page
    assert messages_of(response) == ["入力内容に誤りがあります。各項目の説明を確認してください。"]


def test_service_refusal_shows_the_form_again_with_its_message(head_client, association, policy):
    tomorrow = builders.today() + dt.timedelta(days=1)
    response = head_client.post(url("insurance_report_create"), report_post(association, accident_date=tomorrow))
    assert response.status_code == 200 and AccidentReport.objects.count() == 0
    assert messages_of(response) == ["事故の日: 今日より後の日付は入力できません。"]
    assert "椹野川河川敷（○○橋付近）" in text(response)  # what was typed is kept


def test_head_may_choose_only_the_groups_they_represent(head_client, association, policy):
    org2, _ = other_group()
    page = text(head_client.get(url("insurance_report_create")))
    assert association.name in page and org2.name not in page
    response = head_client.post(url("insurance_report_create"), report_post(org2))
    assert response.status_code == 200 and AccidentReport.objects.count() == 0
    assert "団体: 正しく選択してください。" in text(response)


def test_insurance_enters_a_paper_report_for_any_active_group(client, association, insurance, policy, media):
    org2, _ = other_group()
    closed = factories.AssociationFactory(name="解散した自治会", is_active=False)
    c = login(client, insurance)
    page = text(c.get(url("insurance_report_create")))
    assert association.name in page and org2.name in page and closed.name not in page
    response = c.post(url("insurance_report_create"), report_post(org2))
    assert response.status_code == 302
    assert AccidentReport.objects.get().created_by == insurance


def test_head_without_a_group_is_refused_the_form(client, policy):
    lone = factories.UserFactory(username="lone", role="association_head")
    assert login(client, lone).get(url("insurance_report_create")).status_code == 403


def test_edit_page_is_filled_in_saves_through_the_service_and_logs_the_view(head_client, association,
                                                                             association_head, policy, media):
    report = builders.draft_report(association_head, association)
    page = head_client.get(url("insurance_report_edit", report.pk))
    assert 'value="河川清掃"' in text(page) and f'value="{iso(report.accident_date)}"' in text(page)
    assert accesses() == [("head", "report_page", None, "修正画面")]
    new_day = builders.days_ago(7)
    response = head_client.post(url("insurance_report_edit", report.pk),
                                report_post(accident_date=new_day, place="一の坂川（中河原付近）"))
    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.place, report.due_date) == ("一の坂川（中河原付近）", new_day + dt.timedelta(days=19))
    assert len(accesses()) == 1  # the successful POST shows nothing


def test_edit_of_a_submitted_report_goes_back_to_the_page(head_client, submitted):
    response = head_client.get(url("insurance_report_edit", submitted.pk))
    assert response.status_code == 302 and response.url == url("insurance_report_detail", submitted.pk)
    before = state(submitted)
    head_client.post(url("insurance_report_edit", submitted.pk), report_post(place="別の場所"))
    assert state(submitted) == before


# -- 事故報告書の画面 ------------------------------------------------------------------------------------------

def test_report_page_shows_everything_and_what_is_missing(head_client, association, association_head, policy,
                                                          media):
    report = builders.draft_report(association_head, association, attachments=False)
    page = text(head_client.get(url("insurance_report_detail", report.pk)))
    for expected in (report.number, "作成中", wareki(report.due_date), "年間事業計画 5月 河川清掃",
                     "椹野川河川敷（○○橋付近）", "会員の山田さんが", "草刈り中に足を滑らせて転倒し", "右足首を骨折しました。",
                     "山田 太郎", "やまだ たろう", "昭和35年4月1日", "山口市亀山町2-1", "083-000-0000",
                     "添付書類「会則・規約」を登録してください。", "添付書類「参加者名簿」を登録してください。",
                     "関係者を登録する", "添付書類を登録する", "事故報告書を提出する", "事故報告書を取り下げる"):
        assert expected in page
    assert "団体へ差し戻す" not in page and "判定を記録する" not in page


def test_report_page_is_404_for_a_missing_report(head_client, policy):
    assert head_client.get(url("insurance_report_detail", 999)).status_code == 404
    assert PersonalDataAccess.objects.count() == 0


def test_audit_trail_is_in_japanese(client, submitted, insurance2):
    page = text(login(client, insurance2).get(url("insurance_report_detail", submitted.pk)))
    for label in ("事故報告書の作成", "関係者の登録", "添付書類の登録", "作成中 → 提出済（判定待ち）"):
        assert label in page
    assert "insurance_" not in page


def test_every_insurance_action_code_has_a_japanese_label():
    source = "".join(inspect.getsource(m) for m in (services, claims, reminders))
    codes = set(re.findall(r'action="(insurance_[a-z_]+)"', source))
    assert codes and codes <= set(INSURANCE_EVENT_LABELS)


# -- 関係者 ----------------------------------------------------------------------------------------------------

def test_head_adds_and_removes_a_person(head_client, association, association_head, policy, media):
    report = builders.draft_report(association_head, association)
    response = head_client.post(url("insurance_report_add_person", report.pk),
                                person_post(role="third_party", harm="property", name="佐藤 花子"))
    assert response.status_code == 302
    person = report.persons.get(name="佐藤 花子")
    assert (person.role, person.harm, person.address) == ("third_party", "property", "山口市亀山町2-1")
    assert messages_of(head_client.get(response.url)) == ["関係者を登録しました。"]
    response = head_client.post(url("insurance_report_remove_person", report.pk, person.pk))
    assert response.status_code == 302
    assert list(report.persons.values_list("name", flat=True)) == ["山田 太郎"]


def test_wrong_harm_for_the_role_keeps_the_input_and_says_why(head_client, association, association_head, policy,
                                                              media):
    report = builders.draft_report(association_head, association)
    before = counts()
    response = head_client.post(url("insurance_report_add_person", report.pk),
                                person_post(role="participant", harm="bodily", name="鈴木 一郎"))
    assert response.status_code == 200 and counts() == before
    assert messages_of(response)[0].startswith("けが・損害: 参加者には「第三者のけが（賠償責任・身体）」を選べません。")
    assert 'value="鈴木 一郎"' in text(response)


def test_person_form_errors_are_shown_on_the_page(head_client, association, association_head, policy, media):
    report = builders.draft_report(association_head, association)
    before = counts()
    response = head_client.post(url("insurance_report_add_person", report.pk),
                                person_post(name="", birth_date="昭和35年"))
    assert response.status_code == 200 and counts() == before
    page = text(response)
    assert "氏名: このフィールドは必須です。" in page
    assert "生年月日: 日付を正しく入力してください（例: 2026-04-01）。" in page


def test_another_group_cannot_add_a_person_or_attachment(client, association, association_head, policy, media):
    report = builders.draft_report(association_head, association)
    _, head2 = other_group()
    c = login(client, head2)
    before = counts()
    assert c.post(url("insurance_report_add_person", report.pk), person_post()).status_code == 404
    assert c.post(url("insurance_report_add_attachment", report.pk),
                  {"kind": "bylaws", "title": "会則", "file": builders.pdf()}).status_code == 404
    person = report.persons.get()
    assert c.post(url("insurance_report_remove_person", report.pk, person.pk)).status_code == 404
    assert counts() == before and PersonalDataAccess.objects.count() == 0


# -- 添付書類 --------------------------------------------------------------------------------------------------

def test_upload_download_and_remove_an_attachment(head_client, association, association_head, policy, media):
    report = builders.draft_report(association_head, association, attachments=False)
    response = head_client.post(url("insurance_report_add_attachment", report.pk),
                                {"kind": "member_list", "title": "令和8年度 会員名簿", "file": builders.pdf("名簿.pdf")})
    assert response.status_code == 302
    attachment = report.attachments.get()
    assert (attachment.kind, attachment.title) == ("member_list", "令和8年度 会員名簿")
    download = head_client.get(url("insurance_report_attachment", report.pk, attachment.pk))
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"].startswith("attachment;")
    assert b"".join(download.streaming_content) == builders.PDF
    assert accesses(kind="attachment") == [("head", "attachment", None, f"会員名簿（書類番号 {attachment.pk}）")]
    response = head_client.post(url("insurance_report_remove_attachment", report.pk, attachment.pk))
    assert response.status_code == 302 and report.attachments.count() == 0


def test_a_disguised_file_is_refused_with_the_services_message(head_client, association, association_head, policy,
                                                               media):
    report = builders.draft_report(association_head, association, attachments=False)
    fake = SimpleUploadedFile("meibo.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    before = counts()
    response = head_client.post(url("insurance_report_add_attachment", report.pk),
                                {"kind": "member_list", "title": "会員名簿", "file": fake})
    assert response.status_code == 200 and counts() == before
    assert messages_of(response) == ["ファイル: ファイルの中身が拡張子（PDF・Word・Excel・画像（JPEG/PNG））と一致しません。"]


def test_attachment_form_errors_name_the_field(head_client, association, association_head, policy, media):
    report = builders.draft_report(association_head, association, attachments=False)
    response = head_client.post(url("insurance_report_add_attachment", report.pk), {"kind": "", "title": ""})
    page = text(response)
    assert "書類: このフィールドは必須です。" in page and "ファイル: このフィールドは必須です。" in page
    assert report.attachments.count() == 0


def test_attachment_of_another_report_is_404(head_client, association, association_head, policy, media):
    first = builders.draft_report(association_head, association)
    second = builders.draft_report(association_head, association)
    other = second.attachments.first()
    assert head_client.get(url("insurance_report_attachment", first.pk, other.pk)).status_code == 404
    assert PersonalDataAccess.objects.count() == 0


def test_attachment_whose_file_is_gone_is_404_and_not_logged(head_client, association, association_head, policy,
                                                              media):
    report = builders.draft_report(association_head, association)
    attachment = report.attachments.first()
    attachment.file.storage.delete(attachment.file.name)
    assert head_client.get(url("insurance_report_attachment", report.pk, attachment.pk)).status_code == 404
    assert PersonalDataAccess.objects.count() == 0


# -- 提出・差戻し・取下げ --------------------------------------------------------------------------------------

def test_incomplete_report_is_not_submitted_and_the_message_lists_what_is_missing(head_client, association,
                                                                                   association_head, policy, media):
    report = builders.draft_report(association_head, association, attachments=False)
    response = head_client.post(url("insurance_report_submit", report.pk), {"delay_reason": ""})
    assert response.status_code == 200
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT
    assert "添付書類「会則・規約」を登録してください。" in messages_of(response)[0]


def test_on_time_report_is_submitted_without_a_delay_reason(head_client, association, association_head, policy,
                                                            media):
    report = builders.draft_report(association_head, association)
    page = text(head_client.get(url("insurance_report_detail", report.pk)))
    assert "遅延理由書（期限を過ぎた理由）" not in page and "提出に必要な項目はそろっています。" in page
    response = head_client.post(url("insurance_report_submit", report.pk), {})
    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.status, report.filed_on, report.is_late) == (ReportStatus.SUBMITTED, builders.today(), False)
    assert messages_of(head_client.get(response.url)) == [
        "事故報告書を提出しました。市の保険担当が補償の対象かどうかを判定します。"]


def test_late_report_needs_the_delay_reason_and_is_flagged(head_client, association, association_head, policy,
                                                           media):
    report = builders.draft_report(association_head, association, accident_date=builders.days_ago(30))
    page = text(head_client.get(url("insurance_report_detail", report.pk)))
    assert "遅延理由書（期限を過ぎた理由）" in page and "報告期限（" in page
    response = head_client.post(url("insurance_report_submit", report.pk), {"delay_reason": ""})
    assert response.status_code == 200
    # The form asks for the reason at its field (marked 必須 once the due date has passed).
    assert messages_of(response) == ["入力内容に誤りがあります。各項目の説明を確認してください。"]
    assert f"遅延理由書（期限を過ぎた理由）: 報告期限（{wareki(report.due_date)}）を過ぎています。" in text(response)
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT
    response = head_client.post(url("insurance_report_submit", report.pk),
                                {"delay_reason": "会長が入院しており、報告が遅れました。"})
    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.status, report.is_late, report.delay_reason) == (ReportStatus.SUBMITTED, True,
                                                                    "会長が入院しており、報告が遅れました。")
    page = text(head_client.get(response.url))
    assert 'id="late-flag"' in page and "会長が入院しており、報告が遅れました。" in page
    assert "期限後の報告として、遅延理由書とともに受け付けました" in page


def test_withdraw_needs_a_reason(head_client, association, association_head, policy, media):
    report = builders.draft_report(association_head, association)
    response = head_client.post(url("insurance_report_withdraw", report.pk), {"reason": ""})
    assert response.status_code == 200 and "取下げの理由: このフィールドは必須です。" in text(response)
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT
    response = head_client.post(url("insurance_report_withdraw", report.pk), {"reason": "けがではありませんでした。"})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.WITHDRAWN


def test_insurance_returns_a_report_and_the_group_sees_why(client, submitted, insurance, association_head):
    c = login(client, insurance)
    response = c.post(url("insurance_report_return", submitted.pk), {"note": "参加者名簿が古い年度のものです。"})
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == ReportStatus.RETURNED
    page = text(login(client, association_head).get(url("insurance_report_detail", submitted.pk)))
    assert "参加者名簿が古い年度のものです。" in page and "事故報告書を提出する" in page


def test_head_cannot_return_their_report(head_client, submitted):
    before = state(submitted), counts()
    response = head_client.post(url("insurance_report_return", submitted.pk), {"note": "自分で差し戻す"})
    assert messages_of(response) == ["この操作は保険担当のみが行えます。"]
    assert (state(submitted), counts()) == before
    assert "団体へ差し戻す" not in text(head_client.get(url("insurance_report_detail", submitted.pk)))


# -- 判定 ----------------------------------------------------------------------------------------------------------

def test_judgment_form_has_one_fieldset_per_condition_with_the_right_choices(client, submitted, insurance):
    page = text(login(client, insurance).get(url("insurance_report_detail", submitted.pk)))
    conditions = list(submitted.policy.conditions.all())
    assert page.count("<fieldset>") >= len(conditions)
    for c in conditions:
        assert f"<legend>{c.label}</legend>" in page
        assert f'name="reason_{c.pk}"' in page
    assert page.count("> 満たす</label>") == 4 and page.count("> 満たさない</label>") == 4
    assert page.count("> 該当しない</label>") == 5 and page.count("> 該当する</label>") == 5


def test_judging_all_favourable_makes_the_report_covered(client, submitted, insurance, association_head):
    c = login(client, insurance)
    response = c.post(url("insurance_report_judge", submitted.pk), judgment_post(submitted))
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == ReportStatus.COVERED
    judgment = Judgment.objects.get(report=submitted)
    assert (judgment.covered, judgment.judged_by, judgment.findings.count()) == (True, insurance, 9)
    page = text(login(client, association_head).get(url("insurance_report_detail", submitted.pk)))
    assert "補償の対象" in page and "会員名簿で" not in page  # the group sees the findings, not the guidance
    assert "市内を拠点とする5人以上の団体で、会員名簿があるを確認しました。" in page


def test_an_exclusion_makes_it_not_covered_and_is_highlighted(client, submitted, insurance):
    c = login(client, insurance)
    c.post(url("insurance_report_judge", submitted.pk), judgment_post(submitted, illness=True))
    submitted.refresh_from_db()
    assert submitted.status == ReportStatus.NOT_COVERED
    page = text(c.get(url("insurance_report_detail", submitted.pk)))
    assert "補償の対象外" in page
    row = page.split('class="unfavourable"')[1].split("</tr>")[0]
    assert "病気（熱中症・心疾患など、けがによらないもの）" in row and "×" in row and "該当する" in row
    assert page.count('class="unfavourable"') == 1


def test_judgment_without_a_reason_is_refused_field_by_field(client, submitted, insurance):
    data = judgment_post(submitted)
    condition = submitted.policy.conditions.get(code="unpaid")
    data[f"reason_{condition.pk}"] = ""
    del data[f"holds_{submitted.policy.conditions.get(code='own_vehicle').pk}"]
    before = counts(), state(submitted)
    response = login(client, insurance).post(url("insurance_report_judge", submitted.pk), data)
    assert response.status_code == 200 and (counts(), state(submitted)) == before
    page = text(response)
    assert "「無償の活動である（実費の交通費は可）」の理由: このフィールドは必須です。" in page
    assert "自動車・バイクなど自ら運転する車両による事故: どちらかを選んでください。" in page


def test_the_insurance_user_who_entered_a_paper_report_cannot_judge_it(client, association, insurance, policy,
                                                                       media):
    report = builders.draft_report(insurance, association)
    services.submit_report(actor=insurance, report_id=report.pk)
    c = login(client, insurance)
    page = text(c.get(url("insurance_report_detail", report.pk)))
    assert "判定を記録する" not in page and "別の保険担当が判定します。" in page
    response = c.post(url("insurance_report_judge", report.pk), judgment_post(report))
    assert messages_of(response) == ["自分で入力した事故報告書は判定できません。別の保険担当が判定してください。"]
    assert Judgment.objects.count() == 0


def test_a_second_judgment_is_refused_and_the_form_is_not_offered_again(client, covered, insurance2):
    c = login(client, insurance2)
    before = counts()
    response = c.post(url("insurance_report_judge", covered.pk), judgment_post(covered))
    assert messages_of(response) == ["判定できるのは提出済み（判定待ち）の事故報告書だけです。"]
    assert counts() == before and 'id="judgment-form"' not in text(response)


def test_head_cannot_judge(head_client, submitted):
    before = counts(), state(submitted)
    response = head_client.post(url("insurance_report_judge", submitted.pk), judgment_post(submitted))
    assert messages_of(response) == ["この操作は保険担当のみが行えます。"]
    assert (counts(), state(submitted)) == before


# -- 請求書類の送付 --------------------------------------------------------------------------------------------

def test_insurance_sends_claim_forms_per_harmed_person(client, association, association_head, insurance, policy,
                                                       media):
    report = builders.covered_report(association_head, insurance, association,
                                     persons={"山田 太郎": "injury", "目撃者 次郎": "none"})
    c = login(client, insurance)
    page = text(c.get(url("insurance_report_detail", report.pk)))
    assert "山田 太郎さんに請求書類を送付" in page and "目撃者 次郎さんに" not in page
    person = report.persons.get(harm="injury")
    response = c.post(url("insurance_report_send_forms", report.pk), {"person": person.pk})
    claim = Claim.objects.get()
    assert response.status_code == 302 and (claim.person, claim.kind) == (person, "injury")
    page = c.get(response.url)
    assert messages_of(page) == [f"請求書類の送付を記録しました（請求 {claim.number}）。"]
    assert "山田 太郎さんに請求書類を送付" not in text(page) and url("insurance_claim_detail", claim.pk) in text(page)
    assert "請求書類を送付" not in text(login(client, association_head).get(url("insurance_report_detail",
                                                                             report.pk)))


def test_claim_forms_for_a_person_of_another_report_are_refused(client, covered, association, association_head,
                                                                insurance):
    other = builders.covered_report(association_head, insurance, association)
    before = counts()
    response = login(client, insurance).post(url("insurance_report_send_forms", covered.pk),
                                             {"person": other.persons.get().pk})
    assert messages_of(response) == ["関係者: この事故報告書の関係者を選んでください。"]
    assert counts() == before


# -- 保険金請求の画面 ------------------------------------------------------------------------------------------

def test_claim_page_shows_person_dates_and_what_is_missing(head_client, open_claim):
    page = text(head_client.get(url("insurance_claim_detail", open_claim.pk)))
    report = open_claim.report
    for expected in (open_claim.number, "請求書類送付済（請求待ち）", "山田 太郎", "山口市亀山町2-1", "傷害保険金",
                     wareki(claims.claim_open_date(open_claim)), wareki(claims.claim_limit_date(open_claim)),
                     "書類「保険金請求書」を登録してください。", "治療の記録を保存する", report.number):
        assert expected in page
    assert "保険会社への送付を記録する" not in page and "PDFをダウンロード" not in page


def test_treatment_with_ranges_is_saved_and_the_amount_previewed(head_client, open_claim):
    accident = open_claim.report.accident_date
    text_days = f"{iso(accident)}〜{iso(accident + dt.timedelta(days=2))}\n\n{iso(accident + dt.timedelta(days=4))}\n"
    response = head_client.post(url("insurance_claim_treatment", open_claim.pk), {
        "state": "recovered", "recovered_on": iso(accident + dt.timedelta(days=4)), "outpatient": text_days,
        "surgeries_inpatient": 0, "surgeries_outpatient": 0})
    assert response.status_code == 302, messages_of(response)
    open_claim.refresh_from_db()
    assert [v.day for v in open_claim.outpatient.all()] == [accident + dt.timedelta(days=i) for i in (0, 1, 2, 4)]
    assert (open_claim.in_treatment, open_claim.recovered_on) == (False, accident + dt.timedelta(days=4))
    page = text(head_client.get(url("insurance_claim_detail", open_claim.pk)))
    # 通院 4日 × 2,000円 (the policy's outpatient day); the form shows each day again in its own date box.
    assert '<td class="num" id="amount-total">8,000円</td>' in page
    assert re.findall(r'type="date" name="outpatient" id="treatment-outpatient_\d+" value="([^"]+)"', page) == [
        iso(accident + dt.timedelta(days=i)) for i in (0, 1, 2, 4)]


def test_treatment_errors_name_the_line_and_the_row(head_client, open_claim):
    accident = open_claim.report.accident_date
    before = counts()
    response = head_client.post(url("insurance_claim_treatment", open_claim.pk), {
        "state": "in_treatment", "outpatient": f"{iso(accident)}\n5月3日\n",
        "inpatient_2_first": iso(accident + dt.timedelta(days=3)), "inpatient_2_last": iso(accident),
        "surgeries_inpatient": 0, "surgeries_outpatient": 0})
    assert response.status_code == 200 and counts() == before
    page = text(response)
    assert "通院日: 2行目: 「5月3日」を日付として読めません。2026-05-01 の形で入力してください。" in page
    assert "入院期間（2行目）の退院日</a>: 退院日が入院日より前です。" in page  # the summary links to the row's input
    assert 'id="treatment-inpatient_2_last_error">退院日が入院日より前です。' in page
    assert 'aria-describedby="treatment-outpatient_helptext treatment-outpatient_error"' in page


def test_treatment_refused_by_the_service_keeps_the_input(head_client, open_claim):
    # A day before the accident is now named by the form, line by line (test_form_errors); the service still
    # refuses a recovery day before the last visit.
    accident = open_claim.report.accident_date
    visit = accident + dt.timedelta(days=1)
    response = head_client.post(url("insurance_claim_treatment", open_claim.pk), {
        "state": "recovered", "recovered_on": iso(accident), "outpatient": iso(visit), "surgeries_inpatient": 0,
        "surgeries_outpatient": 0})
    assert messages_of(response) == [f"治療を終えた日: 最後の入院・通院の日（{wareki(visit)}）より前です。"]
    assert iso(visit) in text(response) and open_claim.outpatient.count() == 0


def test_recovered_without_a_day_is_a_field_error(head_client, open_claim):
    response = head_client.post(url("insurance_claim_treatment", open_claim.pk), {
        "state": "recovered", "outpatient": "", "surgeries_inpatient": 0, "surgeries_outpatient": 0})
    assert "治療を終えた日: 治療を終えた日を入力するか、「治療中」を選んでください。" in text(response)


def test_claim_documents_upload_and_download_is_logged(head_client, open_claim):
    response = head_client.post(url("insurance_claim_add_document", open_claim.pk), {
        "kind": "receipt", "title": "整形外科の領収書", "amount": "12340", "file": builders.pdf()})
    assert response.status_code == 302
    document = open_claim.documents.get()
    assert (document.kind, document.amount) == ("receipt", 12_340)
    page = text(head_client.get(url("insurance_claim_detail", open_claim.pk)))
    assert "12,340円" in page
    before = PersonalDataAccess.objects.count()
    download = head_client.get(url("insurance_claim_document", open_claim.pk, document.pk))
    assert download.status_code == 200 and download["Content-Disposition"].startswith("attachment;")
    assert PersonalDataAccess.objects.count() == before + 1
    assert accesses(kind="claim_document") == [
        ("head", "claim_document", open_claim.pk, f"請求 {open_claim.number}：領収書（治療費・通院交通費など）（書類番号 {document.pk}）")]


def test_claim_document_amount_must_be_whole_yen(head_client, open_claim):
    response = head_client.post(url("insurance_claim_add_document", open_claim.pk), {
        "kind": "receipt", "title": "領収書", "amount": "1,000.5", "file": builders.pdf()})
    assert "金額（円）: 半角数字（円単位の整数）で入力してください。" in text(response)
    assert open_claim.documents.count() == 0


def test_filing_too_early_is_refused_with_the_reason(head_client, open_claim):
    response = head_client.post(url("insurance_claim_file", open_claim.pk))
    assert response.status_code == 302
    assert messages_of(head_client.get(response.url))[0].startswith("請求できません。請求は治療を終えた後")
    open_claim.refresh_from_db()
    assert open_claim.status == ClaimStatus.FORMS_SENT


def test_liability_claim_records_damages(client, association, association_head, insurance, policy, media):
    report = builders.covered_report(association_head, insurance, association, kind_injury=False,
                                     kind_liability_property=True, persons={"佐藤 花子": "property"})
    claim = claims.send_claim_forms(actor=insurance, report_id=report.pk, person_id=report.persons.get().pk)
    c = login(client, association_head)
    page = text(c.get(url("insurance_claim_detail", claim.pk)))
    assert "損害額を保存する" in page and "治療の記録を保存する" not in page and "被害者" in page
    assert c.post(url("insurance_claim_damages", claim.pk), {"damages": "0"}).status_code == 200
    response = c.post(url("insurance_claim_damages", claim.pk), {"damages": "80000"})
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.damages == 80_000
    page = text(c.get(url("insurance_claim_detail", claim.pk)))
    # 財物賠償 80,000円 less the deductible of 5,000円 per accident.
    assert '<td class="num" id="amount-total">75,000円</td>' in page and "免責金額" in page


def test_forward_payment_and_the_kept_amount(client, association, association_head, insurance, policy, media):
    claim = builders.filed_claim(association_head, insurance, association, outpatient_days=5)
    c = login(client, insurance)
    page = text(c.get(url("insurance_claim_detail", claim.pk)))
    assert "保険会社への送付を記録する" in page and "請求を受け付けたとき" in page
    response = c.post(url("insurance_claim_forward", claim.pk), {"insurer_reference": "A-123"})
    assert messages_of(c.get(response.url)) == ["保険会社への送付を記録しました。"]
    claim.refresh_from_db()
    assert (claim.status, claim.insurer_reference) == (ClaimStatus.FORWARDED, "A-123")
    response = c.post(url("insurance_claim_payment", claim.pk), {"paid_on": iso(builders.today()), "amount": "9000"})
    assert messages_of(response)[0].startswith("備考: 支払額が算定額（10,000円）と異なります。")
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.FORWARDED
    response = c.post(url("insurance_claim_payment", claim.pk), {"paid_on": iso(builders.today()), "amount": "10000"})
    assert response.status_code == 302
    claim.refresh_from_db()
    assert (claim.status, claim.paid_amount) == (ClaimStatus.PAID, 10_000)
    assert '<dd id="paid-amount">10,000円</dd>' in text(c.get(url("insurance_claim_detail", claim.pk)))


def test_denial_needs_a_reason(client, association, association_head, insurance, policy, media):
    claim = builders.filed_claim(association_head, insurance, association, outpatient_days=3)
    claims.forward_claim(actor=insurance, claim_id=claim.pk)
    c = login(client, insurance)
    response = c.post(url("insurance_claim_denial", claim.pk), {"answered_on": iso(builders.today()), "reason": ""})
    assert "不支払の理由: このフィールドは必須です。" in text(response)
    response = c.post(url("insurance_claim_denial", claim.pk),
                      {"answered_on": iso(builders.today()), "reason": "既往症によるものと判断されました。"})
    assert response.status_code == 302
    claim.refresh_from_db()
    assert (claim.status, claim.denial_reason) == (ClaimStatus.DENIED, "既往症によるものと判断されました。")


def test_head_cannot_forward_or_record_payment(head_client, association, association_head, insurance, policy,
                                               media):
    claim = builders.filed_claim(association_head, insurance, association, outpatient_days=3)
    before = counts(), state(claim)
    response = head_client.post(url("insurance_claim_forward", claim.pk), {"insurer_reference": "X"})
    assert messages_of(response) == ["この操作は保険担当のみが行えます。"]
    head_client.post(url("insurance_claim_payment", claim.pk), {"paid_on": iso(builders.today()), "amount": "6000"})
    assert (counts(), state(claim)) == before


def test_treatment_after_filing_is_refused_and_the_form_is_not_offered_again(head_client, association,
                                                                           association_head, insurance, policy,
                                                                           media):
    claim = builders.filed_claim(association_head, insurance, association, outpatient_days=3)
    before = counts()
    response = head_client.post(url("insurance_claim_treatment", claim.pk), {
        "state": "in_treatment", "outpatient": "", "surgeries_inpatient": 0, "surgeries_outpatient": 0})
    assert messages_of(response) == ["請求の後は治療の記録を変更できません。"]
    assert counts() == before and 'id="treatment-form"' not in text(response)
    assert 'id="treatment"' in text(response)  # the recorded treatment is shown instead


def test_head_withdraws_a_claim(head_client, open_claim):
    response = head_client.post(url("insurance_claim_withdraw", open_claim.pk), {"reason": "通院しませんでした。"})
    assert response.status_code == 302
    open_claim.refresh_from_db()
    assert (open_claim.status, open_claim.withdrawn_reason) == (ClaimStatus.WITHDRAWN, "通院しませんでした。")


def test_claim_history_lists_only_this_claims_rows(client, association, association_head, insurance, policy,
                                                   media):
    report = builders.covered_report(association_head, insurance, association,
                                     persons={"山田 太郎": "injury", "田中 三郎": "injury"})
    first, second = [claims.send_claim_forms(actor=insurance, report_id=report.pk, person_id=p.pk)
                     for p in report.persons.order_by("pk")]
    page = text(login(client, insurance).get(url("insurance_claim_detail", second.pk)))
    history = page.split('id="history"')[1]
    assert f"請求 {second.number}" in history and f"請求 {first.number}（" not in history


# -- 送付書類（PDF・Excel） ------------------------------------------------------------------------------------

def test_insurance_downloads_the_document_set_and_each_is_logged(client, association, association_head, insurance,
                                                                 policy, media):
    claim = builders.filed_claim(association_head, insurance, association, outpatient_days=3)
    c = login(client, insurance)
    assert "PDFをダウンロード" in text(c.get(url("insurance_claim_detail", claim.pk)))
    pdf = c.get(url("insurance_claim_documents_pdf", claim.pk))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert pdf["Content-Disposition"].startswith("attachment;")
    xlsx = c.get(url("insurance_claim_documents_xlsx", claim.pk))
    assert xlsx.status_code == 200 and xlsx.content.startswith(b"PK")
    assert xlsx["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert accesses(kind__startswith="document_set") == [
        ("hoken", "document_set_pdf", claim.pk, f"請求 {claim.number}"),
        ("hoken", "document_set_xlsx", claim.pk, f"請求 {claim.number}")]


def test_head_may_not_download_the_document_set(head_client, association, association_head, insurance, policy,
                                                media):
    claim = builders.filed_claim(association_head, insurance, association, outpatient_days=3)
    before = PersonalDataAccess.objects.count()
    assert head_client.get(url("insurance_claim_documents_pdf", claim.pk)).status_code == 403
    assert head_client.get(url("insurance_claim_documents_xlsx", claim.pk)).status_code == 403
    assert PersonalDataAccess.objects.count() == before


# -- 督促・照会 ------------------------------------------------------------------------------------------------

@pytest.fixture
def reminder_due(association, association_head, insurance, policy, media):  # type: ignore[no-untyped-def]
    """A claim whose forms went out for an accident 250 days ago, still in treatment: it could be filed from day
    180 and a reminder is due 30 days (the policy's interval) after that."""
    report = builders.covered_report(association_head, insurance, association, accident_date=builders.days_ago(250),
                                     delay_reason="報告が遅れました。")
    return claims.send_claim_forms(actor=insurance, report_id=report.pk, person_id=report.persons.get().pk)


def test_reminders_page_lists_the_due_reminder_with_its_text(client, reminder_due, insurance):
    page = text(login(client, insurance).get(url("insurance_reminders")))
    assert reminder_due.number in page and "保険金請求のご案内（督促）" in page
    assert "まだ届いていません" in page and "送付を記録" in page
    assert "山田 太郎" not in page


def test_a_double_post_records_the_reminder_once(client, reminder_due, insurance):
    c = login(client, insurance)
    data = {"claim": reminder_due.pk, "kind": "claim_due"}
    first = c.post(url("insurance_reminder_send"), data)
    second = c.post(url("insurance_reminder_send"), data)
    assert first.status_code == second.status_code == 302
    assert Reminder.objects.count() == 1
    assert messages_of(c.get(url("insurance_reminders"))) == [
        f"保険金請求のご案内（督促）の送付を記録しました（請求 {reminder_due.number}）。",
        "この請求には、いま送る督促・照会はありません。"]


def test_reminder_received_is_on_the_groups_home_and_claim_page(client, reminder_due, insurance, association_head):
    login(client, insurance).post(url("insurance_reminder_send"), {"claim": reminder_due.pk, "kind": "claim_due"})
    c = login(client, association_head)
    home = text(c.get(url("home")))
    assert "市から保険金請求のご案内（督促）が届いています。" in home and reminder_due.number in home
    assert "まだ届いていません" in text(c.get(url("insurance_claim_detail", reminder_due.pk)))


@pytest.mark.parametrize("role", ["association_head", *GRANT_ROLES])
def test_reminders_are_for_the_insurance_staff_only(client, role, request, reminder_due):
    c = login(client, request.getfixturevalue(role))
    assert c.get(url("insurance_reminders")).status_code == 403
    assert c.post(url("insurance_reminder_send"), {"claim": reminder_due.pk, "kind": "claim_due"}).status_code == 403
    assert Reminder.objects.count() == 0


def test_reminder_for_a_missing_claim_is_404(client, insurance, policy):
    response = login(client, insurance).post(url("insurance_reminder_send"), {"claim": 999, "kind": "claim_due"})
    assert response.status_code == 404


# -- 閲覧記録 ------------------------------------------------------------------------------------------------------

def test_access_log_lists_who_saw_what_without_personal_data(client, submitted, insurance, auditor,
                                                             association_head):
    login(client, association_head).get(url("insurance_report_detail", submitted.pk))
    login(client, insurance).get(url("insurance_report_detail", submitted.pk))
    page = text(login(client, auditor).get(url("insurance_access_log")))
    assert page.count(submitted.number) == 2 and "事故報告書の画面" in page
    assert "head" in page and "hoken" in page
    assert "山田 太郎" not in page and "山口市亀山町" not in page and "083-000-0000" not in page
    only_head = text(client.get(url("insurance_access_log"), {"user": association_head.pk}))
    assert only_head.count(submitted.number) == 1


def test_access_log_filters_by_dates(client, submitted, insurance):
    c = login(client, insurance)
    c.get(url("insurance_report_detail", submitted.pk))
    today = builders.today()
    assert submitted.number in text(c.get(url("insurance_access_log"), {"date_from": iso(today), "date_to": iso(today)}))
    tomorrow = today + dt.timedelta(days=1)
    assert submitted.number not in text(c.get(url("insurance_access_log"), {"date_from": iso(tomorrow)}))
    response = c.get(url("insurance_access_log"), {"date_from": iso(today), "date_to": iso(today - dt.timedelta(1))})
    assert "期間（まで）: 期間の終わりが始まりより前です。" in text(response)


def test_access_log_is_paginated(client, submitted, insurance):
    c = login(client, insurance)
    for _ in range(51):
        services.log_access(insurance, submitted, "report_page")
    first = text(c.get(url("insurance_access_log")))
    assert "1ページ目（全2ページ）" in first and "page=2" in first
    second = text(c.get(url("insurance_access_log"), {"page": 2}))
    assert second.count(f"<td>{submitted.number}</td>") == 1


@pytest.mark.parametrize("role", ["association_head", "staff", "approver", "finance"])
def test_access_log_is_refused_to_other_roles(client, role, request, policy):
    assert login(client, request.getfixturevalue(role)).get(url("insurance_access_log")).status_code == 403


# -- 統計 ----------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("role", ["insurance", "auditor", "staff", "approver"])
def test_statistics_show_counts_and_sums_only(client, role, request, association, association_head, insurance,
                                              policy, media):
    claim = builders.filed_claim(association_head, insurance, association, outpatient_days=4)
    late = builders.draft_report(association_head, association, accident_date=builders.days_ago(40))
    services.submit_report(actor=association_head, report_id=late.pk, delay_reason="遅れました。")
    page = text(login(client, request.getfixturevalue(role)).get(url("insurance_statistics")))
    row = page.split('id="report-counts"')[1].split(f"{fiscal_year_label(CURRENT_FY)}</th>")[1].split("</tr>")[0]
    # 作成中 0, 提出済 1, 差戻し 0, 補償の対象 1, 対象外 0, 取下げ 0, total 2, late 1 (the filed claim's report was
    # on time: its accident is 6 days ago).
    assert [int(n) for n in row.replace("</td>", "").split('<td class="num">')[1:]] == [0, 1, 0, 1, 0, 0, 2, 1]
    assert f"{claim.computed_amount:,}円" in page
    assert association.name not in page and "山田 太郎" not in page and claim.number not in page


@pytest.mark.parametrize("role", ["association_head", "finance"])
def test_statistics_are_refused_to_the_group_and_finance(client, role, request, policy):
    assert login(client, request.getfixturevalue(role)).get(url("insurance_statistics")).status_code == 403


# -- ホーム・メニュー ---------------------------------------------------------------------------------------------

def test_home_box_for_insurance_counts_the_waiting_work(client, submitted, reminder_due, insurance2):
    claim = reminder_due
    assert claim.status == ClaimStatus.FORMS_SENT
    page = text(login(client, insurance2).get(url("home")))
    assert "判定を待っている事故報告書（あなたが判定できるもの）</a>：1件" in page
    assert "判定を待っている事故報告書（あなたが入力したため、別の保険担当が判定するもの）</a>：0件" in page
    assert "保険会社への送付を待っている請求</a>：0件" in page
    assert "送付の時期を迎えた督促・照会</a>：1件" in page
    assert f'{url("insurance_report_list")}?status=submitted' in page and url("insurance_reminders") in page
    assert "あなたが登録されている団体の申請はありません" not in page


def test_home_box_does_not_offer_a_report_to_the_one_who_entered_it(client, insurance, insurance2, association,
                                                                     policy, media):
    """A paper report entered by one 保険担当 is counted for the other to judge, not for its author."""
    report = builders.draft_report(insurance, association)
    services.submit_report(actor=insurance, report_id=report.pk)
    author = text(login(client, insurance).get(url("home")))
    assert "判定を待っている事故報告書（あなたが判定できるもの）</a>：0件" in author
    assert "判定を待っている事故報告書（あなたが入力したため、別の保険担当が判定するもの）</a>：1件" in author
    other = text(login(client, insurance2).get(url("home")))
    assert "判定を待っている事故報告書（あなたが判定できるもの）</a>：1件" in other


def test_home_box_for_the_group_lists_open_reports_and_claims_without_names(head_client, submitted, open_claim):
    page = text(head_client.get(url("home")))
    assert url("insurance_report_detail", submitted.pk) in page and url("insurance_claim_detail", open_claim.pk) in page
    assert "山田 太郎" not in page


def test_home_has_no_insurance_box_for_grant_roles(client, staff, policy):
    assert "コミュニティ活動保険" not in text(login(client, staff).get(url("home")))


@pytest.mark.parametrize("role,insurance_link,log_link", [
    ("insurance", True, True), ("association_head", True, False), ("auditor", False, True),
    ("staff", False, False), ("finance", False, False)])
def test_navigation_links_by_role(client, request, role, insurance_link, log_link, policy):
    page = text(login(client, request.getfixturevalue(role)).get(url("home")))
    assert (f'href="{url("insurance_report_list")}">コミュニティ活動保険' in page) is insurance_link
    assert (f'href="{url("insurance_access_log")}">閲覧記録' in page) is log_link


# -- 管理画面 ------------------------------------------------------------------------------------------------------

def test_admin_adds_the_standard_conditions_and_does_not_list_personal_data(client, policy):
    root = factories.UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(root)
    bare = builders.policy(fiscal_year=CURRENT_FY - 1, period_start=dt.date(2000, 4, 1),
                           period_end=dt.date(2001, 3, 31))
    PolicyCondition.objects.filter(policy=bare).delete()
    changelist = reverse("admin:insurance_insurancepolicy_changelist")
    response = client.post(changelist, {"action": "add_standard_conditions_action", "_selected_action": [bare.pk]})
    assert response.status_code == 302
    assert bare.conditions.count() == 9
    page = text(client.get(reverse("admin:insurance_insurancepolicy_change", args=[policy.pk])))
    assert "判定項目" in page and "督促の間隔" in page
    registered = {model for model in admin.site._registry if model._meta.app_label == "insurance"}
    assert registered == {InsurancePolicy}


# -- 通院日の読み取り ------------------------------------------------------------------------------------------

def test_outpatient_days_read_days_ranges_full_width_and_blank_lines():
    text_days = "2026-05-01\n\n  2026-05-03〜2026-05-05 \n２０２６－０５－０４\n2026-05-10 ~ 2026-05-11\n2026-5-2"
    assert parse_outpatient_days(text_days) == [dt.date(2026, 5, d) for d in (1, 2, 3, 4, 5, 10, 11)]
    assert parse_outpatient_days("") == []
    assert parse_outpatient_days("2026-12-31〜2027-01-02") == [dt.date(2026, 12, 31), dt.date(2027, 1, 1),
                                                             dt.date(2027, 1, 2)]


def test_outpatient_days_errors_name_every_wrong_line():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        parse_outpatient_days("2026-05-01\n令和8年5月2日\n2026-02-30\n2026-05-10〜2026-05-01\n2026-05-01〜02〜03")
    assert error.value.messages == [
        "2行目: 「令和8年5月2日」を日付として読めません。2026-05-01 の形で入力してください。",
        "3行目: 「2026-02-30」という日はありません。",
        "4行目: 期間の終わりが始まりより前です。",
        "5行目: 期間は「始まり〜終わり」の形で1つだけ書いてください。",
    ]


def test_outpatient_days_refuse_a_range_longer_than_any_claim():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        parse_outpatient_days("2020-01-01〜2026-01-01")
    assert error.value.messages == ["1行目: 期間が長すぎます（1000日まで）。"]


def test_format_days_writes_runs_as_ranges_and_reads_back():
    days = [dt.date(2026, 5, 1), dt.date(2026, 5, 2), dt.date(2026, 5, 3), dt.date(2026, 5, 7)]
    assert format_days(days) == "2026-05-01〜2026-05-03\n2026-05-07"
    assert parse_outpatient_days(format_days(days)) == days
    assert format_days([]) == ""


# -- 通しの流れ ----------------------------------------------------------------------------------------------------

def test_full_flow_through_the_pages(client, association, association_head, insurance, insurance2, policy, media):
    """The group reports late with its reason, a second 保険担当 judges, forms go out, the group records the
    treatment and documents and files, the city forwards and records the payment — all by the pages' POSTs."""
    c = login(client, association_head)
    accident = builders.days_ago(25)
    response = c.post(url("insurance_report_create"), report_post(association, accident_date=accident))
    report = AccidentReport.objects.get()
    assert response.url == url("insurance_report_detail", report.pk)
    assert c.post(url("insurance_report_add_person", report.pk), person_post()).status_code == 302
    for kind in ("bylaws", "member_list", "annual_plan", "participant_list"):
        response = c.post(url("insurance_report_add_attachment", report.pk),
                          {"kind": kind, "title": f"{kind}の書類", "file": builders.pdf()})
        assert response.status_code == 302
    response = c.post(url("insurance_report_submit", report.pk), {"delay_reason": "役員の交代で報告が遅れました。"})
    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.status, report.is_late) == (ReportStatus.SUBMITTED, True)

    c = login(client, insurance2)
    assert c.post(url("insurance_report_judge", report.pk), judgment_post(report)).status_code == 302
    person = report.persons.get()
    assert c.post(url("insurance_report_send_forms", report.pk), {"person": person.pk}).status_code == 302
    claim = Claim.objects.get()

    c = login(client, association_head)
    response = c.post(url("insurance_claim_treatment", claim.pk), {
        "state": "recovered", "recovered_on": iso(accident + dt.timedelta(days=9)),
        "inpatient_1_first": iso(accident), "inpatient_1_last": iso(accident + dt.timedelta(days=1)),
        "outpatient": f"{iso(accident + dt.timedelta(days=3))}〜{iso(accident + dt.timedelta(days=9))}",
        "surgeries_inpatient": 1, "surgeries_outpatient": 0})
    assert response.status_code == 302, messages_of(response)
    for kind, title in ((ClaimDocumentKind.CLAIM_FORM, "保険金請求書"), (ClaimDocumentKind.MEDICAL, "通院証明書")):
        response = c.post(url("insurance_claim_add_document", claim.pk),
                          {"kind": kind, "title": title, "file": builders.pdf()})
        assert response.status_code == 302
    assert "請求に必要な記録と書類はそろっています。" in text(c.get(url("insurance_claim_detail", claim.pk)))
    assert c.post(url("insurance_claim_file", claim.pk)).status_code == 302
    claim.refresh_from_db()
    # 入院 2日 × 3,000円 + 通院 7日 × 2,000円 + 入院中の手術 3,000円 × 10 = 6,000 + 14,000 + 30,000
    assert (claim.status, claim.computed_amount) == (ClaimStatus.FILED, 50_000)

    c = login(client, insurance)
    assert c.post(url("insurance_claim_forward", claim.pk), {"insurer_reference": "SJ-2026-001"}).status_code == 302
    response = c.post(url("insurance_claim_payment", claim.pk),
                      {"paid_on": iso(builders.today()), "amount": "50000", "note": ""})
    assert response.status_code == 302
    claim.refresh_from_db()
    assert (claim.status, claim.paid_amount, claim.insurer_reference) == (ClaimStatus.PAID, 50_000, "SJ-2026-001")
    page = text(login(client, association_head).get(url("insurance_claim_detail", claim.pk)))
    assert "保険金支払済" in page and "50,000円" in page
    report_page = text(client.get(url("insurance_report_detail", report.pk)))
    for label in ("提出", "補償対象の判定", "請求書類の送付", "治療の記録", "保険金の請求", "保険会社への送付",
                  "保険金の支払の記録"):
        assert f"<td>{label}</td>" in report_page


def test_home_box_counts_covered_reports_waiting_for_claim_forms(client, association, association_head, insurance,
                                                                 insurance2, policy, media):
    """After the judgment, the 保険担当 sees that claim forms are due, and the group keeps the report on ホーム."""
    report = builders.covered_report(association_head, insurance2, association)
    page = text(login(client, insurance).get(url("home")))
    assert "請求書類の送付を待っている事故報告書（補償の対象と判定済み）</a>：1件" in page
    assert url("insurance_report_detail", report.pk) in text(login(client, association_head).get(url("home")))
    claim = claims.send_claim_forms(actor=insurance, report_id=report.pk, person_id=report.persons.get().pk)
    assert "請求書類の送付を待っている事故報告書（補償の対象と判定済み）</a>：0件" in text(
        login(client, insurance).get(url("home")))
    claims.withdraw_claim(actor=insurance, claim_id=claim.pk, reason="ご本人の申出により取り下げます。")
    assert url("insurance_report_detail", report.pk) not in text(login(client, association_head).get(url("home")))


@pytest.mark.parametrize(("role", "shown"), [("insurance", True), ("auditor", True), ("staff", True),
                                             ("approver", True), ("finance", False), ("association_head", False)])
def test_the_menu_offers_the_statistics_to_the_roles_that_may_open_them(client, request, role, shown, policy):
    page = text(login(client, request.getfixturevalue(role)).get(url("home")))
    assert (f'href="{url("insurance_statistics")}">保険の集計</a>' in page) is shown
