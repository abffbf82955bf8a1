"""督促・照会: a group is reminded once its claim could have been filed for ``reminder_interval_days`` (14 here) and
again every interval; an insurer is chased ``insurer_answer_days`` (21 here) after the claim was forwarded. Both
are data of the policy. A reminder is recorded once a day at most, by the 保険担当 only."""
import datetime as dt

import pytest
from django.db import connection

from grants.core.fiscal import wareki
from grants.core.models import AuditEvent
from grants.insurance import claims, reminders
from grants.insurance.machines import InsuranceError
from grants.insurance.models import Claim, ClaimDocumentKind, Reminder, ReminderKind
from tests.concurrency import run_together

from . import builders
from .builders import days_ago, today
from .support import nothing_written, on_day

pytestmark = pytest.mark.django_db

CLAIM_DUE, INSURER_CHASE = ReminderKind.CLAIM_DUE, ReminderKind.INSURER_CHASE
LATE = "入院が長引き、報告が遅れました。"


@pytest.fixture
def reminding(db):  # type: ignore[no-untyped-def]
    """The year's policy: claims open 180 days after the accident; remind every 14 days; the insurer answers
    within 21 days."""
    return builders.policy(reminder_interval_days=14, insurer_answer_days=21)


def _forms_out(head, insurance, association, accident: dt.date) -> Claim:  # type: ignore[no-untyped-def]
    """An injury claim of a covered report, forms sent, the person still in treatment."""
    report = builders.covered_report(head, insurance, association, accident_date=accident, delay_reason=LATE)
    return claims.send_claim_forms(actor=insurance, report_id=report.pk, person_id=report.persons.get().pk)


def _fresh(claim: Claim) -> Claim:
    return Claim.objects.select_related("report__policy", "report__organization").get(pk=claim.pk)


def test_nothing_is_due_before_the_claim_opens_and_the_interval_passes(association, association_head, insurance,
                                                                       reminding, media) -> None:
    # the claim opens 180 days after the accident; the first reminder 14 days later: 194 days after it
    claim = _forms_out(association_head, insurance, association, days_ago(193))
    assert reminders.reminder_due(_fresh(claim), today()) is None
    assert reminders.due_reminders() == []
    with nothing_written(claim), pytest.raises(InsuranceError, match="いま送る督促・照会はありません"):
        reminders.send_reminder(actor=insurance, claim_id=claim.pk, kind=CLAIM_DUE)


def test_the_group_is_reminded_on_the_day_it_falls_due(association, association_head, insurance, reminding,
                                                        media) -> None:
    accident = days_ago(194)
    claim = _forms_out(association_head, insurance, association, accident)
    [due] = reminders.due_reminders()
    assert (due.claim.pk, due.kind, due.due_since) == (claim.pk, CLAIM_DUE, today())
    limit = claims.claim_limit_date(_fresh(claim))
    assert due.message == (f"{association} 御中\n事故報告 {claim.report.number}（{wareki(accident)}の事故）の"
                           f"傷害保険金の請求が、まだ届いていません。保険金請求書と領収書・診断書などをご提出ください。"
                           f"請求できる期限は{wareki(limit)}です。")
    sent = reminders.send_reminder(actor=insurance, claim_id=claim.pk, kind=CLAIM_DUE)
    assert (sent.kind, sent.sent_on, sent.sent_by, sent.message) == (CLAIM_DUE, today(), insurance, due.message)
    event = AuditEvent.objects.for_object(claim.report).last()
    assert (event.action, event.note) == ("insurance_send_reminder",
                                          f"請求 {claim.number}：保険金請求のご案内（督促）")
    assert reminders.due_reminders() == []


