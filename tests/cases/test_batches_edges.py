"""Payment batches (grants/cases/batches.py) pushed at their edges: cases in other states, transfer dates that became
past or lie far ahead, results recorded twice, returned transfers batched again, account snapshots, missing or bad
transfer settings, and every role but 会計課 refused by the services."""
import datetime as dt

import pytest
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
from grants.core.bankdays import next_bank_business_day
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
from tests.cases.steps import approve_case
from tests.councils.helpers import pay_orders
from tests.councils.steps import decided


@pytest.mark.django_db
def test_unknown_id_next_to_a_valid_one_refuses_the_whole_batch(finance, approved_case, transfer_day) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(BatchError, match="存在しない案件"):
        create_payment_batch(actor=finance, case_ids=[approved_case.pk, 999_999_999_999], transfer_date=transfer_day)
    assert not PaymentBatch.objects.exists()


@pytest.mark.django_db
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


@pytest.mark.django_db
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


@pytest.mark.django_db
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


@pytest.mark.django_db
def test_transfer_date_that_became_past_refuses_approval(finance, finance2, approved_case, transfer_day, transfer_settings) -> None:  # type: ignore[no-untyped-def]
    batch = create_payment_batch(actor=finance, case_ids=[approved_case.pk], transfer_date=transfer_day)
    PaymentBatch.objects.filter(pk=batch.pk).update(transfer_date=dt.date(2020, 1, 6))
    with pytest.raises(BatchError, match="過去|早すぎ"):
        approve_payment_batch(batch_id=batch.pk, actor=finance2, write_file=batch_file)
    assert not LedgerEntry.objects.filter(kind=EntryKind.PAYMENT).exists()


@pytest.mark.django_db
def test_discard_after_approval_is_refused(finance, sent_batch) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(BatchError, match="承認済"):
        discard_payment_batch(batch_id=sent_batch.pk, actor=finance)
    assert PaymentBatch.objects.get(pk=sent_batch.pk).status == BatchStatus.APPROVED


@pytest.mark.django_db
def test_approving_a_discarded_batch_is_refused(finance, finance2, draft_batch, transfer_settings) -> None:  # type: ignore[no-untyped-def]
    discard_payment_batch(batch_id=draft_batch.pk, actor=finance)
    with pytest.raises(BatchError):
        approve_payment_batch(batch_id=draft_batch.pk, actor=finance2, write_file=batch_file)
    assert not LedgerEntry.objects.filter(kind=EntryKind.PAYMENT).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("first,second", [(False, False), (False, True), (True, False), (True, True)])
def test_result_recorded_twice_is_refused(finance, sent_batch, first, second) -> None:  # type: ignore[no-untyped-def]
    item = sent_batch.items.get()
    record_transfer_result(item_id=item.pk, actor=finance, returned=first, reason="口座解約")
    with pytest.raises(BatchError, match="すでに記録"):
        record_transfer_result(item_id=item.pk, actor=finance, returned=second, reason="口座解約")
    assert LedgerEntry.objects.filter(kind=EntryKind.REVERSAL).count() == (1 if first else 0)
    assert Notice.objects.filter(kind="payment").count() == (0 if first else 1)


@pytest.mark.django_db
def test_result_of_an_item_of_a_draft_batch_is_refused(finance, draft_batch) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(BatchError, match="まだ送金されていません"):
        record_transfer_result(item_id=draft_batch.items.get().pk, actor=finance, returned=False)


@pytest.mark.django_db
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


@pytest.mark.django_db
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


@pytest.mark.django_db
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


@pytest.mark.django_db
def test_account_changed_after_batching_file_uses_the_snapshot(finance, finance2, draft_batch, transfer_settings) -> None:  # type: ignore[no-untyped-def]
    item = draft_batch.items.get()
    BankAccount.objects.filter(organization=item.case.organization).update(account_number="0000001")
    approved = approve_payment_batch(batch_id=draft_batch.pk, actor=finance2, write_file=batch_file)
    assert item.account_number.encode() in approved.file.read()


@pytest.mark.django_db
def test_batch_with_zero_items_cannot_be_approved(finance, finance2, transfer_day, transfer_settings) -> None:  # type: ignore[no-untyped-def]
    """Not reachable through the service (it refuses no ids); a row made by hand is refused at approval."""
    with pytest.raises(BatchError, match="選んでください"):
        create_payment_batch(actor=finance, case_ids=[], transfer_date=transfer_day)
    empty = PaymentBatch.objects.create(transfer_date=transfer_day, prepared_by=finance)
    with pytest.raises(BatchError, match="1件もありません"):
        approve_payment_batch(batch_id=empty.pk, actor=finance2, write_file=batch_file)
    assert PaymentBatch.objects.get(pk=empty.pk).status == BatchStatus.DRAFT


@pytest.mark.django_db
def test_missing_transfer_settings_refuse_approval_and_post_nothing(finance2, draft_batch) -> None:  # type: ignore[no-untyped-def]
    assert not TransferSettings.objects.exists()
    with pytest.raises(BatchError, match="振込ファイルの設定"):
        approve_payment_batch(batch_id=draft_batch.pk, actor=finance2, write_file=batch_file)
    assert not LedgerEntry.objects.filter(kind=EntryKind.PAYMENT).exists()
    assert GrantCase.objects.get(pk=draft_batch.items.get().case_id).status == Status.PAYMENT_APPROVED


