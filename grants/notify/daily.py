"""The daily scheduler's pass (issue 14): what falls due is found and its people told, without anyone opening a
page. ``run_daily`` is called once a day (``manage.py run_daily`` from cron or a systemd timer in production,
``manage.py scheduler`` in the demo).

What one pass sends, each through ``services.notify`` with a key naming the item and the occasion, so that a
second pass the same day, a pass after a restart, or two passes at once write each message once:

- 実績報告 (``grants.cases.overdue``): due within ``SOON_DAYS`` days (the due day included) → ``report_due`` to
  the organisation's members, once per case and due date (a new due date, after a change, is told again);
  overdue (``days_overdue`` ≥ 1) → ``report_overdue`` (official), once per case and due date. It is **not**
  repeated weekly: the overdue case is on the staff's 実績報告の期限 list, and the 協働推進課 follows it up there
  (a 催告 or a cancellation is an act with its own notice); a weekly mail would only repeat itself to people who
  may already have told staff why the report is late. (The first pass after the scheduler is put in service
  tells each case already overdue once.)
- 保険金請求 (``grants.insurance``): a claim whose forms are out (請求書類送付済) and whose first day to claim
  (``claim_open_date``) has come, before the limit to claim → ``claim_fileable`` to the group's members, once
  per claim. A 督促 to the group that is due (``due_reminders``, ``CLAIM_DUE``) is recorded
  (``reminders.send_scheduled_reminder``: sent by no person, shown as メールで自動送信) and mailed as
  ``claim_reminder`` (official) to the group's members, both in one transaction; a group with no member to
  mail keeps the reminder due for the 保険担当 to send on paper. An insurer that has not answered
  (``INSURER_CHASE``) → ``insurer_no_answer`` to the 保険担当 (``staff_of("insurance")``), once per due day: the
  insurer is outside the system, the 保険担当 contacts it and records the 照会 on the 督促・照会 page.
- 消費税仕入控除税額の報告 (``grants.competitive.tax``): a report still to be made (報告待ち) due within
  ``COMING_DAYS`` days → ``tax_report_due`` to the group's members, once per report and due date; once more when
  it is overdue.

No personal data goes into a message: the bodies are written here (organisation, 事故報告・請求 numbers, what
to do, the deadline, the page), never from the reminders' stored letters, and name no injured person, no health
detail, no policy or account number.

Housekeeping: the pass also forgets the records of forms' one-time keys older than their lifetime
(``grants.core.once.forget_expired``; such keys are refused anyway), counted as ``expired_form_keys``.

The pass is one transaction holding the day's ``DailyRun`` row, so that a second pass waits for the first and
then finds everything sent; each item is a savepoint of its own: an item that fails is rolled back alone (its
messages and mails with it), its error is recorded on the run and logged, and the others go out.
"""
from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sized
from dataclasses import dataclass

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from grants.accounts.models import User
from grants.cases.models import GrantCase
from grants.cases.overdue import SOON_DAYS, report_deadlines
from grants.competitive.models import TaxCreditReport, TaxReportStatus
from grants.competitive.tax import COMING_DAYS
from grants.core import once
from grants.core.fiscal import wareki
from grants.insurance.claims import claim_limit_date, claim_open_date
from grants.insurance.models import Claim, ClaimStatus, ReminderKind
from grants.insurance.reminders import DueReminder, due_reminders, send_scheduled_reminder
from grants.organizations.models import Organization

from .events import EVENTS, INSURANCE
from .models import DailyRun
from .services import members, notify, staff_of

log = logging.getLogger(__name__)

MAX_ERROR_CHARS = 10_000
# Counted when a due 督促 finds no member to mail: it stays due for the 保険担当.
UNSENT_REMINDER = "claim_reminder_unsent"
# Counted when the pass forgets the records of forms' one-time keys past their lifetime (grants.core.once).
FORGOTTEN_KEYS = "expired_form_keys"