def test_the_next_reminder_waits_another_interval(association, association_head, insurance, reminding, media,
                                                  monkeypatch) -> None:
    claim = _forms_out(association_head, insurance, association, days_ago(200))  # due for 6 days already
    assert reminders.reminder_due(_fresh(claim), today()).due_since == days_ago(6)
    reminders.send_reminder(actor=insurance, claim_id=claim.pk, kind=CLAIM_DUE)
    assert reminders.reminder_due(_fresh(claim), today() + dt.timedelta(days=13)) is None
    again = today() + dt.timedelta(days=14)
    assert reminders.reminder_due(_fresh(claim), again).due_since == again
    on_day(monkeypatch, again)
    reminders.send_reminder(actor=insurance, claim_id=claim.pk, kind=CLAIM_DUE)
    assert list(Reminder.objects.filter(claim=claim).values_list("sent_on", flat=True)) == [
        again - dt.timedelta(days=14), again]


def test_a_second_send_the_same_day_records_nothing(association, association_head, insurance, reminding,
                                                    media) -> None:
    claim = _forms_out(association_head, insurance, association, days_ago(194))
    reminders.send_reminder(actor=insurance, claim_id=claim.pk, kind=CLAIM_DUE)
    with nothing_written(claim), pytest.raises(InsuranceError, match="いま送る督促・照会はありません"):
        reminders.send_reminder(actor=insurance, claim_id=claim.pk, kind=CLAIM_DUE)
    assert Reminder.objects.filter(claim=claim).count() == 1


def test_after_recovery_the_interval_runs_from_the_recovery(association, association_head, insurance, reminding,
                                                            media) -> None:
    accident = days_ago(40)
    claim = _forms_out(association_head, insurance, association, accident)
    visits = [accident + dt.timedelta(days=i) for i in range(11)]  # recovered 30 days ago
    claims.record_treatment(actor=association_head, claim_id=claim.pk, in_treatment=False, recovered_on=visits[-1],
                            outpatient=visits)
    due = reminders.reminder_due(_fresh(claim), today())
    assert (due.kind, due.due_since) == (CLAIM_DUE, days_ago(30) + dt.timedelta(days=14))


def test_a_liability_claim_is_reminded_from_the_accident_day(association, association_head, insurance, reminding,
                                                             media) -> None:
    report = builders.covered_report(association_head, insurance, association, accident_date=days_ago(14),
                                     persons={"鈴木 一郎": "property"}, kind_injury=False,
                                     kind_liability_property=True)
    claim = claims.send_claim_forms(actor=insurance, report_id=report.pk, person_id=report.persons.get().pk)
    assert reminders.reminder_due(_fresh(claim), today()).due_since == today()
    assert reminders.reminder_due(_fresh(claim), today() - dt.timedelta(days=1)) is None


@pytest.fixture
def forwarded(association, association_head, insurance, reminding, media):  # type: ignore[no-untyped-def]
    claim = builders.filed_claim(association_head, insurance, association, outpatient_days=5)
    return claims.forward_claim(actor=insurance, claim_id=claim.pk, insurer_reference="A-1")


def test_the_insurer_is_chased_after_its_answer_days(forwarded, insurance, monkeypatch) -> None:
    assert reminders.reminder_due(_fresh(forwarded), today() + dt.timedelta(days=20)) is None
    chase_day = today() + dt.timedelta(days=21)
    due = reminders.reminder_due(_fresh(forwarded), chase_day)
    assert (due.kind, due.due_since) == (INSURER_CHASE, chase_day)
    assert due.message == (f"テスト損害保険株式会社 御中\n証券番号 T-0001、請求 {forwarded.number}"
                           f"（{wareki(today())}送付）について、お支払いの可否をご回答ください。")
    on_day(monkeypatch, chase_day)
    reminders.send_reminder(actor=insurance, claim_id=forwarded.pk, kind=INSURER_CHASE)
    assert reminders.reminder_due(_fresh(forwarded), chase_day + dt.timedelta(days=13)) is None
    assert reminders.reminder_due(_fresh(forwarded), chase_day + dt.timedelta(days=14)).kind == INSURER_CHASE


