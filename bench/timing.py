"""What the benchmarks share to time a request and say how busy the machine was: ``uptime()`` (its load, in UTC),
``timed(call, n)`` (milliseconds of ``n`` calls after 3 unmeasured), ``p95(times)`` and ``counted`` (an
``execute_wrapper`` that keeps each query's SQL)."""
from __future__ import annotations

import os
import statistics
import subprocess
import time
from collections.abc import Callable


def uptime() -> str:
    """``uptime``'s line (the load averages), the clock in UTC."""
    return subprocess.run(["uptime"], capture_output=True, text=True, check=False,
                          env={**os.environ, "TZ": "UTC"}).stdout.strip()


def timed(call: Callable[[], object], n: int) -> list[float]:
    """Milliseconds of ``n`` calls of ``call``, after 3 unmeasured ones (wall clock, ``time.perf_counter``)."""
    for _ in range(3):
        call()
    times = []
    for _ in range(n):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return times


def p95(times: list[float]) -> float:
    """The 95th percentile of ``times``."""
    return statistics.quantiles(times, n=20)[-1]


def counted(queries: list[str], run: Callable[..., object], sql: str, *args: object) -> object:
    """An ``execute_wrapper`` (``connection.execute_wrapper(partial(counted, queries))``) that keeps each query's SQL
    in ``queries``."""
    queries.append(sql)
    return run(sql, *args)