@dataclass(frozen=True)
class Item:
    """One thing to tell: a label for the run's error list, and the act that writes its messages (returns how
    many it wrote of which event)."""

    label: str
    send: Callable[[], Counter[str]]


def counts_label(counts: dict[str, int]) -> str:
    """A run's counts in Japanese, e.g. 「報告の期限のお知らせ 3件、保険金請求の督促 1件」."""
    names = {**{name: e.label for name, e in EVENTS.items()}, UNSENT_REMINDER: "督促（宛先がなく保険担当へ）",
             FORGOTTEN_KEYS: "期限の過ぎた送信記録の削除"}
    parts = [f"{names.get(name, name)} {n}件" for name, n in counts.items() if n]
    return "、".join(parts) if parts else "送るお知らせはありませんでした"


def run_daily(today: dt.date | None = None) -> DailyRun:
    """One pass for ``today`` (default: today, local time); returns the day's ``DailyRun``. A second pass the
    same day (or two at once) sends nothing already sent and adds what it wrote to the day's counts; ``error``
    is the last pass's (empty when every item went out)."""
    today = today or timezone.localdate()
    DailyRun.objects.get_or_create(day=today, defaults={"started_at": timezone.now()})
    with transaction.atomic():
        # The first statement writes the row: on PostgreSQL a second pass waits here for this one's commit; on
        # SQLite it takes the database's write lock at once (a read first could not be upgraded by two at once).
        DailyRun.objects.filter(day=today).update(started_at=timezone.now(), finished_at=None)
        run = DailyRun.objects.select_for_update().get(day=today)
        this_pass: Counter[str] = Counter()
        errors: list[str] = []
        for item in _items(today, errors):
            try:
                with transaction.atomic():
                    this_pass.update(item.send())
            except Exception as exc:  # noqa: BLE001 - one item's failure must not stop the others
                log.exception("daily run %s: %s failed", today, item.label)
                errors.append(f"{item.label}: {type(exc).__name__}: {exc}")
        try:
            with transaction.atomic():
                this_pass[FORGOTTEN_KEYS] += once.forget_expired()
        except Exception as exc:  # noqa: BLE001 - housekeeping must not undo the messages
            log.exception("daily run %s: forgetting expired form keys failed", today)
            errors.append(f"送信記録の削除: {type(exc).__name__}: {exc}")
        # Messages add up over the day's passes; the 督促 left unsent is what the last pass left.
        counts = Counter({k: int(v) for k, v in (run.counts or {}).items() if k != UNSENT_REMINDER}) + this_pass
        run.counts = dict(sorted(counts.items()))
        run.error = "\n".join(errors).replace("\x00", "")[:MAX_ERROR_CHARS]
        run.finished_at = timezone.now()
        run.save(update_fields=["counts", "error", "finished_at"])
    return run


def _items(today: dt.date, errors: list[str]) -> Iterator[Item]:
    """Every item of the day, finder by finder; a finder that fails is recorded and the next one runs."""
    finders: tuple[tuple[str, Callable[[dt.date], Iterable[Item]]], ...] = (
        ("実績報告の期限", _report_items),
        ("保険金請求の受付", _claim_fileable_items),
        ("保険金請求の督促・照会", _reminder_items),
        ("消費税仕入控除税額の報告", _tax_items),
    )
    for label, finder in finders:
        try:
            with transaction.atomic():
                found = list(finder(today))
        except Exception as exc:  # noqa: BLE001 - one finder's failure must not stop the others
            log.exception("daily run %s: finding %s failed", today, label)
            errors.append(f"{label}（一覧の作成）: {type(exc).__name__}: {exc}")
            continue
        yield from found


def _sent(event: str, written: Sized) -> Counter[str]:
    return Counter({event: len(written)}) if written else Counter()


def _dear(organization: Organization) -> str:
    return f"{organization.name} 御中"


def _case_label(case: GrantCase) -> str:
    title = f"「{case.project_title}」" if case.project_title else ""
    return f"{case.programme_year}{title}"


