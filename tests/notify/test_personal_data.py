"""No mail carries personal data (GRANTS.md: the 保険担当 alone sees an injured person's data; a bank account is
never mailed): after a grant paid by transfer, an application returned and refused with reasons, and an insurance
claim filed for an injured participant, no message's subject or text — nor any mail sent — holds an injured
person's name, address, phone or injury, an account number or holder name, or a representative's name."""
import pytest
from django.core import mail

from grants.cases import services
from grants.cases.batches import record_transfer_result
from grants.notify.models import Notification
from grants.organizations.models import BankAccount, Representative
from tests.cases.steps import to_verified
from tests.insurance.groups import PERSONAL, make_group

pytestmark = pytest.mark.django_db


def test_no_message_holds_personal_data(sent_batch, association, association_head, staff, approver, finance,  # type: ignore[no-untyped-def]
                                        other_case, insurance, policy, run_worker,
                                        django_capture_on_commit_callbacks) -> None:
    for user in (association_head, staff, approver, finance, insurance):
        user.email = f"{user.username}@example.jp"
        user.save(update_fields=["email"])
    other_head = Representative.objects.get(organization=other_case.organization)
    other_head.user = association_head.__class__.objects.create(username="other-head", role="association_head",
                                                                email="other@example.jp")
    other_head.save()
    with django_capture_on_commit_callbacks(execute=True):
        record_transfer_result(item_id=sent_batch.items.get().pk, actor=finance, returned=False)
        services.submit_application(case_id=other_case.pk, actor=other_head.user)
        services.return_application(case_id=other_case.pk, actor=staff, note="書類の不足")
        to_verified(other_case, other_head.user, staff)
        services.refuse_grant(case_id=other_case.pk, actor=approver, note="対象外の活動のため")
        make_group(association, association_head, insurance)
    run_worker()
    notes = list(Notification.objects.all())
    assert {n.event for n in notes} >= {"payment_transferred", "application_returned", "decision"}
    assert len(mail.outbox) == sum(n.status == "sent" for n in notes) >= 3
    forbidden = [*PERSONAL, *Representative.objects.values_list("name", flat=True)]
    for account in BankAccount.objects.all():
        forbidden += [account.account_number, account.holder_kana]
    texts = [t for n in notes for t in (n.subject, n.body)] + [t for m in mail.outbox for t in (m.subject, m.body)]
    leaks = sorted({word for word in forbidden for text in texts if word and word in text})
    assert leaks == []
