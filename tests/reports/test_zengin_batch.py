"""The 総合振込 file of an approved payment batch (reports/zengin_batch.py) follows the city's transfer settings; each
payment's record carries its own 顧客コード1, by which a bank's result line finds exactly that payment (files made
before, with the case id there, still matched when the code names one payment); a payee whose bank code disappeared
from zengin-code since the batch was made is named in the refusal."""
import pytest
import zengin_code
from django.core.files.base import ContentFile

from grants.cases import orders
from grants.cases.batches import BatchError, approve_payment_batch, create_payment_batch, record_transfer_result
from grants.ledger.models import BatchStatus, ItemResult, OrderKind, PaymentBatch
from reports.zengin_batch import batch_file, file_customer_codes, item_for_customer_code
from tests.councils.steps import decided, scheduled
from tests.reports.zengin_parser import parse_zengin


@pytest.mark.django_db
@pytest.mark.parametrize("line_ending,eol", [("crlf", b"\r\n"), ("none", b"")])
def test_batch_file_follows_the_line_ending_setting(approved_case, finance, finance2, transfer_day, transfer_settings, line_ending, eol) -> None:  # type: ignore[no-untyped-def]
    from grants.cases.batches import approve_payment_batch, create_payment_batch
    from reports.zengin_batch import batch_file

    transfer_settings.line_ending = line_ending
    transfer_settings.save()
    batch = create_payment_batch(actor=finance, case_ids=[approved_case.pk], transfer_date=transfer_day)
    approved = approve_payment_batch(batch_id=batch.pk, actor=finance2, write_file=batch_file)
    data = approved.file.read()
    records = parse_zengin(data, line_ending=eol)
    assert len(data) == 4 * (120 + len(eol))
    assert records[1]["顧客コード1"] == f"{approved.items.get().pk:010d}"  # the payment's own code
    assert records[0]["振込指定日"] == f"{transfer_day:%m%d}"


@pytest.mark.django_db
def test_batch_file_holds_exactly_the_normalised_name_of_a_long_corporate_account(approved_case, finance, finance2, transfer_day, transfer_settings) -> None:  # type: ignore[no-untyped-def]
    """An account entered with its corporate word written out (37 characters as typed, issue 12 part 8) goes
    into the file as the normalised name kept on the account: abbreviated, 26 bytes, space-padded to 30."""
    from grants.cases.batches import approve_payment_batch, create_payment_batch
    from reports.zengin_batch import batch_file

    account = approved_case.organization.current_bank_account()
    account.holder_kana = "トクテイヒエイリカツドウホウジン　ヤマグチシミンカツドウシエンネットワーク"
    account.full_clean()
    account.save()
    batch = create_payment_batch(actor=finance, case_ids=[approved_case.pk], transfer_date=transfer_day)
    data = approve_payment_batch(batch_id=batch.pk, actor=finance2, write_file=batch_file).file.read()
    name = "ﾄｸﾋ)ﾔﾏｸﾞﾁｼﾐﾝｶﾂﾄﾞｳｼｴﾝﾈﾂﾄﾜ-ｸ"
    assert parse_zengin(data, line_ending=b"\r\n")[1]["受取人名"] == name
    assert data[122 + 50:122 + 80] == name.encode("cp932").ljust(30, b" ")


def two_advances_to_one_account(katsudo, council, staff, approver, finance):  # type: ignore[no-untyped-def]
    """A council's decided case with its two 概算払 approved (the council's one account): the case and the orders."""
    case, _, _ = decided(katsudo, council, staff, approver)
    for order in scheduled(case):
        orders.prepare_order(order_id=order.pk, actor=staff)
        orders.approve_order(order_id=order.pk, actor=finance)
    return case, list(case.payment_orders.filter(kind=OrderKind.ADVANCE).order_by("number"))


