"""Running the real django-tasks database worker over every queued task, in this process (no tests here). The
worker's ``close_old_connections()`` is made a no-op for every test by tests/conftest.py, so that the test keeps
its connection (PostgreSQL fails the test otherwise)."""
import io

from django.core.management import call_command


def run_worker() -> None:
    call_command("db_worker", batch=True, no_startup_delay=True, stdout=io.StringIO(), stderr=io.StringIO())
