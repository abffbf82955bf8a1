"""The roles a user holds in an object's organisation (``grants.organizations.members``): the organisation is found
from every kind of object the rail moves, and only today's terms count."""
import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from grants.accounts.models import Role
from grants.cases.models import ChangeRequest, GrantCase, PerformanceReport, RefundOrder
from grants.competitive.models import GroupRegistration, TaxCreditReport
from grants.core import workflow
from grants.insurance.models import AccidentReport, Claim, InvolvedPerson
from grants.ledger.models import BatchItem, PaymentOrder
from grants.organizations.members import check_org_roles, member_roles, org_role_errors, organization_id_of
from grants.organizations.models import CommunityPlan, MemberRole, Representative
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def org():  # type: ignore[no-untyped-def]
    return factories.AssociationFactory()


def _objects(org):  # type: ignore[no-untyped-def]
    """One (unsaved) object of each kind the rail moves, reaching ``org`` through its foreign keys."""
    case = GrantCase(organization=org)
    report = AccidentReport(organization=org)
    return {
        "organization": org, "case": case, "change_request": ChangeRequest(case=case),
        "refund_order": RefundOrder(case=case), "performance_report": PerformanceReport(case=case),
        "payment_order": PaymentOrder(case=case), "batch_item": BatchItem(payment_order=PaymentOrder(case=case)),
        "plan": CommunityPlan(organization=org), "accident_report": report,
        "claim": Claim(report=report, person=InvolvedPerson(report=report)),
        "registration": GroupRegistration(organization=org), "tax_report": TaxCreditReport(case=case),
    }


def test_the_organisation_is_found_from_every_kind_of_object(org) -> None:  # type: ignore[no-untyped-def]
    for kind, obj in _objects(org).items():
        assert organization_id_of(obj) == org.pk, kind
    assert organization_id_of(object()) is None
    assert organization_id_of(PaymentOrder()) is None


def test_each_object_answers_the_roles_held_in_its_organisation_today(org) -> None:  # type: ignore[no-untyped-def]
    treasurer = factories.UserFactory(username="kaikei", role=Role.ASSOCIATION_HEAD)
    factories.RepresentativeFactory(organization=org, user=treasurer, role=MemberRole.TREASURER)
    for kind, obj in _objects(org).items():
        assert member_roles(obj, treasurer) == frozenset({"treasurer"}), kind


def test_ended_and_future_terms_and_other_organisations_hold_no_role(org) -> None:  # type: ignore[no-untyped-def]
    user = factories.UserFactory(username="former", role=Role.ASSOCIATION_HEAD)
    today = timezone.localdate()
    factories.RepresentativeFactory(organization=org, user=user, started_on=dt.date(2020, 4, 1),
                                    ended_on=today - dt.timedelta(days=1))
    factories.RepresentativeFactory(organization=org, user=user, role=MemberRole.CLERK,
                                    started_on=today + dt.timedelta(days=1))
    other = factories.AssociationFactory()
    factories.RepresentativeFactory(organization=other, user=user, role=MemberRole.HEAD)
    assert member_roles(GrantCase(organization=org), user) == frozenset()
    assert member_roles(GrantCase(organization=other), user) == frozenset({"head"})


def test_city_users_are_not_members(org, staff) -> None:  # type: ignore[no-untyped-def]
    assert member_roles(GrantCase(organization=org), staff) is None


def test_the_resolver_is_installed_at_start_up(org) -> None:  # type: ignore[no-untyped-def]
    clerk = factories.UserFactory(username="tanto", role=Role.ASSOCIATION_HEAD)
    factories.RepresentativeFactory(organization=org, user=clerk, role=MemberRole.CLERK)
    case = GrantCase(organization=org)
    assert workflow.member_refusal(frozenset({"head"}), case, clerk) == "この手続は団体の代表者が行います。"
    assert workflow.member_refusal(frozenset({"head", "clerk"}), case, clerk) is None


def test_one_open_head_term_per_organisation_but_many_members(org) -> None:  # type: ignore[no-untyped-def]
    factories.RepresentativeFactory(organization=org, name="会長")
    factories.RepresentativeFactory(organization=org, name="会計", role=MemberRole.TREASURER)
    factories.RepresentativeFactory(organization=org, name="担当", role=MemberRole.CLERK)
    with pytest.raises(IntegrityError):
        factories.RepresentativeFactory(organization=org, name="二人目の会長")


def test_one_open_term_per_organisation_and_user(org) -> None:  # type: ignore[no-untyped-def]
    user = factories.UserFactory(username="twice", role=Role.ASSOCIATION_HEAD)
    factories.RepresentativeFactory(organization=org, user=user, role=MemberRole.TREASURER)
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.RepresentativeFactory(organization=org, user=user, role=MemberRole.CLERK)
    assert Representative.objects.filter(user=user).count() == 1


def test_the_check_refuses_an_applicants_step_that_names_no_members() -> None:
    """organizations.E001: an edge open to applicants not the head's alone, an activity naming no member."""
    head, staff = frozenset({Role.ASSOCIATION_HEAD.value}), frozenset({Role.STAFF.value})
    machine = workflow.Machine(
        name="test_machine", label="試験", model="organizations.CommunityPlan", states={"a": "A", "b": "B"},
        visible=lambda user: CommunityPlan.objects.none(),
        edges=(workflow.Edge("go", "進む", frozenset({"a"}), "b", head),
               workflow.Edge("clerk_go", "進む", frozenset({"a"}), "b", head, org_roles=frozenset({"clerk"})),
               workflow.Edge("staff_go", "進む", frozenset({"a"}), "b", staff),
               workflow.Edge("ok", "進む", frozenset({"a"}), "b", head, org_roles=frozenset({"head"}))),
        activities=(workflow.Activity("write", frozenset({"a"}), head),
                    workflow.Activity("typo", frozenset({"a"}), head, org_roles=frozenset({"chair"})),
                    workflow.Activity("fine", frozenset({"a"}), head, org_roles=frozenset({"clerk"}))),
    )
    errors = org_role_errors([machine])
    assert [e.split(": ")[1].split(" is ")[0] for e in errors] == [
        "edge 'go'", "edge 'clerk_go'", "activity 'write'", "activity 'typo'"]


def test_every_registered_machine_names_its_members() -> None:
    assert org_role_errors(workflow.MACHINES.values()) == []
    assert check_org_roles() == []
