"""Running the real django-tasks database worker over every queued task, in this process (no tests here). The
worker's ``close_old_connections()`` is made a no-op for every test by tests/conftest.py, so that the test keeps
its connection (PostgreSQL fails the test otherwise)."""
import io
import time

from django.core.management import call_command
from django.db import OperationalError


def run_worker(attempts: int = 5) -> None:
    """Run the worker once over the queue. On the tests' in-memory SQLite, a job page open in the browser polls
    through the live server's thread while the worker claims its task with ``BEGIN EXCLUSIVE``; the shared cache
    then answers 「database table is locked」 at once instead of waiting. The claim is tried again a moment later,
    as the real worker's next poll would (a file database waits for its lock instead)."""
    for attempt in range(attempts):
        try:
            call_command("db_worker", batch=True, no_startup_delay=True, stdout=io.StringIO(), stderr=io.StringIO())
            return
        except OperationalError as exc:
            if "locked" not in str(exc) or attempt == attempts - 1:
                raise
            time.sleep(0.2 * (attempt + 1))
