"""Fixtures of the fifth adversarial round (issue 5, コミュニティ活動保険): groups A and B, each with its own head,
a draft report and a filed claim: the two sides of every cross-group attack. The two 保険担当, the year's policy
and the throwaway MEDIA_ROOT come from tests/conftest.py."""
import pytest

from tests import factories

from .helpers import head_of, make_group


@pytest.fixture
def group_a(association, association_head, insurance, policy):  # type: ignore[no-untyped-def]
    """The 「head」's group: 山田 太郎 hurt, a draft report and a filed claim."""
    return make_group(association, association_head, insurance)


@pytest.fixture
def group_b(insurance, policy):  # type: ignore[no-untyped-def]
    """Another group (湯田第1自治会) with its head 「head-b」: 湯田 花子 hurt."""
    org = factories.AssociationFactory(name="湯田第1自治会")
    return make_group(org, head_of(org, "head-b"), insurance, name="湯田 花子")
