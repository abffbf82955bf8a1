"""Payment batches pushed at their edges: odd case ids in the POST, transfer dates on closed/past/far days,
double clicks, results recorded twice or against the wrong batch, a returned transfer re-batched, the
account changed while the transfer is in flight, empty batches."""
import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from grants.cases.batches import (
    BatchError,
    approve_payment_batch,
    create_payment_batch,
    discard_payment_batch,
    payable_cases,
    record_transfer_result,
)
from grants.cases.models import GrantCase, Status
from grants.core.bankdays import is_bank_business_day, next_bank_business_day
from grants.ledger.models import (
    BatchItem,
    BatchStatus,
    BudgetAccount,
    EntryKind,
    ItemResult,
    LedgerEntry,
    PaymentBatch,
    TransferSettings,
)
from grants.ledger.transfers import earliest_transfer_date
from grants.notices.models import Notice
from grants.organizations.models import BankAccount
from reports.zengin_batch import batch_file
from tests import factories
from tests.cases.steps import approve_case, login

pytestmark = pytest.mark.django_db



def post_batch(client, case_values, day):  # type: ignore[no-untyped-def]
    return client.post(reverse("payment_queue"), {"case": case_values, "transfer_date": day.isoformat()})


@pytest.fixture
def draft_batch(approved_case, finance, transfer_day):  # type: ignore[no-untyped-def]
    return create_payment_batch(actor=finance, case_ids=[approved_case.pk], transfer_date=transfer_day)


@pytest.fixture
def sent_batch(draft_batch, finance2, transfer_settings):  # type: ignore[no-untyped-def]
    return approve_payment_batch(batch_id=draft_batch.pk, actor=finance2, write_file=batch_file)


# --- case ids in the POST ---------------------------------------------------------------------------------

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


def test_unknown_id_next_to_a_valid_one_refuses_the_whole_batch(finance, approved_case, transfer_day) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(BatchError, match="存在しない案件"):
        create_payment_batch(actor=finance, case_ids=[approved_case.pk, 999_999_999_999], transfer_date=transfer_day)
    assert not PaymentBatch.objects.exists()


@pytest.mark.parametrize("status_step", ["draft", "decided", "paid"])
def test_cases_in_other_states_are_refused(finance, finance2, case, association_head, staff, approver, transfer_day, transfer_settings, status_step) -> None:  # type: ignore[no-untyped-def]
    from grants.cases import services

    if status_step != "draft":
        services.submit_application(case_id=case.pk, actor=association_head)
        services.verify_application(case_id=case.pk, actor=staff)
        services.decide_grant(case_id=case.pk, actor=approver)
    if status_step == "paid":
        services.prepare_payment(case_id=case.pk, actor=staff)
        services.approve_payment(case_id=case.pk, actor=finance)
        batch = create_payment_batch(actor=finance, case_ids=[case.pk], transfer_date=transfer_day)
        approve_payment_batch(batch_id=batch.pk, actor=finance2, write_file=batch_file)
    with pytest.raises(BatchError, match="支出承認済でない"):
        create_payment_batch(actor=finance, case_ids=[case.pk], transfer_date=transfer_day)


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


# --- transfer dates ---------------------------------------------------------------------------------------

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


def test_far_future_business_day_never_posts_a_payment(finance, finance2, approved_case, transfer_settings) -> None:  # type: ignore[no-untyped-def]
    """A transfer date decades ahead: at HEAD the batch is made (no horizon at creation) but approval is refused
    by the ledger (payment after the 出納整理期間); either way nothing is posted and the case stays payable."""
    day = next_bank_business_day(dt.date(timezone.localdate().year + 30, 6, 1))
    try:
        batch = create_payment_batch(actor=finance, case_ids=[approved_case.pk], transfer_date=day)
    except BatchError:
        assert not PaymentBatch.objects.exists()
    else:
        with pytest.raises(BatchError, match="出納整理期間"):
            approve_payment_batch(batch_id=batch.pk, actor=finance2, write_file=batch_file)
        discard_payment_batch(batch_id=batch.pk, actor=finance2)
    assert not LedgerEntry.objects.filter(kind=EntryKind.PAYMENT).exists()
    assert list(payable_cases()) == [approved_case]


