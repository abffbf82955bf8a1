"""When a transfer may be dated (振込指定日): a bank business day (weekends, national holidays and 12/31–1/3
excluded), at least the bank's lead days ahead, and within a year (GRANTS.md §7; ZENGIN.md)."""
import datetime as dt

from django.utils import timezone

from grants.core.bankdays import is_bank_business_day, next_bank_business_day
from grants.core.fiscal import wareki
from grants.core.workflow import ActionRefused

from .models import TransferSettings

# How far ahead a transfer may be dated: banks take 総合振込 data for the coming weeks, not years.
TRANSFER_HORIZON_DAYS = 366


class TransferDateError(ActionRefused):
    """The transfer date is not one the bank takes; the message is in Japanese."""


def earliest_transfer_date(today: dt.date | None = None) -> dt.date:
    """The first bank business day at least ``lead_days`` business days after today (振込指定日の初期値)."""
    day = today or timezone.localdate()
    settings = TransferSettings.objects.first()
    for _ in range(settings.lead_days if settings else 0):
        day = next_bank_business_day(day + dt.timedelta(days=1))
    return next_bank_business_day(day)


def check_transfer_date(day: dt.date) -> None:
    """The date is a bank business day, at least ``lead_days`` business days ahead (the bank needs the file
    in time) and within a year; ``TransferDateError`` otherwise."""
    today = timezone.localdate()
    if day > today + dt.timedelta(days=TRANSFER_HORIZON_DAYS):
        raise TransferDateError("振込指定日は1年以内の日付にしてください。")
    earliest = earliest_transfer_date(today)
    if not is_bank_business_day(day):
        # The first day the bank takes from there: never one before the earliest, which the next check refuses
        # (a Saturday suggested the Monday, and the Monday was then refused as too early).
        suggestion = wareki(max(next_bank_business_day(day), earliest))
        raise TransferDateError(
            f"振込指定日（{wareki(day)}）は銀行の休業日です。{suggestion}以降の営業日を指定してください。")
    if day < earliest:
        raise TransferDateError(
            "振込指定日が早すぎます。銀行へのデータ送付に日数が必要なため、"
            f"{wareki(earliest)}以降の営業日を指定してください。"
        )


def early_results_allowed() -> bool:
    """Whether the training setting lets a bank result be recorded before the transfer date
    (``TransferSettings.early_results``, off unless an administrator turns it on)."""
    return TransferSettings.objects.filter(early_results=True).exists()


def result_day() -> dt.date:
    """The day a bank result is recorded: today. The bank reports on or after the transfer date, never before."""
    return timezone.localdate()
