"""Races of the insurance on PostgreSQL (SQLite has no row locks): two 保険担当 judging one report at once, a double
click on submit, claim forms, filing, forwarding, payment and reminders, and two different acts on one report or
claim at the same moment. Each race ends in one consistent outcome, the loser refused with an ``InsuranceError``
(never a deadlock or an integrity error)."""
import datetime as dt

import pytest
from django.db import connection

from grants.core.models import AuditEvent
from grants.insurance import claims, reminders, services
from grants.insurance.benefits import Treatment, injury_benefit
from grants.insurance.machines import InsuranceError
from grants.insurance.models import AccidentReport, Claim, ClaimStatus, Judgment, Reminder, ReportStatus
from tests.concurrency import run_together
from tests.insurance import builders

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
]

ROUNDS = 3


def one_winner(outcomes, kind) -> object:  # type: ignore[no-untyped-def]
    """Exactly one call returned a ``kind``; every other raised an InsuranceError."""
    bad = [o for o in outcomes if isinstance(o, Exception) and not isinstance(o, InsuranceError)]
    assert not bad, outcomes
    winners = [o for o in outcomes if isinstance(o, kind)]
    assert len(winners) == 1, outcomes
    return winners[0]


def events(report: AccidentReport, action: str) -> int:
    return AuditEvent.objects.for_object(report).filter(action=action).count()


def _submitted(head, organization) -> AccidentReport:  # type: ignore[no-untyped-def]
    report = builders.draft_report(head, organization)
    return services.submit_report(actor=head, report_id=report.pk)


def test_two_insurance_users_judge_one_report_at_once(group_a, insurance, insurance2) -> None:
    for _ in range(ROUNDS):
        report = _submitted(group_a.head, group_a.organization)
        findings = builders.all_hold(report)
        unfavourable = builders.all_hold(report, unpaid=False)
        outcomes = run_together(
            lambda r=report.pk, f=findings: services.judge_report(actor=insurance, report_id=r, findings=f),
            lambda r=report.pk, f=unfavourable: services.judge_report(actor=insurance2, report_id=r, findings=f))
        judgment = one_winner(outcomes, Judgment)
        report.refresh_from_db()
        assert report.status == (ReportStatus.COVERED if judgment.covered else ReportStatus.NOT_COVERED)
        assert Judgment.objects.filter(report=report).count() == 1
        assert events(report, "insurance_judge_report") == 1


def test_submit_clicked_twice_at_once(group_a) -> None:
    for _ in range(ROUNDS):
        report = builders.draft_report(group_a.head, group_a.organization)
        outcomes = run_together(*(lambda r=report.pk: services.submit_report(actor=group_a.head, report_id=r),) * 2)
        one_winner(outcomes, AccidentReport)
        assert events(report, "insurance_submit_report") == 1


def test_judge_and_withdraw_at_once(group_a, insurance) -> None:
    for _ in range(ROUNDS):
        report = _submitted(group_a.head, group_a.organization)
        findings = builders.all_hold(report)
        outcomes = run_together(
            lambda r=report.pk: services.withdraw_report(actor=group_a.head, report_id=r, reason="取り下げます。"),
            lambda r=report.pk, f=findings: services.judge_report(actor=insurance, report_id=r, findings=f))
        bad = [o for o in outcomes if isinstance(o, Exception) and not isinstance(o, InsuranceError)]
        assert not bad, outcomes
        assert sum(not isinstance(o, Exception) for o in outcomes) == 1, outcomes
        report.refresh_from_db()
        judged = Judgment.objects.filter(report=report).exists()
        assert report.status == (ReportStatus.COVERED if judged else ReportStatus.WITHDRAWN)


def test_return_and_judge_at_once(group_a, insurance, insurance2) -> None:
    for _ in range(ROUNDS):
        report = _submitted(group_a.head, group_a.organization)
        findings = builders.all_hold(report)
        outcomes = run_together(
            lambda r=report.pk: services.return_report(actor=insurance, report_id=r, note="名簿を添付してください。"),
            lambda r=report.pk, f=findings: services.judge_report(actor=insurance2, report_id=r, findings=f))
        assert sum(not isinstance(o, Exception) for o in outcomes) == 1, outcomes
        report.refresh_from_db()
        assert (report.status == ReportStatus.RETURNED) != Judgment.objects.filter(report=report).exists()


