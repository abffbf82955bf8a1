"""The 総合振込 file of an approved payment batch: the city's settings and each payment's snapshot account,
written by ``reports.zengin``. Used by the batch approval (grants.cases.batches) as its file writer."""
from grants.cases.batches import BatchError
from grants.ledger.models import LineEnding, PaymentBatch, TransferSettings
from grants.organizations.kana import BankCodeError, bank_name_kana, branch_name_kana

from .zengin import Requester, Transfer, ZenginError, ZenginOptions, write_sogo_furikomi


def _requester(settings: TransferSettings) -> Requester:
    return Requester(
        code=settings.requester_code, name_kana=settings.requester_name_kana, bank_code=settings.bank_code,
        bank_name_kana=bank_name_kana(settings.bank_code), branch_code=settings.branch_code,
        branch_name_kana=branch_name_kana(settings.bank_code, settings.branch_code),
        account_type=settings.account_type, account_number=settings.account_number,
    )


def batch_file(batch: PaymentBatch) -> bytes:
    """The file's bytes (JIS X 0201 / Shift_JIS, 120-byte records). Raises ``BatchError`` in Japanese when the
    city's settings are missing or a record cannot be written (the approval is then rolled back)."""
    settings = TransferSettings.objects.first()
    if settings is None:
        raise BatchError(
            "振込ファイルの設定（委託者コード・市の口座）が登録されていません。管理画面で登録してください。"
        )
    try:
        return _write(settings, batch)
    except (ZenginError, BankCodeError) as exc:
        raise BatchError(f"振込ファイルを作成できません: {exc}") from exc


def _write(settings: TransferSettings, batch: PaymentBatch) -> bytes:
    transfers = [
        Transfer(
            bank_code=item.bank_code, bank_name_kana=bank_name_kana(item.bank_code), branch_code=item.branch_code,
            branch_name_kana=branch_name_kana(item.bank_code, item.branch_code), account_type=item.account_type,
            account_number=item.account_number, payee_kana=item.holder_kana, amount=item.amount,
            customer_code1=f"{item.case_id:010d}",
        )
        for item in batch.items.order_by("pk")
    ]
    options = ZenginOptions(
        line_ending=b"\r\n" if settings.line_ending == LineEnding.CRLF else b"",
        allow_period_slash=settings.allow_period_slash,
    )
    return write_sogo_furikomi(_requester(settings), batch.transfer_date, transfers, options)
