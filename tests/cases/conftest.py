"""Fixtures of the case tests' own: a third finance user, for the races of two finance users against a third's act."""
import pytest

from grants.accounts.models import Role
from tests import factories


@pytest.fixture
def finance3(db):  # type: ignore[no-untyped-def]
    return factories.UserFactory(username="finance3", role=Role.FINANCE)
