"""Lifecycle misuse and double clicks, one after the other (the races at the same moment are in
``test_concurrency_pg``): acts on a report or claim past the stage they belong to, the same POST twice, and a
report that could lose the people its claims point at. Each refusal names why and writes nothing."""
import pytest
from django.urls import reverse

from grants.insurance import claims, reminders, services
from grants.insurance.models import Claim, ClaimStatus, ReportStatus
from tests.cases.steps import login, messages_of
from tests.insurance import builders
from tests.insurance.groups import snapshot
from tests.insurance.pages import judgment_post

pytestmark = pytest.mark.django_db


def _refused_by_redirect(c, target, data, message):  # type: ignore[no-untyped-def]
    before = snapshot()
    response = c.post(target, data, follow=True)
    assert response.status_code == 200
    assert any(message in m for m in messages_of(response)), messages_of(response)
    assert snapshot()[0] == before[0]


@pytest.fixture
def paid(group_a, insurance):  # type: ignore[no-untyped-def]
    claims.forward_claim(actor=insurance, claim_id=group_a.claim.pk)
    return claims.record_payment(actor=insurance, claim_id=group_a.claim.pk, paid_on=builders.today(),
                                 amount=group_a.claim.computed_amount)


def test_treatment_and_damages_are_fixed_once_filed(client, group_a) -> None:
    c = login(client, group_a.head)
    page = c.get(reverse("insurance_claim_detail", args=[group_a.claim.pk])).content.decode()
    assert 'id="treatment-form"' not in page
    _refused_by_redirect(c, reverse("insurance_claim_treatment", args=[group_a.claim.pk]),
                         {"state": "in_treatment", "surgeries_inpatient": 0, "surgeries_outpatient": 0},
                         "請求の後は治療の記録を変更できません")


def test_no_document_after_forwarding(client, group_a, insurance) -> None:
    claims.forward_claim(actor=insurance, claim_id=group_a.claim.pk)
    _refused_by_redirect(login(client, group_a.head), reverse("insurance_claim_add_document", args=[group_a.claim.pk]),
                         {"kind": "receipt", "title": "後から", "amount": 1000, "file": builders.pdf()},
                         "送付した後の請求には書類を追加できません")


@pytest.mark.parametrize("who", ["head", "insurance"])
def test_a_paid_claim_is_not_withdrawn(client, request, group_a, paid, who) -> None:
    user = group_a.head if who == "head" else request.getfixturevalue("insurance")
    _refused_by_redirect(login(client, user), reverse("insurance_claim_withdraw", args=[paid.pk]),
                         {"reason": "やっぱり取り下げ"}, "送付した後の請求は取り下げられません")
    paid.refresh_from_db()
    assert paid.status == ClaimStatus.PAID


def test_a_paid_claim_is_not_paid_again_nor_denied(client, group_a, insurance, paid) -> None:
    c = login(client, insurance)
    today = builders.today().isoformat()
    _refused_by_redirect(c, reverse("insurance_claim_payment", args=[paid.pk]),
                         {"paid_on": today, "amount": 6_000}, "回答待ちの")
    _refused_by_redirect(c, reverse("insurance_claim_denial", args=[paid.pk]),
                         {"answered_on": today, "reason": "やはり不支払"}, "回答待ちの")


def test_no_claim_forms_for_a_report_not_covered(client, group_a, insurance, insurance2) -> None:
    report = builders.draft_report(group_a.head, group_a.organization)
    services.submit_report(actor=group_a.head, report_id=report.pk)
    services.judge_report(actor=insurance, report_id=report.pk,
                          findings=builders.all_hold(report, unpaid=False))
    _refused_by_redirect(login(client, insurance2), reverse("insurance_report_send_forms", args=[report.pk]),
                         {"person": report.persons.get().pk}, "補償の対象と判定した事故報告書だけ")