# -- 実績報告 ------------------------------------------------------------------------------------------------

def _report_items(today: dt.date) -> Iterable[Item]:
    for row in report_deadlines(today=today, soon_days=SOON_DAYS):
        case, due_on = row.case, row.due_on
        if row.overdue:
            yield Item(f"実績報告の期限超過（{case}）", _report_overdue(case, due_on, row.days_overdue))
        else:
            yield Item(f"実績報告の期限（{case}）", _report_due(case, due_on, row.days_left))


def _report_due(case: GrantCase, due_on: dt.date, days_left: int) -> Callable[[], Counter[str]]:
    def send() -> Counter[str]:
        when = "本日です" if days_left == 0 else f"{wareki(due_on)}です（あと{days_left}日）"
        body = (f"{_dear(case.organization)}\n\n{_case_label(case)}の実績報告の提出期限は{when}。\n"
                "事業が終わりましたら、実績報告書を期限までにご提出ください。")
        return _sent("report_due", notify(
            event="report_due", recipients=members(case.organization),
            subject=f"実績報告の期限が近づいています（{wareki(due_on)}まで）", body=body,
            url=reverse("case_detail", args=[case.pk]), key=f"report_due:{case.pk}:{due_on.isoformat()}"))
    return send


def _report_overdue(case: GrantCase, due_on: dt.date, days_overdue: int) -> Callable[[], Counter[str]]:
    def send() -> Counter[str]:
        body = (f"{_dear(case.organization)}\n\n{_case_label(case)}の実績報告の提出期限（{wareki(due_on)}）を"
                f"{days_overdue}日過ぎています。\n実績報告書を速やかにご提出ください。提出が遅れる事情がある"
                "ときは、協働推進課にご連絡ください。期限までに報告がないときは、交付決定の取消しとなる"
                "ことがあります。")
        return _sent("report_overdue", notify(
            event="report_overdue", recipients=members(case.organization),
            subject="実績報告の提出期限を過ぎています", body=body,
            url=reverse("case_detail", args=[case.pk]), key=f"report_overdue:{case.pk}:{due_on.isoformat()}"))
    return send


# -- 保険金請求 ----------------------------------------------------------------------------------------------

def _claim_fileable_items(today: dt.date) -> Iterable[Item]:
    claims = (Claim.objects.filter(status=ClaimStatus.FORMS_SENT)
              .select_related("report__policy", "report__organization").order_by("pk"))
    for claim in claims:
        if claim_open_date(claim) <= today <= claim_limit_date(claim):
            yield Item(f"保険金請求の受付（請求 {claim.number}）", _claim_fileable(claim))


def _claim_fileable(claim: Claim) -> Callable[[], Counter[str]]:
    def send() -> Counter[str]:
        report = claim.report
        body = (f"{_dear(report.organization)}\n\n事故報告（受付番号 {report.number}）の保険金請求（請求 "
                f"{claim.number}）は、請求できるようになりました。\n保険金請求書と、領収書・通院証明書などの"
                f"書類をそろえて、請求の画面からご提出ください。請求できる期限は{wareki(claim_limit_date(claim))}"
                "です。")
        return _sent("claim_fileable", notify(
            event="claim_fileable", recipients=members(report.organization),
            subject=f"保険金の請求ができるようになりました（請求 {claim.number}）", body=body,
            url=reverse("insurance_claim_detail", args=[claim.pk]), key=f"claim_fileable:{claim.pk}"))
    return send


def _reminder_items(today: dt.date) -> Iterable[Item]:
    for due in due_reminders(today):
        if due.kind == ReminderKind.CLAIM_DUE:
            yield Item(f"保険金請求の督促（請求 {due.claim.number}）", _claim_reminder(due, today))
        elif due.kind == ReminderKind.INSURER_CHASE:
            yield Item(f"保険会社への照会（請求 {due.claim.number}）", _insurer_no_answer(due))


