"""``manage.py scheduler``: the daily scheduler as a long-running process, for the demo (``bin/start`` runs it
beside the worker). A pass at start, then one each day at ``SCHEDULER_HOUR`` o'clock local time
(``TIME_ZONE``); it sleeps in steps of at most ``STEP_SECONDS`` and stops cleanly on SIGTERM or SIGINT, between
passes or after the pass under way. A pass that fails (the database away) is logged and the loop goes on.
Production runs ``manage.py run_daily`` from a timer instead (README: The daily scheduler)."""
import datetime as dt
import signal
import threading
from argparse import SUPPRESS, ArgumentParser
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from grants.notify.daily import counts_label, run_daily

STEP_SECONDS = 30.0


def next_run(now: dt.datetime, hour: int) -> dt.datetime:
    """The first ``hour`` o'clock (local time) after ``now`` (an aware datetime)."""
    local = timezone.localtime(now)
    day = local.date()
    at = timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))
    if at <= local:
        at = timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time(hour)))
    return at


class Command(BaseCommand):
    help = "日次処理を起動時と毎日決まった時刻（SCHEDULER_HOUR 時）に行います（デモ用。終了は SIGTERM）。"

    def add_arguments(self, parser: ArgumentParser) -> None:
        # --step: the longest sleep between looks at the clock, in seconds (tests shorten it).
        parser.add_argument("--step", type=float, default=STEP_SECONDS, help=SUPPRESS)

    def handle(self, *args: Any, **options: Any) -> None:
        hour = int(settings.SCHEDULER_HOUR)
        step = max(0.01, float(options["step"]))
        stop = threading.Event()

        def on_signal(signum: int, frame: FrameType | None) -> None:
            stop.set()

        previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
        try:
            self.stdout.write(f"日次処理を開始しました（毎日 {hour}時）。")
            self._pass()
            while not stop.is_set():
                due = next_run(timezone.now(), hour)
                while not stop.is_set() and timezone.now() < due:
                    stop.wait(min(step, (due - timezone.now()).total_seconds()))
                if not stop.is_set():
                    self._pass()
            self.stdout.write("日次処理を終了しました。")
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def _pass(self) -> None:
        try:
            run = run_daily()
        except Exception as exc:  # noqa: BLE001 - the loop outlives a failed pass (the database away)
            self.stderr.write(f"{timezone.localtime():%Y-%m-%d %H:%M} 日次処理に失敗しました: "
                              f"{type(exc).__name__}: {exc}")
            return
        self.stdout.write(f"{timezone.localtime():%Y-%m-%d %H:%M} {run.day} の日次処理: {counts_label(run.counts)}")
        if run.error:
            self.stderr.write(f"送れなかったもの:\n{run.error}")
        self.stdout.flush()

