"""Fixtures of the fifth adversarial round (issue 5, コミュニティ活動保険): the two 保険担当, the year's policy, a
throwaway MEDIA_ROOT, and groups A and B, each with its own head, a draft report and a filed claim: the two sides
of every cross-group attack."""
import pytest

from grants.accounts.models import Role
from tests import factories
from tests.insurance import builders

from .helpers import head_of, make_group


@pytest.fixture
def insurance(db):  # type: ignore[no-untyped-def]
    return factories.UserFactory(username="hoken", role=Role.INSURANCE)


@pytest.fixture
def insurance2(db):  # type: ignore[no-untyped-def]
    return factories.UserFactory(username="hoken2", role=Role.INSURANCE)


@pytest.fixture
def policy(db):  # type: ignore[no-untyped-def]
    return builders.policy()


@pytest.fixture(autouse=True)
def media(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def group_a(association, association_head, insurance, policy):  # type: ignore[no-untyped-def]
    """The 「head」's group: 山田 太郎 hurt, a draft report and a filed claim."""
    return make_group(association, association_head, insurance)


@pytest.fixture
def group_b(insurance, policy):  # type: ignore[no-untyped-def]
    """Another group (湯田第1自治会) with its head 「head-b」: 湯田 花子 hurt."""
    org = factories.AssociationFactory(name="湯田第1自治会")
    return make_group(org, head_of(org, "head-b"), insurance, name="湯田 花子")
