"""Running calls in threads at the same moment, for the race tests on PostgreSQL (row locks)."""
import threading
from collections.abc import Callable, Sequence

from django.db import connections

# Threads (each with its own database connection) that one race test opens at once at most. PostgreSQL allows
# 100 connections here (``SHOW max_connections``, 3 of them kept for superusers), and CI runs the suite on every
# core (pytest-xdist), so two race tests may run side by side: more attempts than this go in waves.
MAX_THREADS = 25


def run_together(*calls):  # type: ignore[no-untyped-def]
    barrier = threading.Barrier(len(calls))
    outcomes: list[object] = [None] * len(calls)

    def worker(i, call):  # type: ignore[no-untyped-def]
        try:
            barrier.wait()
            outcomes[i] = call()
        except Exception as exc:  # noqa: BLE001 - the outcome is what the test inspects
            outcomes[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return outcomes


def run_in_waves(calls: Sequence[Callable[[], object]], width: int = MAX_THREADS) -> list[object]:
    """Run ``calls`` ``width`` at a time, each wave released at once by a barrier (``run_together``); the
    outcomes (a result or the exception raised) in the order of ``calls``."""
    outcomes: list[object] = []
    for start in range(0, len(calls), width):
        outcomes += run_together(*calls[start:start + width])
    return outcomes