@pytest.mark.django_db
def test_two_payments_to_one_account_carry_distinct_codes_and_a_returned_one_marks_exactly_it(  # type: ignore[no-untyped-def]
        katsudo, council, staff, approver, finance, finance2, transfer_day, transfer_settings):
    case, (first, second) = two_advances_to_one_account(katsudo, council, staff, approver, finance)
    batch = create_payment_batch(actor=finance, order_ids=[first.pk, second.pk], transfer_date=transfer_day)
    batch = approve_payment_batch(batch_id=batch.pk, actor=finance2, write_file=batch_file)
    items = list(batch.items.order_by("pk"))
    records = parse_zengin(batch.file.read(), line_ending=b"\r\n")[1:3]
    assert {r["口座番号"] for r in records} == {items[0].account_number}  # one account
    codes = [r["顧客コード1"] for r in records]
    assert codes == [f"{items[0].pk:010d}", f"{items[1].pk:010d}"] and len(set(codes)) == 2
    assert file_customer_codes(batch) == codes

    # the bank's result names the second payment by its code: exactly that one is returned
    returned = item_for_customer_code(batch, codes[1].lstrip("0"))
    assert returned == items[1] and returned.payment_order == second
    transfer_settings.early_results = True
    transfer_settings.save()
    record_transfer_result(item_id=returned.pk, actor=finance, returned=True, reason="口座なし")
    results = dict(batch.items.values_list("payment_order_id", "result"))
    assert results == {first.pk: ItemResult.SENT, second.pk: ItemResult.RETURNED}


@pytest.mark.django_db
def test_a_file_made_before_the_change_is_matched_by_its_case_code_when_it_names_one_payment(  # type: ignore[no-untyped-def]
        katsudo, council, staff, approver, finance, finance2, transfer_day, transfer_settings):
    case, (first, second) = two_advances_to_one_account(katsudo, council, staff, approver, finance)
    batch = create_payment_batch(actor=finance, order_ids=[first.pk, second.pk], transfer_date=transfer_day)
    batch = approve_payment_batch(batch_id=batch.pk, actor=finance2, write_file=batch_file)
    old_code = f"{case.pk:010d}"
    content = bytearray(batch.file.read())
    for record in (1, 2):  # the old writer: the case id in both records
        content[record * 122 + 91:record * 122 + 101] = old_code.encode()
    batch.file.save(batch.filename, ContentFile(bytes(content)))
    with pytest.raises(BatchError, match=f"^顧客コード「{old_code}」の振込が複数あります（.*金額と口座で照合"):
        item_for_customer_code(batch, old_code)
    # one payment of that case in an old file: its case code finds it
    content[2 * 122 + 91:2 * 122 + 101] = b"0000000000"
    batch.file.save(batch.filename, ContentFile(bytes(content)))
    assert item_for_customer_code(batch, old_code) == batch.items.order_by("pk").first()
    with pytest.raises(BatchError, match="^顧客コード「0000009999」は振込バッチ .* の振込ファイルにありません。$"):
        item_for_customer_code(batch, "9999")
    with pytest.raises(BatchError, match="10桁以内の数字ではありません"):
        item_for_customer_code(batch, "12345678901")


@pytest.mark.django_db
def test_a_bank_code_gone_since_the_batch_was_made_refuses_the_file_naming_the_payee_and_payment(  # type: ignore[no-untyped-def]
        approved_case, finance, finance2, transfer_day, transfer_settings, monkeypatch):
    account = approved_case.organization.current_bank_account()
    account.bank_code, account.branch_code = "0005", "001"
    account.save()
    batch = create_payment_batch(actor=finance, case_ids=[approved_case.pk], transfer_date=transfer_day)
    monkeypatch.delitem(zengin_code.Bank.all, "0005")  # merged away after the batch was made
    with pytest.raises(BatchError) as refused:
        approve_payment_batch(batch_id=batch.pk, actor=finance2, write_file=batch_file)
    message = str(refused.value)
    assert approved_case.organization.name in message and approved_case.reference in message
    assert "金融機関コードが見つかりません（合併等）: 金融機関コード「0005」は存在しません。" in message
    assert approved_case.payment_orders.get().label in message
    batch = PaymentBatch.objects.get(pk=batch.pk)
    assert batch.status == BatchStatus.DRAFT and not batch.file
