"""The finance pages of payment batches (pages/payments/views.py) attacked: odd case ids in the POST, transfer dates
on closed/past/far days, double clicks, results posted twice or for another batch's item, unknown or huge ids, and
every role but 会計課."""
import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from grants.accounts.models import Role
from grants.cases.batches import (
    BatchError,
    approve_payment_batch,
    create_payment_batch,
    discard_payment_batch,
    payable_cases,
)
from grants.cases.models import GrantCase, Status
from grants.core.models import AuditEvent
from grants.ledger.models import BatchStatus, BudgetAccount, EntryKind, ItemResult, LedgerEntry, PaymentBatch
from reports.zengin_batch import batch_file
from tests.cases.steps import approve_case, login

pytestmark = pytest.mark.django_db


def post_batch(client, case_values, day):  # type: ignore[no-untyped-def]
    return client.post(reverse("payment_queue"), {"case": case_values, "transfer_date": day.isoformat()})


@pytest.mark.parametrize("values", [
    ["1 OR 1=1"], ["1; DROP TABLE cases_grantcase"], ["-1"], ["0"], ["999999999999"], ["9" * 40],
    ["1e3"], [""], ["0x1"], [],
])
def test_malicious_or_unknown_case_ids_make_no_batch(client, finance, approved_case, transfer_day, values) -> None:  # type: ignore[no-untyped-def]
    login(client, finance)
    response = post_batch(client, values, transfer_day)
    assert response.status_code == 200  # the form again, with a message
    assert not PaymentBatch.objects.exists()
    assert list(payable_cases()) == [approved_case]


def test_a_valid_id_mixed_with_junk_only_batches_the_valid_one(client, finance, approved_case, transfer_day) -> None:  # type: ignore[no-untyped-def]
    login(client, finance)
    response = post_batch(client, [str(approved_case.pk), "1 OR 1=1", "99999999999999999999"], transfer_day)
    assert response.status_code == 302
    assert list(PaymentBatch.objects.get().items.values_list("case_id", flat=True)) == [approved_case.pk]


def test_regression_superscript_digit_in_case_id_is_a_server_error(client, finance, approved_case, transfer_day) -> None:  # type: ignore[no-untyped-def]
    """Was a bug, now fixed (grants/ledger/forms.py parse_case_ids): ``v.isdigit()`` is true for Unicode digits such as "²" or
    "³", but ``int("²")`` raises ValueError, so a tampered POST ``case=²`` is a 500 instead of the usual
    "選んでください" message (full-width "１" is silently read as case 1). Suggested fix: accept only ``v.isascii() and v.isdigit()`` (or a
    ``re.fullmatch(r"[0-9]{1,12}", v)``)."""
    login(client, finance)
    client.raise_request_exception = False
    response = post_batch(client, ["²"], transfer_day)
    assert response.status_code in (200, 302)
    assert not PaymentBatch.objects.exists()


def _future(month: int, day: int) -> dt.date:
    today = timezone.localdate()
    candidate = dt.date(today.year, month, day)
    return candidate if candidate > today else dt.date(today.year + 1, month, day)


def _next_weekday(weekday: int) -> dt.date:
    day = timezone.localdate() + dt.timedelta(days=1)
    while day.weekday() != weekday:
        day += dt.timedelta(days=1)
    return day


@pytest.mark.parametrize("day_of", [
    lambda: _future(12, 31), lambda: _future(1, 1), lambda: _future(1, 2), lambda: _future(1, 3),
    lambda: _next_weekday(5), lambda: _next_weekday(6), lambda: _future(5, 3), lambda: _future(11, 3),
    lambda: timezone.localdate() - dt.timedelta(days=1), lambda: dt.date(2000, 1, 4),
])
def test_closed_and_past_transfer_dates_are_refused_by_page_and_service(client, finance, approved_case, day_of) -> None:  # type: ignore[no-untyped-def]
    day = day_of()
    with pytest.raises(BatchError, match="休業日|過去|早すぎ"):
        create_payment_batch(actor=finance, case_ids=[approved_case.pk], transfer_date=day)
    login(client, finance)
    response = post_batch(client, [approved_case.pk], day)
    assert response.status_code == 200
    assert not PaymentBatch.objects.exists()


@pytest.mark.parametrize("raw", ["2026-02-30", "not-a-date", "", "99999-01-01", "0000-01-01", "2026-13-01"])
def test_malformed_transfer_dates_are_form_errors(client, finance, approved_case, raw) -> None:  # type: ignore[no-untyped-def]
    login(client, finance)
    response = client.post(reverse("payment_queue"), {"case": [approved_case.pk], "transfer_date": raw})
    assert response.status_code == 200
    assert not PaymentBatch.objects.exists()


def test_regression_year_9999_closure_day_is_a_server_error(client, finance, approved_case) -> None:  # type: ignore[no-untyped-def]
    """Was a bug, now fixed (grants/ledger/batches.py _check_transfer_date → grants/core/bankdays.py next_bank_business_day):
    for a closed day at the end of the calendar (9999-12-31, a valid ``DateField`` value) the refusal message
    asks for the next business day, which overflows ``date`` (OverflowError) → 500. Suggested fix: refuse
    transfer dates beyond a sane horizon (e.g. the end of the 出納整理期間 of the next year) before computing
    the suggestion, or catch OverflowError there."""
    login(client, finance)
    client.raise_request_exception = False
    response = post_batch(client, [approved_case.pk], dt.date(9999, 12, 31))
    assert response.status_code == 200
    assert not PaymentBatch.objects.exists()


