"""Shared helpers for the adversarial tests."""
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
