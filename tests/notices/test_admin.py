"""Admin: the sequence's prefix is editable, its last number is not; notices are read-only."""

import pytest
from django.urls import reverse

from grants.notices.models import DocumentSequence, NoticeKind
from grants.notices.services import issue_notice
from tests import factories

pytestmark = pytest.mark.django_db


# The notices' case (tests/conftest.py notice_case) is this module's case: decided_case and refused_case build on it.
@pytest.fixture
def case(notice_case):  # type: ignore[no-untyped-def]
    return notice_case


@pytest.fixture
def admin_client(client):  # type: ignore[no-untyped-def]
    client.force_login(factories.UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


def test_prefix_is_editable_and_last_number_is_not(admin_client, decided_case, refused_case, approver) -> None:  # type: ignore[no-untyped-def]
    issue_notice(case=decided_case, kind=NoticeKind.DECISION, actor=approver)
    seq = DocumentSequence.objects.get()
    url = reverse("admin:notices_documentsequence_change", args=[seq.pk])
    assert admin_client.get(url).status_code == 200
    response = admin_client.post(url, {"prefix": "山口協", "last_number": 99})
    assert response.status_code == 302, response.content.decode()[:2000]
    seq.refresh_from_db()
    assert (seq.prefix, seq.last_number) == ("山口協", 2)  # the decision and the refusal, issued by the acts
    assert decided_case.notices.get().document_number.startswith("山協第")  # issued numbers stay as printed
    assert issue_notice(case=decided_case, kind=NoticeKind.CONFIRMATION, actor=approver).document_number.startswith(
        "山口協第")
    assert admin_client.post(reverse("admin:notices_documentsequence_delete", args=[seq.pk])).status_code == 403


def test_notices_are_read_only(admin_client, decided_case, approver) -> None:  # type: ignore[no-untyped-def]
    notice = issue_notice(case=decided_case, kind=NoticeKind.DECISION, actor=approver)
    assert admin_client.get(reverse("admin:notices_notice_changelist")).status_code == 200
    assert admin_client.get(reverse("admin:notices_notice_change", args=[notice.pk])).status_code == 200
    assert admin_client.get(reverse("admin:notices_notice_add")).status_code == 403
    assert admin_client.post(reverse("admin:notices_notice_delete", args=[notice.pk])).status_code == 403


def test_a_prefix_another_programme_uses_this_year_is_refused(admin_client, decided_case, approver) -> None:  # type: ignore[no-untyped-def]
    issue_notice(case=decided_case, kind=NoticeKind.DECISION, actor=approver)
    other = factories.programme("other_programme")
    response = admin_client.post(reverse("admin:notices_documentsequence_add"),
                                 {"programme": other.pk, "fiscal_year": factories.CURRENT_FY, "prefix": "山協"})
    assert response.status_code == 200  # the form comes back with the error
    assert DocumentSequence.objects.filter(programme=other).count() == 0