def test_a_kind_that_is_not_due_is_refused(association, association_head, insurance, forwarded, media,
                                           monkeypatch) -> None:
    waiting = _forms_out(association_head, insurance, association, days_ago(194))
    with nothing_written(waiting), pytest.raises(InsuranceError, match="いま送る督促・照会はありません"):
        reminders.send_reminder(actor=insurance, claim_id=waiting.pk, kind=INSURER_CHASE)
    with nothing_written(waiting), pytest.raises(InsuranceError, match="いま送る督促・照会はありません"):
        reminders.send_reminder(actor=insurance, claim_id=waiting.pk, kind="telephone")
    on_day(monkeypatch, today() + dt.timedelta(days=21))
    with nothing_written(forwarded), pytest.raises(InsuranceError, match="いま送る督促・照会はありません"):
        reminders.send_reminder(actor=insurance, claim_id=forwarded.pk, kind=CLAIM_DUE)


def test_only_insurance_sends_reminders(association, association_head, insurance, staff, reminding,
                                        media) -> None:
    claim = _forms_out(association_head, insurance, association, days_ago(194))
    for user in (association_head, staff):
        with nothing_written(claim), pytest.raises(InsuranceError, match="保険担当のみ"):
            reminders.send_reminder(actor=user, claim_id=claim.pk, kind=CLAIM_DUE)


def test_filed_and_settled_claims_are_not_reminded(association, association_head, insurance, reminding, media,
                                                   monkeypatch) -> None:
    filed = builders.filed_claim(association_head, insurance, association, accident_date=days_ago(300),
                                 outpatient_days=5, delay_reason=LATE)
    withdrawn = _forms_out(association_head, insurance, association, days_ago(300))
    claims.withdraw_claim(actor=association_head, claim_id=withdrawn.pk, reason="請求しません。")
    paid = builders.filed_claim(association_head, insurance, association, outpatient_days=3)
    claims.forward_claim(actor=insurance, claim_id=paid.pk)
    claims.record_payment(actor=insurance, claim_id=paid.pk, paid_on=today(), amount=6_000)
    later = today() + dt.timedelta(days=400)
    assert [reminders.reminder_due(_fresh(c), later) for c in (filed, withdrawn, paid)] == [None, None, None]
    on_day(monkeypatch, later)
    assert reminders.due_reminders() == []


def test_due_reminders_come_oldest_first(association, association_head, insurance, reminding, media) -> None:
    newer = _forms_out(association_head, insurance, association, days_ago(196))  # due since 2 days ago
    older = _forms_out(association_head, insurance, association, days_ago(199))  # due since 5 days ago
    claims.add_claim_document(actor=association_head, claim_id=newer.pk, kind=ClaimDocumentKind.CLAIM_FORM,
                              title="保険金請求書", upload=builders.pdf())  # documents alone do not stop reminders
    assert [(d.claim.pk, d.due_since) for d in reminders.due_reminders()] == [
        (older.pk, days_ago(5)), (newer.pk, days_ago(2))]


def test_no_reminder_once_the_right_to_claim_has_lapsed(association, association_head, insurance, reminding,
                                                        media) -> None:
    # a reminder asks the group to claim before the limit; after the limit there is nothing left to ask for
    claim = _forms_out(association_head, insurance, association, days_ago(194))
    limit = claims.claim_limit_date(_fresh(claim))
    assert reminders.reminder_due(_fresh(claim), limit).kind == CLAIM_DUE
    assert reminders.reminder_due(_fresh(claim), limit + dt.timedelta(days=1)) is None


@pytest.mark.django_db(transaction=True)
@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_two_clicks_at_once_record_one_reminder(association, association_head, insurance, insurance2, reminding,
                                                media) -> None:
    claim = _forms_out(association_head, insurance, association, days_ago(194))
    outcomes = run_together(
        lambda: reminders.send_reminder(actor=insurance, claim_id=claim.pk, kind=CLAIM_DUE),
        lambda: reminders.send_reminder(actor=insurance2, claim_id=claim.pk, kind=CLAIM_DUE))
    assert sorted(type(o).__name__ for o in outcomes) == ["InsuranceError", "Reminder"], outcomes
    assert Reminder.objects.filter(claim=claim).count() == 1
