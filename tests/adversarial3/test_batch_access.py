"""Payment batches attacked by the wrong people: every role but 会計課 through the pages (POSTs) and the
services, the preparer approving their own batch (also after a role change), an association head on the
/payments/ pages, an auditor downloading the 全銀 file."""
import pytest
from django.urls import reverse

from grants.accounts.models import Role
from grants.cases.batches import (
    BatchError,
    approve_payment_batch,
    create_payment_batch,
    discard_payment_batch,
    record_transfer_result,
)
from grants.cases.models import GrantCase, Status
from grants.core.models import AuditEvent
from grants.ledger.models import BatchStatus, EntryKind, ItemResult, LedgerEntry, PaymentBatch
from reports.zengin_batch import batch_file
from tests import factories
from tests.cases.steps import login

pytestmark = pytest.mark.django_db



@pytest.fixture
def draft_batch(approved_case, finance, transfer_day):  # type: ignore[no-untyped-def]
    return create_payment_batch(actor=finance, case_ids=[approved_case.pk], transfer_date=transfer_day)


@pytest.fixture
def sent_batch(draft_batch, finance2, transfer_settings):  # type: ignore[no-untyped-def]
    return approve_payment_batch(batch_id=draft_batch.pk, actor=finance2, write_file=batch_file)


def _non_finance(request, association_head, staff, approver, auditor):  # type: ignore[no-untyped-def]
    return {"head": association_head, "staff": staff, "approver": approver, "auditor": auditor}[request.param]


@pytest.fixture(params=["head", "staff", "approver", "auditor"])
def outsider(request, association_head, staff, approver, auditor):  # type: ignore[no-untyped-def]
    return _non_finance(request, association_head, staff, approver, auditor)


# --- services --------------------------------------------------------------------------------------------

def test_services_refuse_every_role_but_finance(outsider, approved_case, draft_batch, transfer_day) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(BatchError, match="会計課"):
        create_payment_batch(actor=outsider, case_ids=[approved_case.pk], transfer_date=transfer_day)
    with pytest.raises(BatchError, match="会計課"):
        approve_payment_batch(batch_id=draft_batch.pk, actor=outsider, write_file=batch_file)
    with pytest.raises(BatchError, match="会計課"):
        discard_payment_batch(batch_id=draft_batch.pk, actor=outsider)
    assert PaymentBatch.objects.get(pk=draft_batch.pk).status == BatchStatus.DRAFT


def test_result_service_refuses_every_role_but_finance(outsider, sent_batch) -> None:  # type: ignore[no-untyped-def]
    item = sent_batch.items.get()
    for returned in (False, True):
        with pytest.raises(BatchError, match="会計課"):
            record_transfer_result(item_id=item.pk, actor=outsider, returned=returned, reason="x")
    assert sent_batch.items.get().result == ItemResult.SENT


# --- pages -----------------------------------------------------------------------------------------------

def test_pages_refuse_every_role_but_finance(client, outsider, approved_case, draft_batch, transfer_day) -> None:  # type: ignore[no-untyped-def]
    """Heads, staff and approvers get 403 everywhere; the auditor may read but every write is refused with a
    message and changes nothing."""
    login(client, outsider)
    posts = [
        (reverse("payment_queue"), {"case": [approved_case.pk], "transfer_date": transfer_day}),
        (reverse("approve_batch", args=[draft_batch.pk]), {}),
        (reverse("discard_batch", args=[draft_batch.pk]), {}),
    ]
    for url, data in posts:
        response = client.post(url, data)
        if outsider.role == Role.AUDITOR:
            assert response.status_code in (200, 302), url
        else:
            assert response.status_code == 403, url
    assert PaymentBatch.objects.count() == 1
    assert PaymentBatch.objects.get(pk=draft_batch.pk).status == BatchStatus.DRAFT
    assert not LedgerEntry.objects.filter(kind=EntryKind.PAYMENT).exists()


def test_result_page_refuses_every_role_but_finance(client, outsider, sent_batch) -> None:  # type: ignore[no-untyped-def]
    item = sent_batch.items.get()
    login(client, outsider)
    for result in ("paid", "returned"):
        response = client.post(reverse("record_result", args=[sent_batch.pk, item.pk]),
                               {"result": result, "reason": "口座解約"})
        assert response.status_code == (302 if outsider.role == Role.AUDITOR else 403)
    assert sent_batch.items.get().result == ItemResult.SENT
    assert GrantCase.objects.get(pk=item.case_id).status == Status.PAID