def test_submit_and_remove_the_only_person_at_once(group_a) -> None:
    """A report is never submitted without the person it was complete with."""
    for _ in range(ROUNDS):
        report = builders.draft_report(group_a.head, group_a.organization)
        person = report.persons.get()
        outcomes = run_together(
            lambda r=report.pk: services.submit_report(actor=group_a.head, report_id=r),
            lambda r=report.pk, p=person.pk: services.remove_person(actor=group_a.head, report_id=r, person_id=p))
        assert sum(not isinstance(o, Exception) for o in outcomes) == 1, outcomes
        report.refresh_from_db()
        if report.status == ReportStatus.SUBMITTED:
            assert report.persons.count() == 1
        else:
            assert report.persons.count() == 0


def test_claim_forms_clicked_twice_and_for_two_people_at_once(group_a, insurance, insurance2) -> None:
    for _ in range(ROUNDS):
        report = builders.covered_report(group_a.head, insurance, group_a.organization,
                                         persons={"一 郎": "injury", "二 郎": "injury"})
        first, second = report.persons.order_by("pk")
        outcomes = run_together(
            lambda r=report.pk, p=first.pk: claims.send_claim_forms(actor=insurance, report_id=r, person_id=p),
            lambda r=report.pk, p=first.pk: claims.send_claim_forms(actor=insurance2, report_id=r, person_id=p))
        one_winner(outcomes, Claim)
        outcomes = run_together(
            lambda r=report.pk, p=second.pk: claims.send_claim_forms(actor=insurance, report_id=r, person_id=p),
            lambda r=report.pk, p=second.pk: claims.send_claim_forms(actor=insurance2, report_id=r, person_id=p))
        one_winner(outcomes, Claim)
        assert sorted(report.claims.values_list("serial", flat=True)) == [1, 2]


def _ready(group, insurance) -> Claim:  # type: ignore[no-untyped-def]
    """A fresh filed claim of group A."""
    return builders.filed_claim(group.head, insurance, group.organization, outpatient_days=3)


def test_file_clicked_twice_at_once(group_a, insurance) -> None:
    for _ in range(ROUNDS):
        claim = _ready(group_a, insurance)
        Claim.objects.filter(pk=claim.pk).update(status=ClaimStatus.FORMS_SENT, filed_on=None, filed_by=None,
                                                 computed_amount=None, computed_lines=[])
        outcomes = run_together(*(lambda c=claim.pk: claims.file_claim(actor=group_a.head, claim_id=c),) * 2)
        one_winner(outcomes, Claim)
        assert events(claim.report, "insurance_file_claim") == 2  # the builder's filing and one of the two


def test_two_insurance_users_forward_one_claim_at_once(group_a, insurance, insurance2) -> None:
    for i in range(ROUNDS):
        claim = _ready(group_a, insurance)
        outcomes = run_together(
            lambda c=claim.pk, i=i: claims.forward_claim(actor=insurance, claim_id=c, insurer_reference=f"A-{i}"),
            lambda c=claim.pk, i=i: claims.forward_claim(actor=insurance2, claim_id=c, insurer_reference=f"B-{i}"))
        winner = one_winner(outcomes, Claim)
        claim.refresh_from_db()
        assert claim.insurer_reference == winner.insurer_reference
        assert events(claim.report, "insurance_forward_claim") == 1


def test_payment_twice_and_payment_against_denial_at_once(group_a, insurance, insurance2) -> None:
    for _ in range(ROUNDS):
        claim = claims.forward_claim(actor=insurance, claim_id=_ready(group_a, insurance).pk)
        outcomes = run_together(*(lambda c=claim.pk, u=u, a=claim.computed_amount: claims.record_payment(
            actor=u, claim_id=c, paid_on=builders.today(), amount=a) for u in (insurance, insurance2)))
        one_winner(outcomes, Claim)
        other = claims.forward_claim(actor=insurance, claim_id=_ready(group_a, insurance).pk)
        outcomes = run_together(
            lambda c=other.pk, a=other.computed_amount: claims.record_payment(
                actor=insurance, claim_id=c, paid_on=builders.today(), amount=a),
            lambda c=other.pk: claims.record_denial(actor=insurance2, claim_id=c, answered_on=builders.today(),
                                                    reason="対象外です。"))
        winner = one_winner(outcomes, Claim)
        other.refresh_from_db()
        assert other.status == winner.status and other.status in (ClaimStatus.PAID, ClaimStatus.DENIED)
        assert (other.paid_amount is not None) == (other.status == ClaimStatus.PAID)