def test_a_withdrawn_report_is_not_judged_returned_submitted_or_edited(client, group_a, insurance) -> None:
    draft = group_a.draft
    services.submit_report(actor=group_a.head, report_id=draft.pk)
    services.withdraw_report(actor=group_a.head, report_id=draft.pk, reason="取り下げます。")
    c = login(client, insurance)
    before = snapshot()
    assert c.post(reverse("insurance_report_judge", args=[draft.pk]), judgment_post(draft)).status_code == 200
    assert c.post(reverse("insurance_report_return", args=[draft.pk]), {"note": "差戻し"}).status_code == 200
    assert snapshot()[0] == before[0]
    c.logout()
    head = login(client, group_a.head)
    for target, data in ((reverse("insurance_report_submit", args=[draft.pk]), {}),
                         (reverse("insurance_report_add_attachment", args=[draft.pk]),
                          {"kind": "other", "title": "写真", "file": builders.pdf()}),
                         (reverse("insurance_report_withdraw", args=[draft.pk]), {"reason": "もう一度"})):
        assert head.post(target, data).status_code in (200, 302), target
    assert head.get(reverse("insurance_report_edit", args=[draft.pk])).status_code == 302
    assert snapshot()[0] == before[0]
    draft.refresh_from_db()
    assert draft.status == ReportStatus.WITHDRAWN


def test_a_covered_report_cannot_go_back_so_its_people_stay(client, group_a, insurance) -> None:
    """Persons can be removed only while editable, and return is from 提出済 only: a person with a claim stays."""
    report, person = group_a.report, group_a.claim.person
    c = login(client, insurance)
    _refused_by_redirect(c, reverse("insurance_report_return", args=[report.pk]), {"note": "戻します"},
                         "提出済み（判定待ち）の事故報告書だけ")
    _refused_by_redirect(c, reverse("insurance_report_remove_person", args=[report.pk, person.pk]), {},
                         "関係者は削除できません")
    _refused_by_redirect(c, reverse("insurance_report_withdraw", args=[report.pk]), {"reason": "取下げ"},
                         "判定後の事故報告書は取り下げられません")


def test_a_withdrawn_claim_is_not_filed_forwarded_or_reminded(client, group_a, insurance) -> None:
    report = builders.covered_report(group_a.head, insurance, group_a.organization,
                                     accident_date=builders.days_ago(300), delay_reason="入院のため")
    claim = claims.send_claim_forms(actor=insurance, report_id=report.pk, person_id=report.persons.get().pk)
    assert reminders.reminder_due(claim, builders.today()) is not None
    claims.withdraw_claim(actor=group_a.head, claim_id=claim.pk, reason="請求しません。")
    claim.refresh_from_db()
    assert reminders.reminder_due(claim, builders.today()) is None
    c = login(client, insurance)
    _refused_by_redirect(c, reverse("insurance_claim_file", args=[claim.pk]), {}, "提出済み")
    _refused_by_redirect(c, reverse("insurance_claim_forward", args=[claim.pk]), {}, "送付できるのは")
    _refused_by_redirect(c, reverse("insurance_reminder_send"), {"claim": claim.pk, "kind": "claim_due"},
                         "いま送る督促・照会はありません")


def test_the_same_post_twice_does_it_once(client, group_a, insurance, insurance2) -> None:
    head = login(client, group_a.head)
    draft = group_a.draft
    assert head.post(reverse("insurance_report_submit", args=[draft.pk])).status_code == 302
    _refused_by_redirect(head, reverse("insurance_report_submit", args=[draft.pk]), {}, "提出済み")
    head.logout()
    judge = login(client, insurance2)
    assert judge.post(reverse("insurance_report_judge", args=[draft.pk]), judgment_post(draft)).status_code == 302
    before = snapshot()
    again = judge.post(reverse("insurance_report_judge", args=[draft.pk]), judgment_post(draft))
    assert again.status_code == 200 and snapshot()[0] == before[0]
    person = draft.persons.get()
    assert judge.post(reverse("insurance_report_send_forms", args=[draft.pk]), {"person": person.pk}).status_code == 302
    before = snapshot()
    twice = judge.post(reverse("insurance_report_send_forms", args=[draft.pk]), {"person": person.pk})
    assert twice.status_code == 200 and "既にあります" in twice.content.decode()
    assert snapshot()[0] == before[0]
    assert Claim.objects.filter(person=person).count() == 1


