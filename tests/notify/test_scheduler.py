"""``manage.py scheduler`` (the demo's daily loop): the next pass falls at SCHEDULER_HOUR local time; a pass at start
and one each time the hour comes; a failed pass does not end the loop; SIGTERM ends it cleanly and puts the
signal handlers back."""
import datetime as dt
import io
import os
import signal
import zoneinfo

import pytest
from django.core.management import call_command
from django.db import OperationalError
from django.utils import timezone

from grants.notify.management.commands import scheduler
from grants.notify.models import DailyRun

TOKYO = zoneinfo.ZoneInfo("Asia/Tokyo")


@pytest.fixture(autouse=True)
def _tokyo(settings):  # type: ignore[no-untyped-def]
    settings.TIME_ZONE = "Asia/Tokyo"


@pytest.mark.parametrize(("now", "expected"), [
    (dt.datetime(2026, 12, 6, 5, 59, tzinfo=TOKYO), dt.datetime(2026, 12, 6, 6, 0, tzinfo=TOKYO)),
    (dt.datetime(2026, 12, 6, 6, 0, tzinfo=TOKYO), dt.datetime(2026, 12, 7, 6, 0, tzinfo=TOKYO)),
    (dt.datetime(2026, 12, 31, 23, 0, tzinfo=TOKYO), dt.datetime(2027, 1, 1, 6, 0, tzinfo=TOKYO)),
    # 20:30 UTC is 05:30 the next day in Tokyo: the pass is that morning's, not the UTC day's
    (dt.datetime(2026, 12, 6, 20, 30, tzinfo=dt.UTC), dt.datetime(2026, 12, 7, 6, 0, tzinfo=TOKYO)),
])
def test_the_next_pass_is_at_the_hour_local_time(now, expected) -> None:  # type: ignore[no-untyped-def]
    assert scheduler.next_run(now, 6) == expected


def _terminate_after(calls: list[str], passes: int, fail_first: bool = False):  # type: ignore[no-untyped-def]
    def fake_run_daily():  # type: ignore[no-untyped-def]
        calls.append("pass")
        if len(calls) >= passes:
            os.kill(os.getpid(), signal.SIGTERM)
        if fail_first and len(calls) == 1:
            raise OperationalError("the database is away")
        return DailyRun(day=timezone.localdate(), started_at=timezone.now(), counts={"report_due": 2})
    return fake_run_daily


def test_a_pass_at_start_then_at_the_hour_and_sigterm_ends_the_loop(monkeypatch) -> None:
    calls: list[str] = []
    monkeypatch.setattr(scheduler, "run_daily", _terminate_after(calls, passes=2))
    monkeypatch.setattr(scheduler, "next_run", lambda now, hour: now + dt.timedelta(milliseconds=50))
    before = signal.getsignal(signal.SIGTERM)
    out = io.StringIO()
    call_command("scheduler", step=0.01, stdout=out, stderr=io.StringIO())
    assert calls == ["pass", "pass"]
    assert out.getvalue().count("の日次処理: 報告の期限のお知らせ 2件") == 2
    assert out.getvalue().rstrip().endswith("日次処理を終了しました。")
    assert signal.getsignal(signal.SIGTERM) is before


def test_a_failed_pass_is_logged_and_the_loop_goes_on(monkeypatch) -> None:
    calls: list[str] = []
    monkeypatch.setattr(scheduler, "run_daily", _terminate_after(calls, passes=2, fail_first=True))
    monkeypatch.setattr(scheduler, "next_run", lambda now, hour: now + dt.timedelta(milliseconds=50))
    err = io.StringIO()
    call_command("scheduler", step=0.01, stdout=io.StringIO(), stderr=err)
    assert calls == ["pass", "pass"]
    assert "日次処理に失敗しました: OperationalError: the database is away" in err.getvalue()


def test_sigterm_during_a_pass_ends_the_loop_after_it(monkeypatch, settings) -> None:  # type: ignore[no-untyped-def]
    calls: list[str] = []
    monkeypatch.setattr(scheduler, "run_daily", _terminate_after(calls, passes=1))
    settings.SCHEDULER_HOUR = 6
    call_command("scheduler", step=0.01, stdout=io.StringIO())
    assert calls == ["pass"]  # the start's pass only: the next hour is hours away
