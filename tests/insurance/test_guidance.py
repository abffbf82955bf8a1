"""Guidance on the report side: a report created after its 報告期限 says so at once and on its page; the page's
「次の手続」 for every status and role; the attachment form on the 遅延理由書; the 年度 in 和暦 on every insurance
page; when reminders fall due; the group's claims on its home page."""
import datetime as dt
import re

import pytest
from django.urls import reverse

from grants.accounts.models import User
from grants.core.fiscal import fiscal_year_label, wareki
from grants.insurance import claims, reminders, services
from grants.insurance.guidance import late_notice, report_next_step
from grants.insurance.models import AccidentReport, Claim, PersonalDataAccess, ReminderKind, ReportStatus
from tests import factories
from tests.cases.steps import login, messages_of
from tests.insurance import builders
from tests.insurance.pages import report_post, text

pytestmark = pytest.mark.django_db


def url(name: str, *args: object) -> str:
    return reverse(name, args=args)


def next_step(page: str) -> str:
    match = re.search(r'<p id="next-step">(.*?)</p>', page, re.S)
    assert match, "no 次の手続 paragraph"
    return match.group(1)


# -- 期限後の報告 ------------------------------------------------------------------------------------------------

def test_a_report_created_after_its_due_date_says_so_in_the_message_and_on_the_page(client, association,
                                                                                    association_head, policy,
                                                                                    media):
    c = login(client, association_head)
    response = c.post(url("insurance_report_create"),
                      report_post(association, accident_date=builders.days_ago(25)))
    report = AccidentReport.objects.get()
    notice = (f"報告期限（{wareki(report.due_date)}）を過ぎています。"
              "提出の際に、期限を過ぎた理由（遅延理由書）を入力してください。")
    page = c.get(response.url)
    assert messages_of(page) == [f"事故報告書（受付番号 {report.number}）を作成しました。"
                                 f"関係者と添付書類を登録して提出してください。{notice}"]
    assert next_step(text(page)) == "関係者と添付書類を登録し、下の「事故報告書を提出する」を押してください。" + notice
    again = c.get(response.url)  # the message was shown once; the page keeps saying it
    assert messages_of(again) == [] and next_step(text(again)).endswith(notice)


def test_a_report_moved_past_its_due_date_by_an_edit_says_so(client, association, association_head, policy,
                                                             media):
    report = builders.draft_report(association_head, association)
    c = login(client, association_head)
    response = c.post(url("insurance_report_edit", report.pk), report_post(accident_date=builders.days_ago(40)))
    report.refresh_from_db()
    assert messages_of(c.get(response.url)) == ["事故報告書を修正しました。" + late_notice(report.due_date)]


def test_an_on_time_report_gives_its_due_date_and_who_judges(client, association, association_head, policy,
                                                            media):
    report = builders.draft_report(association_head, association)
    page = text(login(client, association_head).get(url("insurance_report_detail", report.pk)))
    assert next_step(page) == ("関係者と添付書類を登録し、下の「事故報告書を提出する」を押してください。"
                               f"報告期限は{wareki(report.due_date)}です。"
                               "提出すると、市の保険担当が補償の対象かどうかを判定します。")
    assert "遅延理由書" not in next_step(page)


def test_the_attachment_form_says_a_typed_delay_reason_needs_no_document(client, association, association_head,
                                                                         policy, media):
    report = builders.draft_report(association_head, association)
    page = text(login(client, association_head).get(url("insurance_report_detail", report.pk)))
    assert ('id="attachment-kind_helptext">「遅延理由書」は、提出のときに期限を過ぎた理由を入力すれば、'
            "書類として添付しなくてもかまいません（書面で用意したときは添付できます）。</span>") in page
    assert 'aria-describedby="attachment-kind_helptext"' in page


# -- 次の手続 ----------------------------------------------------------------------------------------------------

def _report_in(status: str, head: User, insurance: User, judge: User, organization) -> AccidentReport:  # type: ignore[no-untyped-def]
    """A report of the group in ``status`` (``judge``: another 保険担当, for the judgment)."""
    report = builders.draft_report(head, organization)
    if status == ReportStatus.DRAFT:
        return report
    if status == ReportStatus.WITHDRAWN:
        return services.withdraw_report(actor=head, report_id=report.pk, reason="重複して作成しました。")
    services.submit_report(actor=head, report_id=report.pk)
    if status == ReportStatus.RETURNED:
        services.return_report(actor=insurance, report_id=report.pk, note="参加者名簿を添付してください。")
    elif status in (ReportStatus.COVERED, ReportStatus.NOT_COVERED):
        findings = builders.all_hold(report, illness=status == ReportStatus.NOT_COVERED)
        services.judge_report(actor=judge, report_id=report.pk, findings=findings)
    report.refresh_from_db()
    assert report.status == status
    return report