def test_regression_lead_days_minimum_is_not_enforced(finance, finance2, approved_case, transfer_settings) -> None:  # type: ignore[no-untyped-def]
    """Was a bug, now fixed (grants/ledger/batches.py create_payment_batch / approve_payment_batch): TransferSettings.lead_days
    is 「振込指定日までの最短営業日数」 — the bank needs the file that many business days before the transfer
    date — but it only sets the form's initial date (earliest_transfer_date). A batch for the very next
    business day (or today) is created and approved, and the file will reach the bank too late. Suggested
    fix: in ``_check_transfer_date`` refuse ``day < earliest_transfer_date()`` (at creation and again at
    approval)."""
    transfer_settings.lead_days = 3
    transfer_settings.save()
    too_soon = next_bank_business_day(timezone.localdate())
    assert too_soon < earliest_transfer_date()
    with pytest.raises(BatchError):
        create_payment_batch(actor=finance, case_ids=[approved_case.pk], transfer_date=too_soon)


def test_transfer_date_that_became_past_refuses_approval(finance, finance2, approved_case, transfer_day, transfer_settings) -> None:  # type: ignore[no-untyped-def]
    batch = create_payment_batch(actor=finance, case_ids=[approved_case.pk], transfer_date=transfer_day)
    PaymentBatch.objects.filter(pk=batch.pk).update(transfer_date=dt.date(2020, 1, 6))
    with pytest.raises(BatchError, match="過去|早すぎ"):
        approve_payment_batch(batch_id=batch.pk, actor=finance2, write_file=batch_file)
    assert not LedgerEntry.objects.filter(kind=EntryKind.PAYMENT).exists()


# --- double clicks, results twice, wrong batch ----------------------------------------------------------------

def test_double_click_on_approve_posts_once(client, finance2, draft_batch, transfer_settings) -> None:  # type: ignore[no-untyped-def]
    login(client, finance2)
    url = reverse("approve_batch", args=[draft_batch.pk])
    first, second = client.post(url), client.post(url)
    assert first.status_code == second.status_code == 302
    assert LedgerEntry.objects.filter(kind=EntryKind.PAYMENT).count() == 1
    assert BudgetAccount.objects.get().paid == 70_000
    page = client.get(first.url)
    assert "すでに承認されています" in page.content.decode()


def test_discard_after_approval_is_refused(finance, sent_batch) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(BatchError, match="承認済"):
        discard_payment_batch(batch_id=sent_batch.pk, actor=finance)
    assert PaymentBatch.objects.get(pk=sent_batch.pk).status == BatchStatus.APPROVED


def test_approving_a_discarded_batch_is_refused(finance, finance2, draft_batch, transfer_settings) -> None:  # type: ignore[no-untyped-def]
    discard_payment_batch(batch_id=draft_batch.pk, actor=finance)
    with pytest.raises(BatchError):
        approve_payment_batch(batch_id=draft_batch.pk, actor=finance2, write_file=batch_file)
    assert not LedgerEntry.objects.filter(kind=EntryKind.PAYMENT).exists()


@pytest.mark.parametrize("first,second", [(False, False), (False, True), (True, False), (True, True)])
def test_result_recorded_twice_is_refused(finance, sent_batch, first, second) -> None:  # type: ignore[no-untyped-def]
    item = sent_batch.items.get()
    record_transfer_result(item_id=item.pk, actor=finance, returned=first, reason="口座解約")
    with pytest.raises(BatchError, match="すでに記録"):
        record_transfer_result(item_id=item.pk, actor=finance, returned=second, reason="口座解約")
    assert LedgerEntry.objects.filter(kind=EntryKind.REVERSAL).count() == (1 if first else 0)
    assert Notice.objects.filter(kind="payment").count() == (0 if first else 1)


def test_result_of_an_item_of_a_draft_batch_is_refused(finance, draft_batch) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(BatchError, match="まだ送金されていません"):
        record_transfer_result(item_id=draft_batch.items.get().pk, actor=finance, returned=False)


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


# --- returned, re-batched ------------------------------------------------------------------------------------