def test_forward_and_payment_twice(client, group_a, insurance) -> None:
    c = login(client, insurance)
    claim = group_a.claim
    assert c.post(reverse("insurance_claim_forward", args=[claim.pk]), {"insurer_reference": "A-1"}).status_code == 302
    _refused_by_redirect(c, reverse("insurance_claim_forward", args=[claim.pk]), {"insurer_reference": "A-2"},
                         "送付できるのは")
    today = builders.today().isoformat()
    assert c.post(reverse("insurance_claim_payment", args=[claim.pk]),
                  {"paid_on": today, "amount": 6_000}).status_code == 302
    _refused_by_redirect(c, reverse("insurance_claim_payment", args=[claim.pk]), {"paid_on": today, "amount": 6_000},
                         "回答待ちの")
    claim.refresh_from_db()
    assert (claim.insurer_reference, claim.paid_amount) == ("A-1", 6_000)


def test_filing_twice_keeps_the_first_amount(client, group_a) -> None:
    claim = group_a.claim
    _refused_by_redirect(login(client, group_a.head), reverse("insurance_claim_file", args=[claim.pk]), {},
                         "この請求は提出済みです")


def test_a_denied_claim_stays_denied(client, group_a, insurance) -> None:
    claims.forward_claim(actor=insurance, claim_id=group_a.claim.pk)
    claims.record_denial(actor=insurance, claim_id=group_a.claim.pk, answered_on=builders.today(), reason="対象外")
    _refused_by_redirect(login(client, group_a.head), reverse("insurance_claim_withdraw", args=[group_a.claim.pk]),
                         {"reason": "取下げ"}, "送付した後の請求は取り下げられません")


def test_regression_a_returned_reports_new_accident_day_is_in_its_history(client, group_a, insurance) -> None:
    """A report filed late, returned, and saved with a later accident day is submitted again on time and its
    遅延理由書 is dropped: that may be a true correction, but the history must say the day moved, and from what."""
    from grants.core.fiscal import wareki
    from grants.core.models import AuditEvent

    late_day, new_day = builders.days_ago(30), builders.days_ago(10)
    report = builders.draft_report(group_a.head, group_a.organization, accident_date=late_day)
    services.submit_report(actor=group_a.head, report_id=report.pk, delay_reason="入院していたため。")
    services.return_report(actor=insurance, report_id=report.pk, note="事故の日を確認してください。")
    services.update_report(actor=group_a.head, report_id=report.pk, data={"accident_date": new_day, "place": "公園"})
    services.submit_report(actor=group_a.head, report_id=report.pk)
    report.refresh_from_db()
    assert not report.is_late
    note = AuditEvent.objects.for_object(report).get(action="insurance_update_report").note
    assert note == f"修正した項目：事故の日（いつ）（{wareki(late_day)} → {wareki(new_day)}）、場所（どこで）"
    page = login(client, insurance).get(reverse("insurance_report_detail", args=[report.pk])).content.decode()
    assert f"{wareki(late_day)} → {wareki(new_day)}" in page


def test_regression_an_update_names_the_fields_it_changed_never_their_text(group_a) -> None:
    """The text of the report may name people (だれが: 「山田さんが」): the history names the fields only."""
    from grants.core.models import AuditEvent

    services.update_report(actor=group_a.head, report_id=group_a.draft.pk,
                           data={"who": "会員の佐藤 花子さんが", "how": "転倒し", "activity_name": "河川清掃"})
    note = AuditEvent.objects.for_object(group_a.draft).filter(action="insurance_update_report").get().note
    assert note == "修正した項目：だれが、どうして（事故の原因・状況）"
    services.update_report(actor=group_a.head, report_id=group_a.draft.pk, data={"who": "会員の佐藤 花子さんが"})
    assert AuditEvent.objects.for_object(group_a.draft).filter(action="insurance_update_report").last().note == \
        "修正した項目はありません"
