"""Cases in the states that have notices, reached through the real case services."""
import datetime as dt

import pytest

from grants.accounts.models import Role
from grants.cases import services
from tests import factories
from tests.notices.builders import decided, new_case, verified, with_relations


@pytest.fixture
def case(programme_year, association, association_head):  # type: ignore[no-untyped-def]
    """A draft case of ``association`` (head user ``head``, 会長 山口 太郎): 120 households, 70,000 yen."""
    return new_case(programme_year, association)


@pytest.fixture
def decided_case(case, association_head, staff, approver):  # type: ignore[no-untyped-def]
    return with_relations(decided(case, association_head, staff, approver))


@pytest.fixture
def refused_case(programme_year, staff, approver):  # type: ignore[no-untyped-def]
    """Another association's case, refused with a reason (its head is user ``other-head``)."""
    head = factories.UserFactory(username="other-head", role=Role.ASSOCIATION_HEAD)
    org = factories.AssociationFactory(name="白石第1自治会")
    factories.RepresentativeFactory(organization=org, user=head, name="白石 花子", started_on=dt.date(2025, 4, 1))
    case = new_case(programme_year, org, households=40)
    verified(case, head, staff)
    services.refuse_grant(case_id=case.pk, actor=approver, note="活動実績が確認できないため。")
    return with_relations(case)