def test_returned_transfer_rebatched_then_paid_reconciles(finance, finance2, sent_batch, transfer_day) -> None:  # type: ignore[no-untyped-def]
    item = sent_batch.items.get()
    record_transfer_result(item_id=item.pk, actor=finance, returned=True, reason="口座解約")
    again = create_payment_batch(actor=finance2, case_ids=[item.case_id], transfer_date=transfer_day)
    assert again.items.get().amount == 70_000
    approve_payment_batch(batch_id=again.pk, actor=finance, write_file=batch_file)
    record_transfer_result(item_id=again.items.get().pk, actor=finance2, returned=False)
    case = GrantCase.objects.get(pk=item.case_id)
    account = BudgetAccount.objects.get()
    assert (case.status, case.paid_amount, account.paid, account.committed) == (Status.PAID, 70_000, 70_000, 70_000)
    net = sum(e.amount for e in LedgerEntry.objects.filter(kind=EntryKind.PAYMENT, reversed_by__isnull=True))
    assert net == 70_000
    assert Notice.objects.filter(case=case, kind="payment").count() == 1
    # both items exist: the returned one (history) and the live one
    assert list(BatchItem.objects.filter(case=case).order_by("pk").values_list("result", flat=True)) == [
        ItemResult.RETURNED, ItemResult.PAID
    ]


def test_returned_twice_then_paid(finance, finance2, sent_batch, transfer_day) -> None:  # type: ignore[no-untyped-def]
    case_id = sent_batch.items.get().case_id
    item = sent_batch.items.get()
    for _ in range(2):
        record_transfer_result(item_id=item.pk, actor=finance, returned=True, reason="口座解約")
        batch = create_payment_batch(actor=finance2, case_ids=[case_id], transfer_date=transfer_day)
        approve_payment_batch(batch_id=batch.pk, actor=finance, write_file=batch_file)
        item = batch.items.get()
    assert BudgetAccount.objects.get().paid == 70_000
    assert LedgerEntry.objects.filter(kind=EntryKind.REVERSAL).count() == 2


def test_regression_payment_notice_names_the_current_account_not_the_one_paid(finance, finance2, sent_batch) -> None:  # type: ignore[no-untyped-def]
    """Was a bug, now fixed (grants/notices/services.py _details, kind payment; called from grants/ledger/batches.py
    _notify_paid): the 支払通知書 says 「下記のとおり指定の口座に振り込みました」 and prints
    ``organization.current_bank_account()`` at the time the result is recorded, not the account the money
    went to (the batch item's snapshot, the one in the 全銀 file). If the association registers a new account
    while the transfer is in flight, the notice names an account that received nothing. Suggested fix: pass
    the BatchItem's bank/branch/type/number to ``issue_notice`` (e.g. an ``account`` argument) and mask that."""
    item = sent_batch.items.get()
    org = item.case.organization
    BankAccount.objects.filter(organization=org).update(is_current=False)
    factories.BankAccountFactory(organization=org, account_number="7777999")
    record_transfer_result(item_id=item.pk, actor=finance, returned=False)
    notice = Notice.objects.get(case_id=item.case_id, kind="payment")
    assert notice.details["account"].endswith(item.account_number[-3:]), (notice.details["account"],
                                                                            item.account_number)


def test_account_changed_after_batching_file_uses_the_snapshot(finance, finance2, draft_batch, transfer_settings) -> None:  # type: ignore[no-untyped-def]
    item = draft_batch.items.get()
    BankAccount.objects.filter(organization=item.case.organization).update(account_number="0000001")
    approved = approve_payment_batch(batch_id=draft_batch.pk, actor=finance2, write_file=batch_file)
    assert item.account_number.encode() in approved.file.read()


# --- empty / odd batches ----------------------------------------------------------------------------------------

def test_batch_with_zero_items_cannot_be_approved(finance, finance2, transfer_day, transfer_settings) -> None:  # type: ignore[no-untyped-def]
    """Not reachable through the service (it refuses no ids); a row made by hand is refused at approval."""
    with pytest.raises(BatchError, match="選んでください"):
        create_payment_batch(actor=finance, case_ids=[], transfer_date=transfer_day)
    empty = PaymentBatch.objects.create(transfer_date=transfer_day, prepared_by=finance)
    with pytest.raises(BatchError, match="1件もありません"):
        approve_payment_batch(batch_id=empty.pk, actor=finance2, write_file=batch_file)
    assert PaymentBatch.objects.get(pk=empty.pk).status == BatchStatus.DRAFT


