"""Django's ``flush`` (empty every table of the database), which the append-only triggers would refuse: the
ledger, the audit trail and the other append-only tables (``grants.core.append_only``) are emptied with the rest.

``flush`` destroys the whole database as ``dropdb`` would — it is how the tests start each transactional test
afresh, never a step of the application — so it lifts the triggers, empties the tables and puts the triggers back,
in one transaction: if anything fails, the triggers are as they were. No application code empties these tables.

On SQLite, a request still being answered by another thread (a live-server test's page polling a job) can hold
the schema table for a moment; the flush then waits and tries again, for up to ``SQLITE_LOCK_WAIT`` seconds.
"""
import time
from typing import Any

from django.core.management.commands import flush
from django.db import OperationalError, connections, transaction

from grants.core.append_only import append_only_tables, create_statements, drop_statements

SQLITE_LOCK_WAIT = 10.0


class Command(flush.Command):
    help = (flush.Command.help + " The append-only tables (ledger, audit trail …) are emptied too: their triggers "
            "are lifted for the flush and put back in the same transaction.")

    def handle(self, **options: Any) -> None:
        connection = connections[options["database"]]
        deadline = time.monotonic() + SQLITE_LOCK_WAIT
        while True:
            try:
                return self._flush(**options)
            except OperationalError as exc:
                if connection.vendor != "sqlite" or "locked" not in str(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

    def _flush(self, **options: Any) -> None:
        alias = options["database"]
        connection = connections[alias]
        existing = set(connection.introspection.table_names())
        tables = [table for table in append_only_tables() if table in existing]
        with transaction.atomic(using=alias), connection.cursor() as cursor:
            for table in tables:
                for sql in drop_statements(connection.vendor, table):
                    cursor.execute(sql)
            super().handle(**options)
            for table in tables:
                for sql in create_statements(connection.vendor, table):
                    cursor.execute(sql)