HEAD_STEPS = {
    ReportStatus.DRAFT: "下の「事故報告書を提出する」を押してください。",
    ReportStatus.SUBMITTED: "市の保険担当が補償の対象かどうかを判定し、結果をこの画面でお知らせします。",
    ReportStatus.RETURNED: "「差戻しの理由」を確認して内容を直し、もう一度提出してください。",
    ReportStatus.COVERED: "市の保険担当が、けが・損害のある方ごとに請求書類をお送りします。",
    ReportStatus.NOT_COVERED: "理由は下の「補償対象の判定」をご覧ください。この事故報告書の手続は終わりです。",
    ReportStatus.WITHDRAWN: "取り下げられた事故報告書です。手続は終わりです。",
}
INSURANCE_STEPS = {
    ReportStatus.DRAFT: "団体が作成中です。団体が提出すると、補償の対象かどうかを判定できるようになります。",
    ReportStatus.SUBMITTED: "補償の対象かどうかを、下の「補償対象の判定」で判定してください。",
    ReportStatus.RETURNED: "団体が内容を直して、もう一度提出するのを待っています。",
    ReportStatus.COVERED: "けが・損害のある方（あと1人）に請求書類を送付し、下の「請求書類を送付」で記録してください。",
    ReportStatus.NOT_COVERED: "補償の対象外と判定しました。団体はこの画面で判定の結果と理由を確認できます。",
    ReportStatus.WITHDRAWN: "取り下げられた事故報告書です。手続は終わりです。",
}


@pytest.mark.parametrize("status", ReportStatus.values)
def test_the_page_says_what_happens_next_for_every_status_and_role(client, association, association_head,
                                                                   insurance, insurance2, policy, media, status):
    report = _report_in(status, association_head, insurance, insurance2, association)
    for user, expected in ((association_head, HEAD_STEPS), (insurance2, INSURANCE_STEPS)):
        client.logout()
        page = text(login(client, user).get(url("insurance_report_detail", report.pk)))
        assert '<h2 id="next-step-heading">次の手続</h2>' in page
        assert expected[status] in next_step(page), (user, status)


def test_a_covered_report_with_every_form_sent_sends_the_insurance_staff_to_the_claims(association,
                                                                                      association_head,
                                                                                      insurance, policy, media):
    report = builders.covered_report(association_head, insurance, association)
    claims.send_claim_forms(actor=insurance, report_id=report.pk, person_id=report.persons.get().pk)
    assert report_next_step(insurance, report, today=builders.today(), unsent=0) == (
        "補償の対象です。請求書類はすべて送付済みです。その後の手続（請求の受付、保険会社への送付、回答の記録）は、"
        "請求ごとの画面で進めます。")
    assert f"事故の日から{policy.claim_after_days}日を過ぎてから" in report_next_step(
        association_head, report, today=builders.today())


def test_a_paper_report_tells_the_one_who_entered_it_that_another_judges(client, association, insurance,
                                                                         insurance2, policy, media):
    report = builders.draft_report(insurance, association)
    c = login(client, insurance)
    assert next_step(text(c.get(url("insurance_report_detail", report.pk)))).endswith(
        "提出すると、別の保険担当が補償の対象かどうかを判定します。")
    services.submit_report(actor=insurance, report_id=report.pk)
    assert next_step(text(c.get(url("insurance_report_detail", report.pk)))) == (
        "あなたが入力した事故報告書のため、別の保険担当が補償の対象かどうかを判定します。")
    client.logout()
    assert "補償対象の判定」で判定してください" in next_step(
        text(login(client, insurance2).get(url("insurance_report_detail", report.pk))))


def test_the_insurance_staff_see_a_late_draft_noted(association, association_head, insurance, policy, media):
    report = builders.draft_report(association_head, association, accident_date=builders.days_ago(30))
    assert report_next_step(insurance, report, today=builders.today()) == (
        "団体が作成中です。団体が提出すると、補償の対象かどうかを判定できるようになります。"
        "（報告期限を過ぎています。提出の際に遅延理由書が必要です。）")


# -- 年度は和暦で ----------------------------------------------------------------------------------------------

WESTERN_FISCAL_YEAR = re.compile(r"(?<![0-9])[0-9]{4}年度")


def test_the_policys_fiscal_year_is_shown_in_wareki_on_the_insurance_pages(client, association, association_head,
                                                                          insurance, policy, media):
    claim = builders.filed_claim(association_head, insurance, association, outpatient_days=3)
    report = claim.report
    label = fiscal_year_label(policy.fiscal_year)
    c = login(client, insurance)
    page = text(c.get(url("insurance_report_detail", report.pk)))
    assert f"<dt>保険契約</dt><dd>{policy}（{label}）</dd>" in page
    for name, args in (("insurance_report_detail", [report.pk]), ("insurance_claim_detail", [claim.pk]),
                       ("insurance_report_list", []), ("insurance_claim_list", []), ("insurance_reminders", []),
                       ("insurance_statistics", []), ("insurance_access_log", [])):
        page = text(c.get(url(name, *args)))
        assert not WESTERN_FISCAL_YEAR.search(page), (name, WESTERN_FISCAL_YEAR.search(page))
    assert label in text(c.get(url("insurance_report_list")))  # the 年度 filter


