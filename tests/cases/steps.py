"""Steps of the 自治会 (formula) lifecycle shared by the case, page, ledger and dashboard tests: logging in,
uploading a household-count file, a new 自治会's draft case, and a case taken to 審査済, 交付決定済, 支出承認済 or any status up to 支払済
through the real services."""
import io

from django.urls import reverse

from grants.cases import services
from grants.cases.models import GrantCase, Status
from tests import factories


def login(client, user):  # type: ignore[no-untyped-def]
    client.force_login(user)
    return client


def messages_of(response) -> list[str]:  # type: ignore[no-untyped-def]
    """The messages the page shows (none when the response has no template context)."""
    return [str(m) for m in response.context["messages"]] if response.context else []


def upload(name: str, data: bytes) -> io.BytesIO:
    f = io.BytesIO(data)
    f.name = name
    return f


def post_import(client, programme_year, name: str, data: bytes):  # type: ignore[no-untyped-def]
    return client.post(reverse("annual_run_start", args=[programme_year.pk]),
                       {"source": "import", "file": upload(name, data)})


def association_case(programme_year, households: int = 120) -> GrantCase:  # type: ignore[no-untyped-def]
    """A draft case of a new 自治会 with an account, a representative and a count on the base date."""
    org = factories.AssociationFactory()
    factories.BankAccountFactory(organization=org)
    factories.RepresentativeFactory(organization=org)
    factories.count(org, programme_year.base_date, households)
    case = GrantCase(programme_year=programme_year, organization=org)
    services.apply_count(case, households)
    case.save()
    return case


def to_verified(case: GrantCase, head, staff) -> GrantCase:  # type: ignore[no-untyped-def]
    services.submit_application(case_id=case.pk, actor=head)
    return services.verify_application(case_id=case.pk, actor=staff)


def to_decided(case: GrantCase, head, staff, approver) -> GrantCase:  # type: ignore[no-untyped-def]
    to_verified(case, head, staff)
    return services.decide_grant(case_id=case.pk, actor=approver)


def take_to(case: GrantCase, status: str, *, head, staff, approver, finance, finance2=None) -> GrantCase:  # type: ignore[no-untyped-def]
    """Take ``case`` step by step through the real services until it reaches ``status`` (支払済 at the most)."""
    steps = [
        (Status.SUBMITTED, services.submit_application, head),
        (Status.VERIFIED, services.verify_application, staff),
        (Status.DECIDED, services.decide_grant, approver),
        (Status.PAYMENT_PREPARED, services.prepare_payment, staff),
        (Status.PAYMENT_APPROVED, services.approve_payment, finance),
        (Status.TRANSFER_SENT, services.record_payment, finance),
        (Status.PAID, services.confirm_transfer, finance),
    ]
    for target, act, actor in steps:
        case = act(case_id=case.pk, actor=actor)
        if target == status:
            break
    return case


def approve_case(grant_case, head, staff, approver, payment_drafter, payment_approver):  # type: ignore[no-untyped-def]
    """Take a draft case to 支出承認済 through the real services."""
    services.submit_application(case_id=grant_case.pk, actor=head)
    services.verify_application(case_id=grant_case.pk, actor=staff)
    services.decide_grant(case_id=grant_case.pk, actor=approver)
    services.prepare_payment(case_id=grant_case.pk, actor=payment_drafter)
    return services.approve_payment(case_id=grant_case.pk, actor=payment_approver)


def approved_simple_case(staff, approver, finance):  # type: ignore[no-untyped-def]
    """A 自治会 case of its own programme-year (budget 5,000,000円) whose payment is approved (支出承認済)."""
    year = factories.programme_year_with_budget(budget=5_000_000)
    association = factories.AssociationFactory()
    factories.BankAccountFactory(organization=association)
    head = factories.UserFactory(username="jichikai-head", role="association_head")
    factories.RepresentativeFactory(organization=association, user=head)
    factories.count(association, year.base_date, 120)
    case = GrantCase.objects.create(programme_year=year, organization=association)
    services.apply_count(case, 120)
    case.save()
    services.submit_application(case_id=case.pk, actor=head)
    services.verify_application(case_id=case.pk, actor=staff)
    services.decide_grant(case_id=case.pk, actor=approver)
    services.prepare_payment(case_id=case.pk, actor=staff)
    return services.approve_payment(case_id=case.pk, actor=finance)