@pytest.mark.django_db
def test_bank_code_not_in_zengin_code_refuses_approval(finance, finance2, draft_batch, transfer_settings) -> None:  # type: ignore[no-untyped-def]
    BatchItem.objects.filter(batch=draft_batch).update(bank_code="9998")
    with pytest.raises(BatchError, match="9998"):
        approve_payment_batch(batch_id=draft_batch.pk, actor=finance2, write_file=batch_file)
    assert not LedgerEntry.objects.filter(kind=EntryKind.PAYMENT).exists()


@pytest.mark.django_db
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


@pytest.mark.django_db
def test_amount_snapshot_matches_posted_payment(finance, finance2, sent_batch) -> None:  # type: ignore[no-untyped-def]
    item = sent_batch.items.get()
    assert item.payment_entry.amount == item.amount == GrantCase.objects.get(pk=item.case_id).decided_amount


@pytest.mark.django_db
def test_case_whose_account_was_withdrawn_makes_no_half_batch(finance, approved_case, other_case, staff, staff2, approver, transfer_day) -> None:  # type: ignore[no-untyped-def]
    approve_case(other_case, staff2, staff, approver, staff, finance)
    BankAccount.objects.filter(organization=other_case.organization).update(is_current=False)
    with pytest.raises(BatchError, match="口座が登録されていません"):
        create_payment_batch(actor=finance, case_ids=[approved_case.pk, other_case.pk], transfer_date=transfer_day)
    assert not PaymentBatch.objects.exists() and not BatchItem.objects.exists()
    assert set(payable_cases()) == {approved_case, GrantCase.objects.get(pk=other_case.pk)}


# Payment batches attacked by the wrong people: every role but 会計課 through the pages (POSTs) and the
# services, the preparer approving their own batch (also after a role change), an association head on the
# /payments/ pages, an auditor downloading the 全銀 file.


def _non_finance(request, association_head, staff, approver, auditor):  # type: ignore[no-untyped-def]
    return {"head": association_head, "staff": staff, "approver": approver, "auditor": auditor}[request.param]


@pytest.fixture(params=["head", "staff", "approver", "auditor"])
def outsider(request, association_head, staff, approver, auditor):  # type: ignore[no-untyped-def]
    return _non_finance(request, association_head, staff, approver, auditor)


@pytest.mark.django_db
def test_services_refuse_every_role_but_finance(outsider, approved_case, draft_batch, transfer_day) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(BatchError, match="会計課"):
        create_payment_batch(actor=outsider, case_ids=[approved_case.pk], transfer_date=transfer_day)
    with pytest.raises(BatchError, match="会計課"):
        approve_payment_batch(batch_id=draft_batch.pk, actor=outsider, write_file=batch_file)
    with pytest.raises(BatchError, match="会計課"):
        discard_payment_batch(batch_id=draft_batch.pk, actor=outsider)
    assert PaymentBatch.objects.get(pk=draft_batch.pk).status == BatchStatus.DRAFT


@pytest.mark.django_db
def test_result_service_refuses_every_role_but_finance(outsider, sent_batch) -> None:  # type: ignore[no-untyped-def]
    item = sent_batch.items.get()
    for returned in (False, True):
        with pytest.raises(BatchError, match="会計課"):
            record_transfer_result(item_id=item.pk, actor=outsider, returned=returned, reason="x")
    assert sent_batch.items.get().result == ItemResult.SENT


# The 全銀 総合振込 writer at its limits: amounts (max, max+1, bool, float), names (small kana, ー, full-width,
# emoji, 31 bytes), the trailer's count and sum, line endings, and the batch file through TransferSettings.


@pytest.mark.django_db
@pytest.mark.parametrize("field,value", [
    ("requester_name_kana", "山口市"), ("requester_name_kana", "ﾔﾏｸﾞﾁｼ😀"), ("requester_code", "12345a"),
    ("bank_code", "9998"), ("branch_code", "999"), ("account_number", "abc"),
])
def test_bad_transfer_settings_refuse_approval_and_post_nothing(approved_case, finance, finance2, transfer_day, transfer_settings, field, value) -> None:  # type: ignore[no-untyped-def]
    from grants.cases.batches import BatchError, approve_payment_batch, create_payment_batch
    from grants.ledger.models import EntryKind, LedgerEntry, TransferSettings
    from reports.zengin_batch import batch_file

    TransferSettings.objects.filter(pk=transfer_settings.pk).update(**{field: value})
    batch = create_payment_batch(actor=finance, case_ids=[approved_case.pk], transfer_date=transfer_day)
    with pytest.raises(BatchError, match="振込ファイルを作成できません"):
        approve_payment_batch(batch_id=batch.pk, actor=finance2, write_file=batch_file)
    assert not LedgerEntry.objects.filter(kind=EntryKind.PAYMENT).exists()


# Double clicks: every act posted twice in a row. The second is refused with a message (or, where two equal
# acts are legitimate, does exactly what it says), and nothing is written twice.


@pytest.mark.django_db
def test_batch_results_recorded_twice(katsudo, council, staff, approver, finance, finance2) -> None:  # type: ignore[no-untyped-def]
    case, _, _ = decided(katsudo, council, staff, approver)
    items = pay_orders(case, staff, finance, finance2, kinds=("advance",))
    from grants.cases.batches import record_transfer_result

    with pytest.raises(BatchError, match="すでに記録"):
        record_transfer_result(item_id=items[0].pk, actor=finance, returned=True, reason="x")
    assert LedgerEntry.objects.filter(case=case, kind=EntryKind.REVERSAL).count() == 0
