"""A change of head (代表者の交代, ``grants.organizations.services.change_head``): the history, on the audit trail
in 和暦 as every page shows dates."""
import datetime as dt

import pytest

from grants.core.models import AuditEvent
from grants.organizations.services import OrganizationError, change_head
from tests import factories

pytestmark = pytest.mark.django_db


def test_change_of_head_is_on_the_audit_trail_in_wareki(case, association_head, staff) -> None:  # type: ignore[no-untyped-def]
    new_head = factories.UserFactory(username="newhead", role="association_head")
    change_head(organization_id=case.organization_id, actor=staff, name="新会長 花子", started_on=dt.date(2026, 6, 1),
                user=new_head)
    row = AuditEvent.objects.for_object(case.organization).get(action="change_head")
    assert row.note == "山口 太郎 → 新会長 花子（令和8年6月1日就任）"
    with pytest.raises(OrganizationError, match="就任日"):
        change_head(organization_id=case.organization_id, actor=staff, name="次の会長", started_on=dt.date(2026, 6, 1))
    assert AuditEvent.objects.filter(action="change_head").count() == 1
