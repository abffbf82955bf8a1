import pytest

from grants.accounts.models import Role
from tests import factories

from . import builders


@pytest.fixture
def insurance(db):  # type: ignore[no-untyped-def]
    return factories.UserFactory(username="hoken", role=Role.INSURANCE)


@pytest.fixture
def insurance2(db):  # type: ignore[no-untyped-def]
    return factories.UserFactory(username="hoken2", role=Role.INSURANCE)


@pytest.fixture
def policy(db):  # type: ignore[no-untyped-def]
    return builders.policy()


@pytest.fixture
def media(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