def test_withdraw_and_forward_at_once(group_a, insurance) -> None:
    for _ in range(ROUNDS):
        claim = _ready(group_a, insurance)
        outcomes = run_together(
            lambda c=claim.pk: claims.withdraw_claim(actor=group_a.head, claim_id=c, reason="取り下げます。"),
            lambda c=claim.pk: claims.forward_claim(actor=insurance, claim_id=c))
        one_winner(outcomes, Claim)
        claim.refresh_from_db()
        assert claim.status in (ClaimStatus.WITHDRAWN, ClaimStatus.FORWARDED)
        assert (claim.forwarded_on is None) == (claim.status == ClaimStatus.WITHDRAWN)


def test_treatment_changed_while_the_claim_is_filed(group_a, insurance) -> None:
    """The amount kept at filing is the one of the treatment kept: never the days of one and the sum of the
    other."""
    for _ in range(ROUNDS):
        claim = _ready(group_a, insurance)
        Claim.objects.filter(pk=claim.pk).update(status=ClaimStatus.FORMS_SENT, computed_amount=None,
                                                 computed_lines=[], filed_on=None, filed_by=None)
        accident = claim.report.accident_date
        more = [accident + dt.timedelta(days=i) for i in range(5)]
        outcomes = run_together(
            lambda c=claim.pk: claims.file_claim(actor=group_a.head, claim_id=c),
            lambda c=claim.pk, v=more: claims.record_treatment(actor=group_a.head, claim_id=c, in_treatment=False,
                                                               recovered_on=v[-1], outpatient=v))
        assert not [o for o in outcomes if isinstance(o, Exception) and not isinstance(o, InsuranceError)], outcomes
        claim.refresh_from_db()
        kept = injury_benefit(claim.report.policy, Treatment(accident, [], [v.day for v in claim.outpatient.all()]))
        assert claim.status == ClaimStatus.FILED and claim.computed_amount == kept.amount


def test_a_document_added_while_the_claim_is_forwarded(group_a, insurance) -> None:
    for _ in range(ROUNDS):
        claim = _ready(group_a, insurance)
        documents = claim.documents.count()
        outcomes = run_together(
            lambda c=claim.pk: claims.add_claim_document(actor=group_a.head, claim_id=c, kind="receipt",
                                                         title="領収書", upload=builders.pdf(), amount=500),
            lambda c=claim.pk: claims.forward_claim(actor=insurance, claim_id=c))
        assert not [o for o in outcomes if isinstance(o, Exception) and not isinstance(o, InsuranceError)], outcomes
        claim.refresh_from_db()
        assert claim.status == ClaimStatus.FORWARDED
        added = claim.documents.count() - documents
        assert added == (0 if isinstance(outcomes[0], Exception) else 1)


def test_two_insurance_users_send_one_reminder_at_once(group_a, insurance, insurance2) -> None:
    for _ in range(ROUNDS):
        report = builders.covered_report(group_a.head, insurance, group_a.organization,
                                         accident_date=builders.days_ago(300), delay_reason="入院していたため。")
        claim = claims.send_claim_forms(actor=insurance, report_id=report.pk, person_id=report.persons.get().pk)
        outcomes = run_together(*(lambda c=claim.pk, u=u: reminders.send_reminder(actor=u, claim_id=c,
                                                                                  kind="claim_due")
                                  for u in (insurance, insurance2)))
        one_winner(outcomes, Reminder)
        assert Reminder.objects.filter(claim=claim).count() == 1


def test_one_attachment_removed_twice_at_once(group_a) -> None:
    for _ in range(ROUNDS):
        report = builders.draft_report(group_a.head, group_a.organization)
        attachment = report.attachments.first()
        outcomes = run_together(*(lambda r=report.pk, a=attachment.pk: services.remove_attachment(
            actor=group_a.head, report_id=r, attachment_id=a),) * 2)
        assert sum(o is None for o in outcomes) == 1, outcomes
        assert events(report, "insurance_remove_attachment") == 1
