"""Reminders of the claim stage (督促・照会, GRANTS.md §6): a group whose claim could have been filed for
``reminder_interval_days`` days without being filed is reminded, again every ``reminder_interval_days``, until
the limit to claim (``claims.claim_limit_date``) has passed; an insurer that has not answered
``insurer_answer_days`` after the claim was forwarded is chased, on the same interval. Every interval and wait
is data of the policy; days are calendar days.

``due_reminders`` lists what is due on a day, ``upcoming_reminders`` what falls due in the coming days;
``send_reminder`` records one (the row is locked, so a double
click sends it once); ``send_scheduled_reminder`` records a 督促 the daily scheduler mails to the group; errors raise
``InsuranceError``.
"""
import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from grants.accounts.models import User
from grants.core import workflow
from grants.core.fiscal import wareki
from grants.core.models import record_event
from grants.insurance.machines import CLAIM, InsuranceError

from .claims import _locked, claim_limit_date, claim_open_date
from .models import Claim, ClaimStatus, Reminder, ReminderKind
from .services import _insurance_only


@dataclass(frozen=True)
class DueReminder:
    """A reminder due on a day: the claim, which kind, since when it is due, and the message to send."""

    claim: Claim
    kind: str
    due_since: dt.date
    message: str


def _last_sent(claim: Claim, kind: str) -> dt.date | None:
    days = [r.sent_on for r in claim.reminders.all() if r.kind == kind]
    return max(days) if days else None


def reminder_due(claim: Claim, today: dt.date) -> DueReminder | None:
    """The reminder due for ``claim`` on ``today``, or None."""
    policy = claim.report.policy
    interval = dt.timedelta(days=policy.reminder_interval_days)
    if claim.status == ClaimStatus.FORMS_SENT:
        kind = ReminderKind.CLAIM_DUE
        start = claim_open_date(claim) + interval
        limit = claim_limit_date(claim)
        if today > limit:  # the right to claim has lapsed: nothing left to remind the group of
            return None
        message = (f"{claim.report.organization} 御中\n事故報告 {claim.report.number}"
                   f"（{wareki(claim.report.accident_date)}の事故）の{claim.get_kind_display()}の請求が、"
                   f"まだ届いていません。保険金請求書と領収書・診断書などをご提出ください。"
                   f"請求できる期限は{wareki(limit)}です。")
    elif claim.status == ClaimStatus.FORWARDED and claim.forwarded_on is not None:
        kind = ReminderKind.INSURER_CHASE
        start = claim.forwarded_on + dt.timedelta(days=policy.insurer_answer_days)
        message = (f"{policy.insurer} 御中\n証券番号 {policy.policy_number}、請求 {claim.number}"
                   f"（{wareki(claim.forwarded_on)}送付）について、お支払いの可否をご回答ください。")
    else:
        return None
    last = _last_sent(claim, kind)
    due_since = max(start, last + interval) if last else start
    if today < due_since:
        return None
    return DueReminder(claim, kind, due_since, message)


UPCOMING_DAYS = 30  # how far ahead the reminders page looks


def _waiting_claims() -> QuerySet[Claim]:
    """The claims a reminder can be about (forms out, or forwarded), with what ``reminder_due`` reads."""
    return (Claim.objects.filter(status__in=(ClaimStatus.FORMS_SENT, ClaimStatus.FORWARDED))
            .select_related("report__policy", "report__organization").prefetch_related("reminders"))


def due_reminders(today: dt.date | None = None) -> list[DueReminder]:
    """Every reminder due on ``today`` (default: today), oldest first."""
    today = today or timezone.localdate()
    due = [d for d in (reminder_due(c, today) for c in _waiting_claims()) if d is not None]
    return sorted(due, key=lambda d: (d.due_since, d.claim.pk))


def upcoming_reminders(today: dt.date | None = None, days: int = UPCOMING_DAYS) -> list[DueReminder]:
    """The reminders not due on ``today`` (default: today) that fall due within the next ``days`` days, each with
    the day it does (``due_since``), soonest first. ``reminder_due`` is asked for each coming day, so a claim
    whose right to claim lapses first is left out, as it would be on that day. One query for the claims."""
    today = today or timezone.localdate()
    upcoming = []
    for claim in _waiting_claims():
        if reminder_due(claim, today) is not None:
            continue
        for ahead in range(1, days + 1):
            due = reminder_due(claim, today + dt.timedelta(days=ahead))
            if due is not None:
                upcoming.append(due)
                break
    return sorted(upcoming, key=lambda d: (d.due_since, d.claim.pk))


def send_reminder(*, actor: User, claim_id: int, kind: str) -> Reminder:
    """Record that the due reminder of ``kind`` for the claim was sent today (保険担当 only). Refused when
    none is due, so a second click sends nothing."""
    _insurance_only(actor)
    with transaction.atomic():
        claim = _locked(actor, claim_id)
        return _record(claim, kind, timezone.localdate(), actor)


def send_scheduled_reminder(*, claim_id: int, today: dt.date | None = None) -> Reminder:
    """Record the 督促 to the group (``CLAIM_DUE``) due on ``today`` (default: today) as sent by the daily
    scheduler (``grants.notify.daily``), which mails it to the group's members in the same transaction. No
    person acts: the reminder's ``sent_by`` and the audit row's actor are empty, as for the worker's acts; the
    rule is the same as the 保険担当's (refused when none is due, so a second run sends nothing). The insurer's
    照会 (``INSURER_CHASE``) is never sent this way: the insurer is outside the system, the 保険担当 contacts it
    and records it with ``send_reminder``. Call inside the scheduler's transaction; the claim row is locked."""
    with transaction.atomic():
        claim = workflow.access(CLAIM, None, claim_id, lock=True)
        return _record(claim, ReminderKind.CLAIM_DUE, today or timezone.localdate(), None)


def _record(claim: Claim, kind: str, today: dt.date, actor: User | None) -> Reminder:
    due = reminder_due(claim, today)
    if due is None or due.kind != kind:
        raise InsuranceError("この請求には、いま送る督促・照会はありません。")
    reminder = Reminder.objects.create(claim=claim, kind=kind, sent_on=today, sent_by=actor, message=due.message)
    record_event(actor=actor, subject=claim.report, action="insurance_send_reminder",
                 note=f"請求 {claim.number}：{reminder.get_kind_display()}"
                      + ("（メールで自動送信）" if actor is None else ""))
    return reminder