def test_double_click_on_approve_posts_once(client, finance2, draft_batch, transfer_settings) -> None:  # type: ignore[no-untyped-def]
    login(client, finance2)
    url = reverse("approve_batch", args=[draft_batch.pk])
    first, second = client.post(url), client.post(url)
    assert first.status_code == second.status_code == 302
    assert LedgerEntry.objects.filter(kind=EntryKind.PAYMENT).count() == 1
    assert BudgetAccount.objects.get().paid == 70_000
    page = client.get(first.url)
    assert "すでに承認されています" in page.content.decode()


def test_regression_result_form_without_a_result_button_records_paid(client, finance, sent_batch) -> None:  # type: ignore[no-untyped-def]
    """Was a bug, now fixed (grants/ledger/views.py record_result): anything but ``result=returned`` is taken as 振込完了. The
    result form has a text field (返却の理由) and 振込完了 as its *first* submit button, so a clerk who types
    the return reason and presses Enter submits ``result=paid`` (implicit submission) — or a POST without
    ``result`` at all — and the transfer is recorded as completed, the 支払通知書 is issued, and the result
    can never be corrected (it is no longer 送金済). The return reason is even stored on the paid item.
    Suggested fix: require ``result`` in {"paid", "returned"} (400 otherwise) and refuse a reason with
    "paid"; put the 返却 button in its own form."""
    item = sent_batch.items.get()
    login(client, finance)
    client.post(reverse("record_result", args=[sent_batch.pk, item.pk]), {"reason": "口座解約済（振込不能）"})
    item.refresh_from_db()
    assert item.result == ItemResult.SENT, (item.result, item.return_reason)


def test_regression_result_url_accepts_an_item_of_another_batch(client, finance, finance2, sent_batch, other_case, staff, staff2, approver, transfer_day) -> None:  # type: ignore[no-untyped-def]
    """Was a bug, now fixed (grants/ledger/views.py record_result): the URL names a batch and an item, but the item is looked
    up alone, so /payments/batches/<A>/items/<item of B>/result/ records B's result (and the audit event on
    B) from A's page. Suggested fix: ``get_object_or_404(BatchItem, pk=item_pk, batch_id=pk)`` (or pass the
    batch id to ``record_transfer_result`` and filter on it)."""
    approve_case(other_case, staff2, staff, approver, staff, finance)
    other = create_payment_batch(actor=finance, case_ids=[other_case.pk], transfer_date=transfer_day)
    approve_payment_batch(batch_id=other.pk, actor=finance2, write_file=batch_file)
    other_item = other.items.get()
    login(client, finance)
    client.raise_request_exception = False
    response = client.post(reverse("record_result", args=[sent_batch.pk, other_item.pk]), {"result": "paid"})
    other_item.refresh_from_db()
    assert other_item.result == ItemResult.SENT and response.status_code in (302, 404)


def test_unknown_batch_approval_is_404(client, finance) -> None:  # type: ignore[no-untyped-def]
    login(client, finance)
    assert client.post(reverse("approve_batch", args=[999_999])).status_code == 404


@pytest.mark.parametrize("view", ["discard_batch", "record_result"])
def test_regression_unknown_batch_or_item_is_404_not_500(client, finance, view) -> None:  # type: ignore[no-untyped-def]
    """Was a bug, now fixed (grants/ledger/views.py discard_batch, record_result): ``PaymentBatch.DoesNotExist`` /
    ``BatchItem.DoesNotExist`` from the services are not caught (approve_batch catches it), so a POST for a
    missing or deleted batch/item is a 500. Suggested fix: catch DoesNotExist → Http404 as approve_batch does
    (or get_object_or_404 first)."""
    login(client, finance)
    client.raise_request_exception = False
    args = [999_999] if view != "record_result" else [999_999, 999_999]
    assert client.post(reverse(view, args=args)).status_code == 404


@pytest.mark.parametrize("view", ["payment_batch", "batch_file"])
def test_unknown_or_huge_batch_pages_are_404(client, finance, view) -> None:  # type: ignore[no-untyped-def]
    login(client, finance)
    for pk in (999_999, 2**63 - 1, 10**30):
        assert client.get(f"/payments/batches/{pk}/" + ("file/" if view == "batch_file" else "")).status_code == 404


def test_file_of_a_draft_or_discarded_batch_is_404(client, finance, draft_batch) -> None:  # type: ignore[no-untyped-def]
    login(client, finance)
    assert client.get(reverse("batch_file", args=[draft_batch.pk])).status_code == 404
    discard_payment_batch(batch_id=draft_batch.pk, actor=finance)
    assert client.get(reverse("batch_file", args=[draft_batch.pk])).status_code == 404


# Payment batches attacked by the wrong people: every role but 会計課 through the pages (POSTs) and the
# services, the preparer approving their own batch (also after a role change), an association head on the
# /payments/ pages, an auditor downloading the 全銀 file.


def _non_finance(request, association_head, staff, approver, auditor):  # type: ignore[no-untyped-def]
    return {"head": association_head, "staff": staff, "approver": approver, "auditor": auditor}[request.param]


@pytest.fixture(params=["head", "staff", "approver", "auditor"])
def outsider(request, association_head, staff, approver, auditor):  # type: ignore[no-untyped-def]
    return _non_finance(request, association_head, staff, approver, auditor)


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
    assert GrantCase.objects.get(pk=item.case_id).status == Status.TRANSFER_SENT


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