def test_head_gets_403_on_every_payment_page(client, association_head, sent_batch) -> None:  # type: ignore[no-untyped-def]
    login(client, association_head)
    for url in (reverse("payment_queue"), reverse("payment_batch", args=[sent_batch.pk]),
                reverse("batch_file", args=[sent_batch.pk])):
        assert client.get(url).status_code == 403, url


def test_anonymous_is_sent_to_login(client, sent_batch) -> None:  # type: ignore[no-untyped-def]
    for url in (reverse("payment_queue"), reverse("batch_file", args=[sent_batch.pk])):
        response = client.get(url)
        assert response.status_code == 302 and "login" in response.url


def test_auditor_may_download_the_file_read_only(client, auditor, sent_batch) -> None:  # type: ignore[no-untyped-def]
    """Decision: the 監査委員事務局 checks what was sent to the bank, so reading the file is allowed; the page
    offers the auditor no write form."""
    login(client, auditor)
    response = client.get(reverse("batch_file", args=[sent_batch.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"121")
    page = client.get(reverse("payment_batch", args=[sent_batch.pk])).content.decode()
    assert "record_result" not in page and "/result/" not in page and "/approve/" not in page


def test_regression_zengin_file_download_is_not_in_the_audit_trail(client, auditor, sent_batch) -> None:
    """Was a bug, now fixed (grants/ledger/views.py batch_file_download): the 全銀 file holds every payee's full account number
    and name, yet downloading it (here by the auditor; equally by any 会計課 user) leaves no audit event,
    whereas a single notice PDF — which shows only a masked account — is recorded
    (``download_notice_pdf``). Suggested fix: ``record_event(actor=request.user, subject=batch,
    action="download_zengin_file")`` before returning the FileResponse."""
    login(client, auditor)
    assert client.get(reverse("batch_file", args=[sent_batch.pk])).status_code == 200
    assert AuditEvent.objects.filter(actor=auditor).exists()


# --- separation of duties --------------------------------------------------------------------------------

def test_preparer_cannot_approve_even_after_a_role_round_trip(client, draft_batch, finance) -> None:  # type: ignore[no-untyped-def]
    """The check is on the person (prepared_by), not on the role: leaving 会計課 and coming back does not help,
    neither through the service nor the page; a DB CHECK backs it."""
    finance.role = Role.STAFF
    finance.save()
    finance.role = Role.FINANCE
    finance.save()
    with pytest.raises(BatchError, match="作成した方は"):
        approve_payment_batch(batch_id=draft_batch.pk, actor=finance, write_file=batch_file)
    login(client, finance)
    client.post(reverse("approve_batch", args=[draft_batch.pk]))
    assert PaymentBatch.objects.get(pk=draft_batch.pk).status == BatchStatus.DRAFT
    assert "振込バッチを承認し" not in client.get(reverse("payment_batch", args=[draft_batch.pk])).content.decode()


def test_db_check_refuses_preparer_as_approver(draft_batch) -> None:  # type: ignore[no-untyped-def]
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        PaymentBatch.objects.filter(pk=draft_batch.pk).update(approved_by=draft_batch.prepared_by)


def test_staff_turned_finance_still_needs_a_second_person(client, approved_case, transfer_day, transfer_settings) -> None:  # type: ignore[no-untyped-def]
    """One account promoted to 会計課 can prepare a batch but never push it through alone."""
    user = factories.UserFactory(username="promoted", role=Role.STAFF)
    user.role = Role.FINANCE
    user.save()
    batch = create_payment_batch(actor=user, case_ids=[approved_case.pk], transfer_date=transfer_day)
    with pytest.raises(BatchError):
        approve_payment_batch(batch_id=batch.pk, actor=user, write_file=batch_file)
    assert not LedgerEntry.objects.filter(kind=EntryKind.PAYMENT).exists()


@pytest.mark.parametrize("action", ["record_paid", "return_transfer"])
def test_batch_only_transitions_cannot_be_posted_from_the_case_page(client, approved_case, finance2, action) -> None:  # type: ignore[no-untyped-def]
    """Paying without a batch (no 全銀 file, no second 会計課 approval) through the generic case action URL."""
    login(client, finance2)
    response = client.post(reverse("case_action", args=[approved_case.pk, action]), {"note": "x"})
    assert response.status_code == 404
    assert GrantCase.objects.get(pk=approved_case.pk).status == Status.PAYMENT_APPROVED
    assert not LedgerEntry.objects.filter(kind=EntryKind.PAYMENT).exists()
