"""Cases in the states that have notices, reached through the real case services (submitted, verified and decided
by tests/cases/steps.py): the steps the notice fixtures and tests share."""
import datetime as dt

from grants.accounts.models import Role
from grants.cases import services
from grants.cases.models import GrantCase
from grants.organizations.models import Organization
from grants.programmes.models import ProgrammeYear
from tests import factories
from tests.cases.steps import to_verified


def new_case(programme_year: ProgrammeYear, organization: Organization | None = None, households: int = 120,
             account_number: str = "1234567", head_user=None) -> GrantCase:  # type: ignore[no-untyped-def]
    """A draft case of an association with a head (会長 山口 太郎), an account and a count on the base date:
    10,000 + households × 500 yen."""
    org = organization or factories.AssociationFactory()
    if not org.representatives.exists():
        factories.RepresentativeFactory(organization=org, user=head_user, started_on=dt.date(2025, 4, 1))
    factories.BankAccountFactory(organization=org, account_number=account_number)
    factories.count(org, programme_year.base_date, households)
    case = GrantCase(programme_year=programme_year, organization=org)
    services.apply_count(case, households)
    case.save()
    return case


def users() -> dict[str, object]:
    return {
        "head": factories.UserFactory(username="notice-head", role=Role.ASSOCIATION_HEAD),
        "staff": factories.UserFactory(username="notice-staff", role=Role.STAFF),
        "approver": factories.UserFactory(username="notice-approver", role=Role.APPROVER),
        "finance": factories.UserFactory(username="notice-finance", role=Role.FINANCE),
    }


def refused(programme_year: ProgrammeYear, staff, approver) -> GrantCase:  # type: ignore[no-untyped-def]
    """Another association's case (白石第1自治会, 40 households), refused with a reason; its head is user
    ``other-head`` (会長 白石 花子)."""
    head = factories.UserFactory(username="other-head", role=Role.ASSOCIATION_HEAD)
    org = factories.AssociationFactory(name="白石第1自治会")
    factories.RepresentativeFactory(organization=org, user=head, name="白石 花子", started_on=dt.date(2025, 4, 1))
    case = new_case(programme_year, org, households=40)
    to_verified(case, head, staff)
    services.refuse_grant(case_id=case.pk, actor=approver, note="活動実績が確認できないため。")
    return with_relations(case)


def paid(case: GrantCase, staff, finance) -> GrantCase:  # type: ignore[no-untyped-def]
    """A decided case taken through the payment order, its approval and the recorded transfer."""
    approver_of_payment = factories.UserFactory(username="notice-finance-approver", role=Role.FINANCE)
    services.prepare_payment(case_id=case.pk, actor=staff)
    services.approve_payment(case_id=case.pk, actor=approver_of_payment)
    return services.record_payment(case_id=case.pk, actor=finance)


def with_relations(case: GrantCase) -> GrantCase:
    return GrantCase.objects.select_related("programme_year__programme", "organization").get(pk=case.pk)
