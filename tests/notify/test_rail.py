"""Acts on the rail send their message (grants.notify.rail): each of the applicant's events reaches the
organisation's members once, by mail after the commit and on their ホーム; an act rolled back sends nothing; the
user who took the act gets no message of it; no mail carries a bank account or a representative's name."""
import pytest
from django.core import mail
from django.db import transaction

from grants.accounts.models import User
from grants.cases import lifecycle, services
from grants.cases.batches import record_transfer_result
from grants.cases.models import Status
from grants.competitive import panel
from grants.core import workflow
from grants.notify.models import Notification, NotificationStatus
from grants.organizations.models import BankAccount
from tests.cases import world as full
from tests.cases.steps import to_decided, to_verified

pytestmark = pytest.mark.django_db


def with_mail(*users: User) -> None:
    for user in users:
        user.email = f"{user.username}@example.jp"
        user.save(update_fields=["email"])


@pytest.fixture
def mailed(run_worker, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    """Run ``act()`` committing its on-commit work, then the worker: the messages written and the mail sent."""

    def run(act):  # type: ignore[no-untyped-def]
        before = set(Notification.objects.values_list("pk", flat=True))
        sent = len(mail.outbox)
        with django_capture_on_commit_callbacks(execute=True):
            act()
        run_worker()
        return list(Notification.objects.exclude(pk__in=before).order_by("pk")), mail.outbox[sent:]

    return run


def _only(notes, outbox, event, user):  # type: ignore[no-untyped-def]
    assert [(n.event, n.recipient) for n in notes] == [(event, user)]
    assert [m.to for m in outbox] == [[user.email]]
    assert notes[0].status == NotificationStatus.SENT
    return notes[0], outbox[0]


def test_a_returned_application_tells_the_organisation_why(case, association_head, staff, mailed) -> None:  # type: ignore[no-untyped-def]
    with_mail(association_head, staff)
    services.submit_application(case_id=case.pk, actor=association_head)
    notes, outbox = mailed(lambda: services.return_application(case_id=case.pk, actor=staff,
                                                               note="世帯数の根拠資料が不足しています"))
    note, message = _only(notes, outbox, "application_returned", association_head)
    assert "差し戻されました" in note.subject and case.reference in note.subject
    assert "理由: 世帯数の根拠資料が不足しています" in note.body and case.organization.name in note.body
    assert note.url == f"/cases/{case.pk}/" and f"/cases/{case.pk}/" in message.body
    assert note.official


def test_a_decision_sends_one_message_and_the_steps_before_none(case, association_head, staff, approver,  # type: ignore[no-untyped-def]
                                                              mailed) -> None:
    with_mail(association_head, staff, approver)
    notes, outbox = mailed(lambda: to_verified(case, association_head, staff))
    assert notes == [] and outbox == []
    notes, outbox = mailed(lambda: services.decide_grant(case_id=case.pk, actor=approver))
    note, _ = _only(notes, outbox, "decision", association_head)
    assert "交付が決定しました" in note.body and "70,000円" in note.body


def test_a_refusal_is_a_decision_with_its_reason(case, association_head, staff, approver, mailed) -> None:  # type: ignore[no-untyped-def]
    with_mail(association_head)
    to_verified(case, association_head, staff)
    notes, outbox = mailed(lambda: services.refuse_grant(case_id=case.pk, actor=approver, note="対象外の活動のため"))
    note, _ = _only(notes, outbox, "decision", association_head)
    assert "不交付" in note.body and "理由: 対象外の活動のため" in note.body


def test_a_transfer_done_tells_the_amount_never_the_account(sent_batch, association_head, finance, mailed) -> None:  # type: ignore[no-untyped-def]
    with_mail(association_head, finance)
    item = sent_batch.items.get()
    notes, outbox = mailed(lambda: record_transfer_result(item_id=item.pk, actor=finance, returned=False))
    note, message = _only(notes, outbox, "payment_transferred", association_head)
    assert "70,000円を振り込みました" in note.body
    account = BankAccount.objects.get(organization=item.case.organization)
    for text in (note.subject, note.body, message.subject, message.body):
        assert account.account_number not in text and account.holder_kana not in text
        assert "山口 太郎" not in text  # the representative's name (factories) is not in the mail either


def test_a_returned_transfer_asks_the_group_to_check_its_account_without_quoting_it(  # type: ignore[no-untyped-def]
        sent_batch, association_head, finance, mailed) -> None:
    """The walk-through's 返却 told the applicant nothing: the group now hears that the money did not arrive and to
    check its account; neither the account nor the bank's reason (it may quote the account) is in the mail."""
    with_mail(association_head)
    item = sent_batch.items.get()
    account = BankAccount.objects.get(organization=item.case.organization)
    notes, outbox = mailed(lambda: record_transfer_result(
        item_id=item.pk, actor=finance, returned=True, reason=f"口座番号相違 {account.account_number}"))
    note, message = _only(notes, outbox, "payment_transferred", association_head)
    assert "70,000円は、金融機関から返却され、振り込めませんでした" in note.body and "口座" in note.body
    for text in (note.subject, note.body, message.subject, message.body):
        assert account.account_number not in text and account.holder_kana not in text and "相違" not in text


@pytest.mark.parametrize(("edge", "words"), [("approve_change", "承認されました"),
                                             ("reject_change", "承認されませんでした")])
def test_a_change_request_decided(world, edge, words, mailed) -> None:  # type: ignore[no-untyped-def]
    with_mail(world.secretary, world.staff, world.approver)
    case = full.drive(world, Status.CHANGE_CHECKED)
    notes, outbox = mailed(lambda: full.CALLS[edge](world, case, world.approver))
    note, _ = _only(notes, outbox, "change_decided", world.secretary)
    assert words in note.body


def test_a_returned_report_and_the_confirmed_amount(world, mailed) -> None:  # type: ignore[no-untyped-def]
    with_mail(world.secretary)
    case = full.drive(world, Status.REPORTED)
    notes, outbox = mailed(lambda: lifecycle.return_report(case_id=case.pk, actor=world.staff, note="領収書の写しが不足"))
    note, _ = _only(notes, outbox, "application_returned", world.secretary)
    assert "実績報告が差し戻されました" in note.body and "領収書の写しが不足" in note.body
    lifecycle.submit_report(case_id=case.pk, actor=world.secretary)
    lifecycle.verify_report(case_id=case.pk, actor=world.staff)
    notes, outbox = mailed(lambda: lifecycle.confirm(case_id=case.pk, actor=world.approver))
    note, _ = _only(notes, outbox, "decision", world.secretary)
    assert "確定額: 200,000円" in note.body


def test_the_actor_is_not_told_of_their_own_act(case, association_head, staff, mailed) -> None:  # type: ignore[no-untyped-def]
    """A head who is also the one who returns it (a test double: staff acting on a case whose member they are)."""
    from tests import factories

    with_mail(association_head, staff)
    factories.RepresentativeFactory(organization=case.organization, user=staff, name="職員 兼 会員", role="clerk")
    services.submit_application(case_id=case.pk, actor=association_head)
    notes, _ = mailed(lambda: services.return_application(case_id=case.pk, actor=staff, note="不足"))
    assert [n.recipient for n in notes] == [association_head]


def test_a_rolled_back_act_sends_nothing_though_its_listener_ran(case, association_head, staff, mailed) -> None:  # type: ignore[no-untyped-def]
    with_mail(association_head)
    services.submit_application(case_id=case.pk, actor=association_head)
    seen = []

    def spy(act) -> None:  # type: ignore[no-untyped-def]
        seen.append((act.machine.name, act.edge.name, Notification.objects.count()))

    workflow.listen(spy)
    try:
        def act_then_fail() -> None:
            with transaction.atomic():
                services.return_application(case_id=case.pk, actor=staff, note="不足")
                raise RuntimeError("something after the act fails")

        with pytest.raises(RuntimeError):
            mailed(act_then_fail)
    finally:
        workflow._LISTENERS.remove(spy)
    assert seen == [("case.formula", "return_to_applicant", 1)]  # the message was written, in the act
    assert not Notification.objects.exists() and mail.outbox == []
    case.refresh_from_db()
    assert case.status == Status.SUBMITTED


def test_a_panel_assignment_tells_the_member(open_call, staff, mailed) -> None:  # type: ignore[no-untyped-def]
    from tests import factories

    member = factories.UserFactory(username="judge9", role="panel", email="judge9@example.jp")
    with_mail(staff)
    notes, outbox = mailed(lambda: panel.assign(call_id=open_call.pk, member_id=member.pk, actor=staff))
    note, _ = _only(notes, outbox, "panel_assignment", member)
    assert str(open_call) in note.subject and note.url == "/panel/"
    notes, outbox = mailed(lambda: panel.assign(call_id=open_call.pk, member_id=member.pk, actor=staff))
    assert notes == [] and outbox == []  # assigned once


def test_decided_case_story_mails_each_member_once(case, association_head, staff, approver, mailed) -> None:  # type: ignore[no-untyped-def]
    """Every current member with a login hears; an ended term does not."""
    import datetime as dt

    from tests import factories

    old = factories.UserFactory(username="old-head", role="association_head", email="old@example.jp")
    factories.RepresentativeFactory(organization=case.organization, user=old, started_on=dt.date(2019, 4, 1),
                                    ended_on=dt.date(2024, 3, 31))
    with_mail(association_head)
    notes, _ = mailed(lambda: to_decided(case, association_head, staff, approver))
    assert [(n.event, n.recipient) for n in notes] == [("decision", association_head)]
