"""The daily scheduler's pass (grants/notify/daily.py): each finder writes one message to each of the right people
and the worker mails it; a second pass the same day, or two at once, sends nothing again; a rolled-back pass sends
nothing; no injured person's data, policy or account number in any message; the due 督促 is recorded (by no
person) and mailed; an item that fails is recorded on the run and the others go out; the command runs."""
import datetime as dt
import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.urls import reverse

from grants.accounts.models import Role
from grants.cases.models import Status
from grants.competitive.models import TaxCreditReport
from grants.core import once
from grants.core.fiscal import wareki
from grants.core.models import AuditEvent, SubmittedForm
from grants.insurance import claims, reminders
from grants.insurance.models import Reminder, ReminderKind
from grants.notify import daily
from grants.notify.models import DailyRun, Notification
from tests import factories
from tests.cases.deadlines import case, completed
from tests.concurrency import run_together
from tests.insurance import builders as insurance_builders
from tests.insurance.groups import PERSONAL
from tests.insurance.support import on_day

pytestmark = pytest.mark.django_db

LATE = "入院が長引き、報告が遅れました。"


@pytest.fixture(autouse=True)
def _site(settings):  # type: ignore[no-untyped-def]
    settings.SITE_URL = "http://testserver"


def member(organization, username: str):  # type: ignore[no-untyped-def]
    """A current representative of ``organization`` with a login and an address."""
    user = factories.UserFactory(username=username, email=f"{username}@example.jp", role=Role.ASSOCIATION_HEAD)
    factories.RepresentativeFactory(organization=organization, user=user, name=f"{username} 代表",
                                    started_on=dt.date(2025, 4, 1))
    return user


def run(today, capture, worker):  # type: ignore[no-untyped-def]
    """One pass as the command makes it (committed), then the worker mails what it queued."""
    with capture(execute=True):
        done = daily.run_daily(today)
    worker()
    return done


def sent_to(address: str) -> list[str]:
    return [m.subject for m in mail.outbox if m.to == [address]]


def every_text() -> str:
    stored = [f"{n.subject}\n{n.body}" for n in Notification.objects.all()]
    mailed = [f"{m.subject}\n{m.body}" for m in mail.outbox]
    return "\n".join(stored + mailed)


# -- 実績報告 ------------------------------------------------------------------------------------------------

