"""Steps of the 自治会 (formula) lifecycle shared by the case, page and ledger tests: logging in, uploading a\nhousehold-count file, and a case taken to 審査済, 交付決定済 or 支出承認済 through the real services."""
import io

from django.urls import reverse

from grants.cases import services
from grants.cases.models import GrantCase
from tests.factories import PASSWORD


def login(client, user):  # type: ignore[no-untyped-def]
    assert client.login(username=user.username, password=PASSWORD)
    return client


def upload(name: str, data: bytes) -> io.BytesIO:
    f = io.BytesIO(data)
    f.name = name
    return f


def post_import(client, programme_year, name: str, data: bytes):  # type: ignore[no-untyped-def]
    return client.post(reverse("annual_run_start", args=[programme_year.pk]),
                       {"source": "import", "file": upload(name, data)})


def to_verified(case: GrantCase, head, staff) -> GrantCase:  # type: ignore[no-untyped-def]
    services.submit_application(case_id=case.pk, actor=head)
    return services.verify_application(case_id=case.pk, actor=staff)


def to_decided(case: GrantCase, head, staff, approver) -> GrantCase:  # type: ignore[no-untyped-def]
    to_verified(case, head, staff)
    return services.decide_grant(case_id=case.pk, actor=approver)


def approve_case(grant_case, head, staff, approver, payment_drafter, payment_approver):  # type: ignore[no-untyped-def]
    """Take a draft case to 支出承認済 through the real services."""
    services.submit_application(case_id=grant_case.pk, actor=head)
    services.verify_application(case_id=grant_case.pk, actor=staff)
    services.decide_grant(case_id=grant_case.pk, actor=approver)
    services.prepare_payment(case_id=grant_case.pk, actor=payment_drafter)
    return services.approve_payment(case_id=grant_case.pk, actor=payment_approver)