def _claim_reminder(due: DueReminder, today: dt.date) -> Callable[[], Counter[str]]:
    def send() -> Counter[str]:
        claim, report = due.claim, due.claim.report
        recipients = members(report.organization)
        if not [u for u in recipients if u.email]:
            # Nobody to mail: the 督促 stays due on the 保険担当's page, to be sent on paper.
            return Counter({UNSENT_REMINDER: 1})
        send_scheduled_reminder(claim_id=claim.pk, today=today)
        body = (f"{_dear(report.organization)}\n\n事故報告（受付番号 {report.number}）の保険金請求（請求 "
                f"{claim.number}）が、まだ届いていません。\n保険金請求書と、領収書・通院証明書などの書類をそろえて、"
                f"請求の画面からご提出ください。請求できる期限は{wareki(claim_limit_date(claim))}です。\n"
                "すでに提出された場合や、請求しない場合は、市の保険担当にお知らせください。")
        return _sent("claim_reminder", notify(
            event="claim_reminder", recipients=recipients,
            subject=f"保険金請求のご案内（督促）（請求 {claim.number}）", body=body,
            url=reverse("insurance_claim_detail", args=[claim.pk]),
            key=f"claim_reminder:{claim.pk}:{due.due_since.isoformat()}"))
    return send


def _insurer_no_answer(due: DueReminder) -> Callable[[], Counter[str]]:
    def send() -> Counter[str]:
        claim, report = due.claim, due.claim.report
        forwarded = f"{wareki(claim.forwarded_on)}に" if claim.forwarded_on else ""
        body = (f"{report.organization.name}の事故報告（受付番号 {report.number}）の保険金請求（請求 "
                f"{claim.number}）について、{forwarded}保険会社（{report.policy.insurer}）へ送付しましたが、"
                f"まだ回答がありません（{wareki(due.due_since)}から照会の時期です）。\n"
                "保険会社に照会し、督促・照会の画面で照会を記録してください。")
        staff: list[User] = staff_of(INSURANCE)
        return _sent("insurer_no_answer", notify(
            event="insurer_no_answer", recipients=staff,
            subject=f"保険会社からの回答がありません（請求 {claim.number}）", body=body,
            url=reverse("insurance_reminders"),
            key=f"insurer_no_answer:{claim.pk}:{due.due_since.isoformat()}"))
    return send


# -- 消費税仕入控除税額の報告 -----------------------------------------------------------------------------------

def _tax_items(today: dt.date) -> Iterable[Item]:
    reports = (TaxCreditReport.objects.filter(status=TaxReportStatus.DUE,
                                              due_on__lte=today + dt.timedelta(days=COMING_DAYS))
               .select_related("case__organization", "case__programme_year__programme").order_by("due_on", "pk"))
    for report in reports:
        yield Item(f"消費税仕入控除税額の報告（{report.case}）", _tax_report(report, today))


def _tax_report(report: TaxCreditReport, today: dt.date) -> Callable[[], Counter[str]]:
    def send() -> Counter[str]:
        case, overdue = report.case, today > report.due_on
        if overdue:
            subject = "消費税仕入控除税額の報告の期限を過ぎています"
            when = f"提出期限（{wareki(report.due_on)}）を過ぎています。速やかにご提出ください"
        else:
            subject = f"消費税仕入控除税額の報告の期限が近づいています（{wareki(report.due_on)}まで）"
            when = f"提出期限は{wareki(report.due_on)}です"
        body = (f"{_dear(case.organization)}\n\n{_case_label(case)}の消費税及び地方消費税に係る仕入控除税額の"
                f"報告の{when}。\n控除税額が0円の場合や、免税事業者などで報告が不要となる場合も、その旨をご報告"
                "ください。")
        occasion = "overdue" if overdue else "coming"
        return _sent("tax_report_due", notify(
            event="tax_report_due", recipients=members(case.organization), subject=subject, body=body,
            url=reverse("tax_report_detail", args=[report.pk]),
            key=f"tax_report_due:{report.pk}:{report.due_on.isoformat()}:{occasion}"))
    return send