def test_a_report_due_soon_and_one_overdue_are_each_told_once(year, today, run_worker,
                                                               django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    soon = case(year, "A", completion_deadline=completed(today, -5))       # due in 5 days
    late = case(year, "B", completion_deadline=completed(today, 3))        # 3 days overdue
    later = case(year, "C", completion_deadline=completed(today, -16))     # due in 16 days: not yet
    done = case(year, "D", status=Status.REPORTED, completion_deadline=completed(today, 3))  # reported
    a, b = member(soon.organization, "a"), member(late.organization, "b")
    member(later.organization, "c")
    member(done.organization, "d")

    first = run(today, django_capture_on_commit_callbacks, run_worker)

    assert first.counts == {"report_due": 1, "report_overdue": 1} and first.error == "" and first.finished_at
    assert len(mail.outbox) == 2
    assert sent_to(a.email) == [f"実績報告の期限が近づいています（{wareki(today + dt.timedelta(days=5))}まで）"]
    assert sent_to(b.email) == ["実績報告の提出期限を過ぎています"]
    due = Notification.objects.get(recipient=a)
    assert (due.event, due.url, due.official) == ("report_due", reverse("case_detail", args=[soon.pk]), False)
    assert "あと5日" in due.body and soon.organization.name in due.body
    assert f"http://testserver{reverse('case_detail', args=[late.pk])}" in sent_to_body(b.email)
    overdue = Notification.objects.get(recipient=b)
    assert overdue.official and f"（{wareki(today - dt.timedelta(days=3))}）を3日過ぎています。" in overdue.body

    again = run(today, django_capture_on_commit_callbacks, run_worker)
    assert again.pk == first.pk and again.counts == first.counts and again.error == ""
    assert len(mail.outbox) == 2 and Notification.objects.count() == 2
    # the next day: the same due dates, nothing new (the overdue report is not repeated)
    run(today + dt.timedelta(days=1), django_capture_on_commit_callbacks, run_worker)
    assert Notification.objects.count() == 2 and DailyRun.objects.count() == 2


def sent_to_body(address: str) -> str:
    [message] = [m for m in mail.outbox if m.to == [address]]
    return message.body


def test_a_rolled_back_pass_writes_and_mails_nothing(year, today, run_worker,
                                                     django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    member(case(year, "A", completion_deadline=completed(today, 3)).organization, "a")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            assert daily.run_daily(today).counts == {"report_overdue": 1}
            raise RuntimeError("the command's transaction fails")
    run_worker()
    assert callbacks == [] and mail.outbox == []
    assert not Notification.objects.exists() and not DailyRun.objects.exists()


def test_an_item_that_fails_is_recorded_and_the_others_go_out(year, today, run_worker, monkeypatch,
                                                              django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    broken = case(year, "A", completion_deadline=completed(today, 3))
    fine = case(year, "B", completion_deadline=completed(today, 4))
    a, b = member(broken.organization, "a"), member(fine.organization, "b")
    real = daily.notify

    def notify_then_fail(**kwargs):  # type: ignore[no-untyped-def]
        written = real(**kwargs)
        if a in kwargs["recipients"]:
            raise RuntimeError("SMTP の設定が読めません")  # after the message was written: it must go too
        return written

    monkeypatch.setattr(daily, "notify", notify_then_fail)
    first = run(today, django_capture_on_commit_callbacks, run_worker)
    assert first.counts == {"report_overdue": 1}
    assert first.error == f"実績報告の期限超過（{broken}）: RuntimeError: SMTP の設定が読めません"
    assert [m.to for m in mail.outbox] == [[b.email]]
    assert not Notification.objects.filter(recipient=a).exists()

    monkeypatch.setattr(daily, "notify", real)  # mended: the next pass the same day sends the one left
    second = run(today, django_capture_on_commit_callbacks, run_worker)
    assert second.counts == {"report_overdue": 2} and second.error == ""
    assert sorted(m.to[0] for m in mail.outbox) == [a.email, b.email]


def test_a_finder_that_fails_leaves_the_other_finders(year, today, run_worker, monkeypatch,
                                                      django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    member(case(year, "A", completion_deadline=completed(today, 3)).organization, "a")

    def broken(today):  # type: ignore[no-untyped-def]
        raise ValueError("保険契約が読めません")

    monkeypatch.setattr(daily, "_claim_fileable_items", broken)
    done = run(today, django_capture_on_commit_callbacks, run_worker)
    assert done.counts == {"report_overdue": 1} and len(mail.outbox) == 1
    assert done.error == "保険金請求の受付（一覧の作成）: ValueError: 保険契約が読めません"


# -- 保険金請求 ----------------------------------------------------------------------------------------------

@pytest.fixture
def reminding(db):  # type: ignore[no-untyped-def]
    """Claims open 180 days after the accident; a reminder every 14 days; the insurer answers within 21 days."""
    return insurance_builders.policy(reminder_interval_days=14, insurer_answer_days=21)


@pytest.fixture
def head(association, association_head):  # type: ignore[no-untyped-def]
    association_head.email = "head@example.jp"
    association_head.save(update_fields=["email"])
    return association_head


@pytest.fixture
def insurance_staff(insurance, insurance2):  # type: ignore[no-untyped-def]
    for n, user in enumerate((insurance, insurance2)):
        user.email = f"hoken{n}@example.jp"
        user.save(update_fields=["email"])
    return insurance, insurance2


def forms_out(head, insurance, association, days_ago: int):  # type: ignore[no-untyped-def]
    """An injury claim of a covered report, forms sent, the person (山田 太郎) still in treatment."""
    report = insurance_builders.covered_report(head, insurance, association, accident_date=today_minus(days_ago),
                                               delay_reason=LATE)
    return claims.send_claim_forms(actor=insurance, report_id=report.pk, person_id=report.persons.get().pk)


def today_minus(days: int) -> dt.date:
    return insurance_builders.days_ago(days)


def test_a_claim_that_opens_is_told_to_the_group_once(association, head, insurance, reminding, media, today,
                                                      run_worker, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    not_yet = forms_out(head, insurance, association, 179)
    opened = forms_out(head, insurance, association, 180)   # opens today; the 督促 only in 14 days
    first = run(today, django_capture_on_commit_callbacks, run_worker)
    assert first.counts == {"claim_fileable": 1}
    assert sent_to(head.email) == [f"保険金の請求ができるようになりました（請求 {opened.number}）"]
    note = Notification.objects.get()
    assert (note.event, note.url) == ("claim_fileable", reverse("insurance_claim_detail", args=[opened.pk]))
    assert not Reminder.objects.exists()
    run(today, django_capture_on_commit_callbacks, run_worker)
    run(today + dt.timedelta(days=1), django_capture_on_commit_callbacks, run_worker)  # not_yet opens
    assert [n.url for n in Notification.objects.order_by("pk")] == [
        reverse("insurance_claim_detail", args=[opened.pk]), reverse("insurance_claim_detail", args=[not_yet.pk])]


def test_a_due_reminder_is_recorded_and_mailed_to_the_group(association, head, insurance, insurance_staff,
                                                            reminding, media, today, run_worker, client,
                                                            django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    claim = forms_out(head, insurance, association, 194)   # open since 14 days: the 督促 is due today
    first = run(today, django_capture_on_commit_callbacks, run_worker)
    assert first.counts == {"claim_fileable": 1, "claim_reminder": 1}
    [reminder] = Reminder.objects.all()
    assert (reminder.claim_id, reminder.kind, reminder.sent_on, reminder.sent_by) == (
        claim.pk, ReminderKind.CLAIM_DUE, today, None)
    assert reminder.sender_label == "メールで自動送信"
    client.force_login(insurance)
    assert "メールで自動送信" in client.get(reverse("insurance_reminders")).content.decode()
    event = AuditEvent.objects.filter(action="insurance_send_reminder").get()
    assert event.actor is None and event.note.endswith("（メールで自動送信）")
    assert sorted(sent_to(head.email)) == sorted([f"保険金の請求ができるようになりました（請求 {claim.number}）",
                                                  f"保険金請求のご案内（督促）（請求 {claim.number}）"])
    assert Notification.objects.get(event="claim_reminder").official
    assert not [m for m in mail.outbox if m.to != [head.email]]  # the 保険担当 are not told of it
    assert reminders.due_reminders(today) == []

    run(today, django_capture_on_commit_callbacks, run_worker)
    assert Reminder.objects.count() == 1 and len(mail.outbox) == 2
    # the next 督促 falls due 14 days later, and is sent again then
    later = today + dt.timedelta(days=14)
    assert run(later, django_capture_on_commit_callbacks, run_worker).counts == {"claim_reminder": 1}
    assert Reminder.objects.count() == 2 and len(mail.outbox) == 3


def test_a_due_reminder_without_anyone_to_mail_stays_for_the_staff(association, association_head, insurance,
                                                                   reminding, media, today, run_worker,
                                                                   django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    forms_out(association_head, insurance, association, 194)   # the head has no address
    done = run(today, django_capture_on_commit_callbacks, run_worker)
    assert done.counts == {"claim_fileable": 1, "claim_reminder_unsent": 1} and mail.outbox == []
    assert not Reminder.objects.exists() and len(reminders.due_reminders(today)) == 1
    again = run(today, django_capture_on_commit_callbacks, run_worker)
    assert again.counts == {"claim_fileable": 1, "claim_reminder_unsent": 1}  # what is left, not a sum


def test_an_insurer_that_has_not_answered_is_told_to_the_insurance_staff(association, head, insurance,
                                                                         insurance_staff, reminding, media, today,
                                                                         monkeypatch, run_worker,
                                                                         django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    claim = insurance_builders.filed_claim(head, insurance, association, outpatient_days=5)
    claims.forward_claim(actor=insurance, claim_id=claim.pk, insurer_reference="A-1")
    assert run(today + dt.timedelta(days=20), django_capture_on_commit_callbacks, run_worker).counts == {}
    chase = today + dt.timedelta(days=21)
    first = run(chase, django_capture_on_commit_callbacks, run_worker)
    assert first.counts == {"insurer_no_answer": 2}
    subject = f"保険会社からの回答がありません（請求 {claim.number}）"
    assert sent_to("hoken0@example.jp") == [subject] and sent_to("hoken1@example.jp") == [subject]
    assert sent_to(head.email) == []
    assert {n.url for n in Notification.objects.all()} == {reverse("insurance_reminders")}
    assert not Reminder.objects.exists()  # the 保険担当 contacts the insurer and records it

    run(chase, django_capture_on_commit_callbacks, run_worker)
    assert len(mail.outbox) == 2
    on_day(monkeypatch, chase)
    reminders.send_reminder(actor=insurance, claim_id=claim.pk, kind=ReminderKind.INSURER_CHASE)
    assert run(chase + dt.timedelta(days=13), django_capture_on_commit_callbacks, run_worker).counts == {}
    assert run(chase + dt.timedelta(days=14), django_capture_on_commit_callbacks,
               run_worker).counts == {"insurer_no_answer": 2}


def test_no_message_carries_personal_data_or_a_number_of_an_account(association, head, insurance, insurance_staff,
                                                                    reminding, media, today, run_worker,
                                                                    django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    account = factories.BankAccountFactory(organization=association)
    forms_out(head, insurance, association, 194)
    forwarded = insurance_builders.filed_claim(head, insurance, association, outpatient_days=5)
    claims.forward_claim(actor=insurance, claim_id=forwarded.pk, insurer_reference="A-1")
    run(today, django_capture_on_commit_callbacks, run_worker)
    run(today + dt.timedelta(days=21), django_capture_on_commit_callbacks, run_worker)
    assert {n.event for n in Notification.objects.all()} == {"claim_fileable", "claim_reminder",
                                                              "insurer_no_answer"}
    text = every_text()
    assert text and mail.outbox
    for secret in (*PERSONAL, "1960", "T-0001", "A-1", account.account_number, "傷害", "けが", "治療", "入院"):
        assert secret not in text, secret


# -- 消費税仕入控除税額の報告 -----------------------------------------------------------------------------------

def test_a_tax_report_is_told_once_when_it_comes_and_once_when_overdue(year, today, run_worker,
                                                                       django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    closed = case(year, "T", status=Status.CLOSED)
    far = case(year, "U", status=Status.CLOSED)
    head = member(closed.organization, "t")
    member(far.organization, "u")
    report = TaxCreditReport.objects.create(case=closed, due_on=today + dt.timedelta(days=30))
    TaxCreditReport.objects.create(case=far, due_on=today + dt.timedelta(days=200))
    beyond = case(year, "V", status=Status.CLOSED)
    member(beyond.organization, "v")
    TaxCreditReport.objects.create(case=beyond, due_on=today + dt.timedelta(days=91))  # one day past the window
    assert run(today, django_capture_on_commit_callbacks, run_worker).counts == {"tax_report_due": 1}
    assert sent_to("v@example.jp") == []
    run(today + dt.timedelta(days=1), django_capture_on_commit_callbacks, run_worker)
    run(report.due_on, django_capture_on_commit_callbacks, run_worker)
    assert len(sent_to(head.email)) == 1
    overdue = report.due_on + dt.timedelta(days=1)
    assert run(overdue, django_capture_on_commit_callbacks, run_worker).counts == {"tax_report_due": 1}
    run(overdue + dt.timedelta(days=7), django_capture_on_commit_callbacks, run_worker)
    assert sent_to(head.email) == [
        f"消費税仕入控除税額の報告の期限が近づいています（{wareki(report.due_on)}まで）",
        "消費税仕入控除税額の報告の期限を過ぎています"]
    assert {n.url for n in Notification.objects.filter(recipient=head)} == {
        reverse("tax_report_detail", args=[report.pk])}
    assert not Notification.objects.filter(recipient__username="u").exists()  # beyond COMING_DAYS (90) all along


# -- the command ------------------------------------------------------------------------------------------------

def test_the_command_runs_a_pass_for_the_day_given(year, today, run_worker,
                                                   django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    a = member(case(year, "A", completion_deadline=completed(today, 0)).organization, "a")
    yesterday = today - dt.timedelta(days=1)
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("run_daily", "--date", yesterday.isoformat(), stdout=out)
    run_worker()
    assert out.getvalue().strip() == f"{yesterday} の日次処理: 報告の期限のお知らせ 1件"
    assert sent_to(a.email) == [f"実績報告の期限が近づいています（{wareki(today)}まで）"]
    out = io.StringIO()
    call_command("run_daily", "--date", yesterday.isoformat(), stdout=out)
    assert "送るお知らせはありませんでした" not in out.getvalue()  # the day's counts so far
    call_command("run_daily", stdout=out)
    assert DailyRun.objects.filter(day=today).exists()


def test_the_command_refuses_a_day_to_come_and_sends_nothing(year, today) -> None:  # type: ignore[no-untyped-def]
    """A day after today would tell people today of deadlines as if passed (「5日過ぎています」) and record the
    reminders as sent: refused, nothing written."""
    member(case(year, "A", completion_deadline=completed(today, -5)).organization, "a")
    with pytest.raises(CommandError, match="今日より後の日"):
        call_command("run_daily", "--date", (today + dt.timedelta(days=6)).isoformat(), stdout=io.StringIO())
    assert not DailyRun.objects.exists() and not Notification.objects.exists()


def test_the_command_fails_when_an_item_failed_and_refuses_a_bad_date(year, today, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    member(case(year, "A", completion_deadline=completed(today, 3)).organization, "a")

    def broken(**kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("だめです")

    monkeypatch.setattr(daily, "notify", broken)
    with pytest.raises(CommandError, match="送れなかったものがあります"):
        call_command("run_daily", stdout=io.StringIO())
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("run_daily", "--date", "2026/12/06", stdout=io.StringIO())


# -- two passes at once ------------------------------------------------------------------------------------------

@pytest.mark.django_db(transaction=True)
@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_two_passes_at_once_write_each_message_once(association, head, insurance, reminding, media) -> None:  # type: ignore[no-untyped-def]
    forms_out(head, insurance, association, 194)
    today = insurance_builders.today()
    outcomes = run_together(lambda: daily.run_daily(today), lambda: daily.run_daily(today))
    assert all(isinstance(o, DailyRun) and o.error == "" for o in outcomes), outcomes
    assert Notification.objects.filter(event="claim_reminder").count() == 1
    assert Notification.objects.filter(event="claim_fileable").count() == 1
    assert Reminder.objects.count() == 1
    assert DailyRun.objects.get().counts == {"claim_fileable": 1, "claim_reminder": 1}


# -- the staff's trace -------------------------------------------------------------------------------------------

def test_the_admin_lists_each_day_with_what_it_sent_and_what_failed(year, today, root, client, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    member(case(year, "A", completion_deadline=completed(today, 3)).organization, "a")
    member(case(year, "B", completion_deadline=completed(today, -3)).organization, "b")
    real = daily.notify

    def overdue_fails(**kwargs):  # type: ignore[no-untyped-def]
        if kwargs["event"] == "report_overdue":
            raise RuntimeError("送信の準備に失敗")
        return real(**kwargs)

    monkeypatch.setattr(daily, "notify", overdue_fails)
    daily.run_daily(today)
    page = client.get(reverse("admin:notify_dailyrun_changelist")).content.decode()
    assert "報告の期限のお知らせ 1件" in page and "RuntimeError: 送信の準備に失敗" in page
    assert client.get(reverse("admin:notify_dailyrun_add")).status_code == 403


def test_a_pass_forgets_the_records_of_expired_form_keys_and_keeps_fresh_ones(year, today) -> None:  # type: ignore[no-untyped-def]
    """Housekeeping: the records of forms' one-time keys past their lifetime (grants.core.once) go; a fresh one
    stays, so that a double click on a form sent today is still answered with the first result."""
    user = factories.UserFactory()
    for _ in range(2):
        once.submit_once(key=once.new_key(user), user=user, act=lambda: None, answer=lambda _: ("/", "ホーム"))
    old = SubmittedForm.objects.order_by("pk").first()
    SubmittedForm.objects.filter(pk=old.pk).update(created_at=old.created_at - once.KEY_LIFETIME - dt.timedelta(hours=1))
    done = daily.run_daily(today)
    assert SubmittedForm.objects.count() == 1 and not SubmittedForm.objects.filter(pk=old.pk).exists()
    assert done.counts.get(daily.FORGOTTEN_KEYS) == 1 and "期限の過ぎた送信記録の削除 1件" in daily.counts_label(done.counts)
