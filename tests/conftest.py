"""Persona fixtures and factories shared by the whole suite."""
import datetime as dt

import pytest

from grants.accounts.models import Role
from tests import factories


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):  # type: ignore[no-untyped-def]
    """Hashing with PBKDF2 costs ~0.3 s a user; tests need logins, not strength."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


APPEND_ONLY_TABLES = ("ledger_ledgerentry", "core_auditevent")


def _uses_transactional_db(request: pytest.FixtureRequest) -> bool:
    marker = request.node.get_closest_marker("django_db")
    return bool(marker and marker.kwargs.get("transaction")) or "live_server" in request.fixturenames


@pytest.fixture(autouse=True)
def _append_only_triggers_around_flush(request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    """On SQLite, Django empties the tables after a transactional test with DELETE, which the append-only
    triggers refuse (PostgreSQL uses TRUNCATE, which they do not see). Such a test drops the triggers at its
    end, before the flush; every database test makes sure they are there when it starts."""
    from django.db import connection

    from grants.core.append_only import create_statements, drop_statements

    uses_db = "db" in request.fixturenames or request.node.get_closest_marker("django_db") is not None
    if not uses_db or connection.vendor != "sqlite":
        yield
        return
    transactional = _uses_transactional_db(request)
    request.getfixturevalue("transactional_db" if transactional else "db")
    _execute(connection, [sql for table in APPEND_ONLY_TABLES for sql in create_statements("sqlite", table)])
    yield
    if transactional:
        _execute(connection, [sql for table in APPEND_ONLY_TABLES for sql in drop_statements("sqlite", table)])


def _execute(connection, statements: list[str]) -> None:  # type: ignore[no-untyped-def]
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


@pytest.fixture
def programme_year(db):  # type: ignore[no-untyped-def]
    """令和8年度 自治会等自治振興交付金, sample rule 均等割 10,000円 + 世帯割 500円, budget 5,000,000円."""
    return factories.programme_year_with_budget(budget=5_000_000)


@pytest.fixture
def association(db):  # type: ignore[no-untyped-def]
    return factories.AssociationFactory()


@pytest.fixture
def association_head(association):  # type: ignore[no-untyped-def]
    user = factories.UserFactory(username="head", role=Role.ASSOCIATION_HEAD)
    factories.RepresentativeFactory(organization=association, user=user, started_on=dt.date(2025, 4, 1))
    return user


@pytest.fixture
def staff(db):  # type: ignore[no-untyped-def]
    return factories.UserFactory(username="staff", role=Role.STAFF)


@pytest.fixture
def staff2(db):  # type: ignore[no-untyped-def]
    return factories.UserFactory(username="staff2", role=Role.STAFF)


@pytest.fixture
def approver(db):  # type: ignore[no-untyped-def]
    return factories.UserFactory(username="approver", role=Role.APPROVER)


@pytest.fixture
def finance(db):  # type: ignore[no-untyped-def]
    return factories.UserFactory(username="finance", role=Role.FINANCE)


@pytest.fixture
def finance2(db):  # type: ignore[no-untyped-def]
    return factories.UserFactory(username="finance2", role=Role.FINANCE)


@pytest.fixture
def auditor(db):  # type: ignore[no-untyped-def]
    return factories.UserFactory(username="auditor", role=Role.AUDITOR)
