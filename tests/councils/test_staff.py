"""事務局員 of a council through the services (grants/councils/staff.py add_staff, end_staff): who may add and end
them, the fields they refuse by name, and the audit row. The page: tests/pages/test_councils_staff.py."""
import datetime as dt

import pytest

from grants.accounts.models import Role
from grants.core.models import AuditEvent
from grants.councils import staff as services
from grants.organizations.models import MemberRole, Organization, SecretariatStaff
from tests import factories
from tests.councils import builders
from tests.councils.builders import APRIL, MONTHLY, OCTOBER
from tests.factories import CURRENT_FY

pytestmark = pytest.mark.django_db


HOURLY = {"name": "鈴木 一郎", "role": "事務局員", "pay_basis": "hourly", "hourly_rate": 1_100, "hours_per_month": 80,
          "employed_from": OCTOBER}


def test_secretary_adds_monthly_and_hourly_staff_with_an_audit_row(council):
    org, secretary = council
    head = services.add_staff(actor=secretary, organization_id=org.pk, **MONTHLY)
    assert (head.monthly_cost, head.cost_in(CURRENT_FY), head.recorded_by) == (207_000, 2_484_000, secretary)
    clerk = services.add_staff(actor=secretary, organization_id=org.pk, monthly_wage=999, **HOURLY)
    assert clerk.monthly_wage is None  # the other pay basis's field is dropped
    assert (clerk.monthly_cost, clerk.months_in(CURRENT_FY), clerk.cost_in(CURRENT_FY)) == (88_000, 6, 528_000)
    event = AuditEvent.objects.for_object(head).get()
    assert event.action == "add_secretariat_staff" and event.actor == secretary
    assert "事務局長 月給 月額207,000円" in event.note and "佐藤" not in event.note


def test_staff_may_add_for_any_council(council, other_council, staff):
    record = services.add_staff(actor=staff, organization_id=other_council[0].pk, **MONTHLY)
    assert record.organization == other_council[0]


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"monthly_wage": None}, "monthly_wage", "月給の方は月給を入力してください。"),
    ({"pay_basis": "hourly", "hourly_rate": 1_000}, "hourly_rate", "時給の方は時給と月間の勤務時間を入力してください。"),
    ({"employed_until": APRIL - dt.timedelta(days=1)}, "employed_until", "雇用終了日は雇用開始日より後にしてください。"),
    ({"name": "  "}, "name", "入力してください。"),
    ({"role": ""}, "role", "入力してください。"),
    ({"employed_from": None}, "employed_from", "入力してください。"),
    ({"pay_basis": "daily"}, "pay_basis", "月給・時給から選んでください。"),
    ({"monthly_wage": 2_000_001}, "monthly_wage", "2,000,000円以下で入力してください。"),
    ({"pay_basis": "hourly", "hourly_rate": 1_000, "hours_per_month": 745}, "hours_per_month",
     "744時間以下で入力してください。"),
    ({"social_insurance_monthly": -1}, "social_insurance_monthly", None),
    ({"name": "長" * 101}, "name", None),
])
def test_add_staff_refuses_bad_fields_by_name(council, changes, field, message):
    org, secretary = council
    with pytest.raises(services.StaffError) as caught:
        services.add_staff(actor=secretary, organization_id=org.pk, **{**MONTHLY, **changes})
    assert field in caught.value.errors
    if message:
        assert caught.value.errors[field] == [message]
    label = SecretariatStaff._meta.get_field(field).verbose_name
    assert str(caught.value).startswith(f"{label}: ")
    assert not SecretariatStaff.objects.exists() and not AuditEvent.objects.exists()


def test_only_the_councils_secretary_or_staff_may_add(council, other_council, auditor, approver, association_head):
    org = council[0]
    with pytest.raises(Organization.DoesNotExist):
        services.add_staff(actor=other_council[1], organization_id=org.pk, **MONTHLY)
    with pytest.raises(Organization.DoesNotExist):
        services.add_staff(actor=association_head, organization_id=org.pk, **MONTHLY)
    for user in (auditor, approver):
        with pytest.raises(services.StaffError, match="この協議会の事務局員を登録する権限がありません。"):
            services.add_staff(actor=user, organization_id=org.pk, **MONTHLY)
    assert not SecretariatStaff.objects.exists()


def test_a_clerk_of_the_council_sees_but_may_not_add_and_its_treasurer_may(council):
    """Within the council the wages are the head's and the 会計's to enter; a 担当者 is refused, nothing written."""
    org = council[0]
    clerk, treasurer = (factories.UserFactory(username=name, role=Role.ASSOCIATION_HEAD) for name in ("tanto", "kaikei"))
    for user, role in ((clerk, MemberRole.CLERK), (treasurer, MemberRole.TREASURER)):
        factories.RepresentativeFactory(organization=org, user=user, role=role, title=role.label,
                                        started_on=dt.date(2020, 4, 1))
    with pytest.raises(services.StaffError, match="この協議会の事務局員を登録する権限がありません。"):
        services.add_staff(actor=clerk, organization_id=org.pk, **MONTHLY)
    assert not SecretariatStaff.objects.exists()
    services.add_staff(actor=treasurer, organization_id=org.pk, **MONTHLY)
    assert SecretariatStaff.objects.get().recorded_by == treasurer
    assert services.may_see_names(clerk, org) and not services.may_record(clerk, org)


def test_a_jichikai_is_not_a_council(association, staff):
    with pytest.raises(Organization.DoesNotExist):
        services.add_staff(actor=staff, organization_id=association.pk, **MONTHLY)


def test_end_staff_sets_and_corrects_the_last_day(council, staff):
    org, secretary = council
    record = builders.staff_member(org, secretary)
    services.end_staff(actor=secretary, staff_id=record.pk, employed_until=dt.date(CURRENT_FY, 9, 30))
    record.refresh_from_db()
    assert (record.employed_until, record.cost_in(CURRENT_FY)) == (dt.date(CURRENT_FY, 9, 30), 6 * 207_000)
    services.end_staff(actor=staff, staff_id=record.pk, employed_until=dt.date(CURRENT_FY, 10, 1))
    record.refresh_from_db()
    assert record.months_in(CURRENT_FY) == 7
    notes = [e.note for e in AuditEvent.objects.for_object(record)]
    assert len(notes) == 2 and "変更前" in notes[1]


def test_end_staff_errors(council, other_council, auditor):
    org, secretary = council
    record = builders.staff_member(org, secretary)
    with pytest.raises(services.StaffError) as caught:
        services.end_staff(actor=secretary, staff_id=record.pk, employed_until=APRIL - dt.timedelta(days=1))
    assert str(caught.value) == "雇用終了日: 雇用終了日は雇用開始日より後にしてください。"
    with pytest.raises(services.StaffError, match="雇用終了日: 日付を入力してください。"):
        services.end_staff(actor=secretary, staff_id=record.pk, employed_until=None)
    with pytest.raises(SecretariatStaff.DoesNotExist):
        services.end_staff(actor=other_council[1], staff_id=record.pk, employed_until=OCTOBER)
    with pytest.raises(services.StaffError, match="権限がありません"):
        services.end_staff(actor=auditor, staff_id=record.pk, employed_until=OCTOBER)
    record.refresh_from_db()
    assert record.employed_until is None and not AuditEvent.objects.exists()
