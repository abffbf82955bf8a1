"""The 総合振込 file of an approved payment batch: the city's settings and each payment's snapshot account,
written by ``reports.zengin``. Used by the batch approval (grants.cases.batches) as its file writer.

Each data record's 顧客コード1 is its batch item's id (zero-filled to the field's 10 digits), so that a bank's
result line names one payment even when two payments of a batch go to one account. Files made before carried the
case id there; ``item_for_customer_code`` reads the codes from the stored file itself, so it matches both."""
from grants.cases.batches import BatchError, payment_name
from grants.ledger.models import BatchItem, LineEnding, PaymentBatch, TransferSettings
from grants.organizations.kana import (
    MISSING_BANK_CODE,
    BankCodeError,
    bank_code_problem,
    bank_name_kana,
    branch_name_kana,
)

from .zengin import RECORD_LENGTH, Requester, Transfer, ZenginError, ZenginOptions, write_sogo_furikomi

#: 顧客コード1 (N(10), bytes 92–101 of a data record, 1-based).
CUSTOMER_CODE_SIZE = 10
_CUSTOMER_CODE = slice(91, 101)


def customer_code(item: BatchItem) -> str:
    """The 顧客コード1 of ``item``'s data record: its id, zero-filled to 10 digits (``"0000000042"``)."""
    return f"{item.pk:0{CUSTOMER_CODE_SIZE}d}"


def _requester(settings: TransferSettings) -> Requester:
    return Requester(
        code=settings.requester_code, name_kana=settings.requester_name_kana, bank_code=settings.bank_code,
        bank_name_kana=bank_name_kana(settings.bank_code), branch_code=settings.branch_code,
        branch_name_kana=branch_name_kana(settings.bank_code, settings.branch_code),
        account_type=settings.account_type, account_number=settings.account_number,
    )


def batch_file(batch: PaymentBatch) -> bytes:
    """The file's bytes (JIS X 0201 / Shift_JIS, 120-byte records). Raises ``BatchError`` in Japanese when the
    city's settings are missing or a record cannot be written (the approval is then rolled back); a refusal about
    one payment names its payee (団体名) and the payment (case number and order)."""
    settings = TransferSettings.objects.first()
    if settings is None:
        raise BatchError(
            "振込ファイルの設定（委託者コード・市の口座）が登録されていません。管理画面で登録してください。"
        )
    items = list(batch.items.select_related("case__organization", "case__programme_year__programme",
                                            "payment_order").order_by("pk"))
    gone = [f"{payment_name(i.case, i.payment_order)} {MISSING_BANK_CODE}: {problem.message}"
            for i in items if (problem := bank_code_problem(i.bank_code, i.branch_code))]
    if gone:  # the codes were checked when the batch was made; the bank data may have changed since
        raise BatchError("振込ファイルを作成できません。振込先口座を訂正し、この振込バッチを取り消して"
                         "作り直してください: " + "、".join(gone))
    try:
        return _write(settings, batch, items)
    except ZenginError as exc:
        record = exc.record_number
        if record is not None and 2 <= record < len(items) + 2:  # a data record: name its payment
            item = items[record - 2]
            raise BatchError(f"振込ファイルを作成できません: {payment_name(item.case, item.payment_order)} "
                             f"{exc}") from exc
        raise BatchError(f"振込ファイルを作成できません: {exc}") from exc
    except BankCodeError as exc:  # the city's own account (the header)
        raise BatchError(f"振込ファイルを作成できません（市の口座）: {exc}") from exc


def _write(settings: TransferSettings, batch: PaymentBatch, items: list[BatchItem]) -> bytes:
    transfers = [
        Transfer(
            bank_code=item.bank_code, bank_name_kana=bank_name_kana(item.bank_code), branch_code=item.branch_code,
            branch_name_kana=branch_name_kana(item.bank_code, item.branch_code), account_type=item.account_type,
            account_number=item.account_number, payee_kana=item.holder_kana, amount=item.amount,
            customer_code1=customer_code(item),
        )
        for item in items
    ]
    options = ZenginOptions(
        line_ending=b"\r\n" if settings.line_ending == LineEnding.CRLF else b"",
        allow_period_slash=settings.allow_period_slash,
    )
    return write_sogo_furikomi(_requester(settings), batch.transfer_date, transfers, options)


def file_customer_codes(batch: PaymentBatch) -> list[str]:
    """The 顧客コード1 of each data record of ``batch``'s stored file, in the file's order (the items' id order);
    empty when the batch has no file yet. Reads records of 120 bytes with or without CRLF."""
    if not batch.file:
        return []
    with batch.file.open("rb") as stored:
        content = stored.read().replace(b"\r\n", b"")
    records = [content[i:i + RECORD_LENGTH] for i in range(0, len(content), RECORD_LENGTH)]
    return [r[_CUSTOMER_CODE].decode("ascii") for r in records if r[:1] == b"2"]


def item_for_customer_code(batch: PaymentBatch, code: str) -> BatchItem:
    """The item of ``batch`` whose data record carried the 顧客コード1 ``code`` (digits; zero-filled here), as a
    bank's result line (振込結果・振込不能) names it. Matched on the stored file, so a file made before the code
    became the item's id (it carried the case id) is matched too, as long as the code names one record.

    Raises ``BatchError`` (Japanese) when no record or several records carry the code (an old file with two
    payments of one case: match them by amount and account on the batch page instead)."""
    wanted = code.strip()
    if not (wanted.isascii() and wanted.isdigit()) or len(wanted) > CUSTOMER_CODE_SIZE:
        raise BatchError(f"顧客コード「{code}」は10桁以内の数字ではありません。")
    wanted = wanted.zfill(CUSTOMER_CODE_SIZE)
    items = list(batch.items.select_related("case__organization", "case__programme_year__programme",
                                            "payment_order").order_by("pk"))
    codes = file_customer_codes(batch)
    if len(codes) != len(items):
        raise BatchError(f"振込バッチ {batch.pk} の振込ファイルが見つからないか、明細の数と合いません。")
    found = [item for item, written in zip(items, codes, strict=True) if written == wanted]
    if not found:
        raise BatchError(f"顧客コード「{wanted}」は振込バッチ {batch.pk} の振込ファイルにありません。")
    if len(found) > 1:
        names = "、".join(f"{payment_name(i.case, i.payment_order)} {i.amount:,}円" for i in found)
        raise BatchError(f"顧客コード「{wanted}」の振込が複数あります（{names}）。"
                         "金額と口座で照合して記録してください。")
    return found[0]


__all__ = ["batch_file", "customer_code", "file_customer_codes", "item_for_customer_code"]
