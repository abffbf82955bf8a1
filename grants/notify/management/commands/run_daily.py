"""``manage.py run_daily [--date YYYY-MM-DD]``: one pass of the daily scheduler (``grants.notify.daily``), for
cron or a systemd timer in production; ``--date`` runs a day missed (never one after today). Prints the messages
written by kind; an item that failed is named on stderr and the command exits with status 1 (the other items went
out), so the timer shows the failure."""
import datetime as dt
from argparse import ArgumentParser, ArgumentTypeError
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from grants.notify.daily import counts_label, run_daily


def day(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise ArgumentTypeError(f"日付は YYYY-MM-DD で指定してください: {value}") from exc


class Command(BaseCommand):
    help = "日次処理を1回行います（期限の近い報告・保険金請求の督促などのお知らせを送ります）。"

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--date", type=day, default=None,
                            help="処理する日（YYYY-MM-DD）。省略すると今日です。")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["date"] is not None and options["date"] > timezone.localdate():
            # A pass for a day to come would tell people today of deadlines as if passed, and record as sent
            # the reminders of that day.
            raise CommandError(f"今日より後の日は指定できません: {options['date']}")
        run = run_daily(options["date"])
        self.stdout.write(f"{run.day} の日次処理: {counts_label(run.counts)}")
        if run.error:
            raise CommandError(f"{run.day} の日次処理で送れなかったものがあります:\n{run.error}")