def test_missing_transfer_settings_refuse_approval_and_post_nothing(finance2, draft_batch) -> None:  # type: ignore[no-untyped-def]
    assert not TransferSettings.objects.exists()
    with pytest.raises(BatchError, match="振込ファイルの設定"):
        approve_payment_batch(batch_id=draft_batch.pk, actor=finance2, write_file=batch_file)
    assert not LedgerEntry.objects.filter(kind=EntryKind.PAYMENT).exists()
    assert GrantCase.objects.get(pk=draft_batch.items.get().case_id).status == Status.PAYMENT_APPROVED


def test_regression_transfer_settings_cannot_be_entered_in_the_admin() -> None:
    """Was a bug, now fixed (grants/ledger/admin.py): TransferSettings is "one row, edited in the admin" (model docstring) and the
    approval's refusal says 「管理画面で登録してください」, but the model is not registered in the admin, so the
    only way to create it is ``setup_demo`` or a shell: a real deployment cannot approve any batch. Suggested
    fix: ``@admin.register(TransferSettings)`` (limited to one row), with the names validated by
    ``normalize_account_name``/the writer's character set."""
    from django.contrib import admin

    assert TransferSettings in admin.site._registry


def test_bank_code_not_in_zengin_code_refuses_approval(finance, finance2, draft_batch, transfer_settings) -> None:  # type: ignore[no-untyped-def]
    BatchItem.objects.filter(batch=draft_batch).update(bank_code="9998")
    with pytest.raises(BatchError, match="9998"):
        approve_payment_batch(batch_id=draft_batch.pk, actor=finance2, write_file=batch_file)
    assert not LedgerEntry.objects.filter(kind=EntryKind.PAYMENT).exists()


def test_regression_fullwidth_digits_pass_account_validation_but_block_the_batch(finance, finance2, approved_case, transfer_day, transfer_settings) -> None:  # type: ignore[no-untyped-def]
    """Was a bug, now fixed (grants/organizations/models.py BankAccount.clean): the account number is checked with
    ``isdigit()``, which is true for full-width ｢１２３４５６７｣ (and Arabic-Indic digits), so the admin accepts
    it; the 全銀 writer then refuses it (not ASCII digits) and the *whole batch* cannot be approved until
    someone finds the account. Suggested fix: ``re.fullmatch(r"[0-9]{7}", ...)`` (or convert full-width
    digits to ASCII in clean())."""
    from django.core.exceptions import ValidationError

    account = approved_case.organization.current_bank_account()
    account.account_number = "１２３４５６７"
    with pytest.raises(ValidationError):
        account.full_clean()


def test_amount_snapshot_matches_posted_payment(finance, finance2, sent_batch) -> None:  # type: ignore[no-untyped-def]
    item = sent_batch.items.get()
    assert item.payment_entry.amount == item.amount == GrantCase.objects.get(pk=item.case_id).decided_amount


def test_next_business_day_helper_never_lands_on_a_closed_day() -> None:
    day = dt.date(2026, 12, 28)
    for _ in range(800):
        assert is_bank_business_day(next_bank_business_day(day))
        day += dt.timedelta(days=1)


def test_case_whose_account_was_withdrawn_makes_no_half_batch(finance, approved_case, other_case, staff, staff2, approver, transfer_day) -> None:  # type: ignore[no-untyped-def]
    approve_case(other_case, staff2, staff, approver, staff, finance)
    BankAccount.objects.filter(organization=other_case.organization).update(is_current=False)
    with pytest.raises(BatchError, match="口座が登録されていません"):
        create_payment_batch(actor=finance, case_ids=[approved_case.pk, other_case.pk], transfer_date=transfer_day)
    assert not PaymentBatch.objects.exists() and not BatchItem.objects.exists()
    assert set(payable_cases()) == {approved_case, GrantCase.objects.get(pk=other_case.pk)}