def test_the_admin_lists_policies_by_their_wareki_fiscal_year(client, policy):
    client.force_login(factories.UserFactory(username="root", is_staff=True, is_superuser=True))
    page = text(client.get(reverse("admin:insurance_insurancepolicy_changelist")))
    assert f"{fiscal_year_label(policy.fiscal_year)}（{policy.fiscal_year}）" in page


# -- 督促・照会の時期 --------------------------------------------------------------------------------------------

LATE = "入院が長引き、報告が遅れました。"


@pytest.fixture
def reminding(db):  # type: ignore[no-untyped-def]
    """Claims open 180 days after the accident; remind every 14 days; the insurer answers within 21 days."""
    return builders.policy(reminder_interval_days=14, insurer_answer_days=21)


def _forms_out(head, insurance, association, accident_days_ago: int) -> Claim:  # type: ignore[no-untyped-def]
    """An injury claim, forms sent, the person still in treatment."""
    report = builders.covered_report(head, insurance, association, accident_date=builders.days_ago(accident_days_ago),
                                     delay_reason=LATE)
    return claims.send_claim_forms(actor=insurance, report_id=report.pk, person_id=report.persons.get().pk)


def test_upcoming_reminders_lists_what_falls_due_within_30_days_with_its_day(association, association_head,
                                                                             insurance, reminding, media):
    soon = _forms_out(association_head, insurance, association, 190)  # opens 10 days ago, due in 4 days
    _forms_out(association_head, insurance, association, 100)  # opens in 80 days
    due_now = _forms_out(association_head, insurance, association, 200)  # due since 6 days ago
    forwarded = builders.filed_claim(association_head, insurance, association, outpatient_days=3)
    claims.forward_claim(actor=insurance, claim_id=forwarded.pk)  # the insurer is chased in 21 days
    today = builders.today()
    assert [(d.claim.pk, d.kind, d.due_since) for d in reminders.upcoming_reminders()] == [
        (soon.pk, ReminderKind.CLAIM_DUE, today + dt.timedelta(days=4)),
        (forwarded.pk, ReminderKind.INSURER_CHASE, today + dt.timedelta(days=21))]
    assert [d.claim.pk for d in reminders.due_reminders()] == [due_now.pk]
    assert [d.claim.pk for d in reminders.upcoming_reminders(days=20)] == [soon.pk]


def test_a_claim_whose_right_lapses_before_its_next_reminder_is_not_upcoming(association, association_head,
                                                                              insurance, media):
    builders.policy(reminder_interval_days=14, claim_limit_years=1)
    claim = _forms_out(association_head, insurance, association, 360)  # the right to claim ends in 5 or 6 days
    reminders.send_reminder(actor=insurance, claim_id=claim.pk, kind=ReminderKind.CLAIM_DUE)  # next in 14 days
    assert reminders.due_reminders() == [] and reminders.upcoming_reminders() == []


def test_the_reminders_page_says_when_reminders_fall_due_and_lists_the_coming_ones(client, association,
                                                                                   association_head, insurance,
                                                                                   reminding, media):
    soon = _forms_out(association_head, insurance, association, 190)
    page = text(login(client, insurance).get(url("insurance_reminders")))
    due_day = wareki(builders.today() + dt.timedelta(days=4))
    assert f"いま送る督促・照会はありません。次に送付の時期を迎えるのは{due_day}（請求 {soon.number}）です。" in page
    assert (f"{reminding}（{fiscal_year_label(reminding.fiscal_year)}）：団体への督促は、請求できるようになった日"
            "（傷害は、治療を終えた日または事故の日から180日を過ぎた日）から14日を過ぎても請求がないときに送ります。"
            "保険会社への照会は、保険会社へ送付した日から21日を過ぎても回答がないときに送ります。"
            "どちらも、その後は14日ごとに送ります。") in page
    upcoming = page.split('id="upcoming"')[1].split("</table>")[0]
    assert "30日以内に送付の時期を迎える督促・照会（1件）" in upcoming
    assert (f'{soon.number}</a></td><td>{association.name}</td>\n      <td>保険金請求のご案内（督促）</td>'
            f"<td>{due_day}から</td>") in upcoming
    assert "山田 太郎" not in page


def test_the_reminders_page_with_no_claim_explains_the_current_policys_rule(client, insurance, reminding):
    page = text(login(client, insurance).get(url("insurance_reminders")))
    assert "から14日を過ぎても請求がないときに送ります。" in page
    assert "30日以内に送付の時期を迎える督促・照会はありません。" in page


def test_the_groups_home_lists_its_claims_with_the_report_number_and_accident_day(client, association,
                                                                                  association_head, insurance,
                                                                                  policy, media):
    report = builders.covered_report(association_head, insurance, association)
    claim = claims.send_claim_forms(actor=insurance, report_id=report.pk, person_id=report.persons.get().pk)
    page = text(login(client, association_head).get(url("home")))
    table = page.split('id="insurance-open-claims"')[1].split("</table>")[0]
    assert '<th scope="col">事故報告の受付番号</th><th scope="col">事故の日</th>' in table
    assert f"{claim.number}</a></td><td>{report.number}</td><td>{wareki(report.accident_date)}</td>" in table
    assert "山田 太郎" not in page and PersonalDataAccess.objects.count() == 0
