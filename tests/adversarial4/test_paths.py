"""Paths of the 自治会 lifecycle taken on a council case: the simplified flow's buttons and forms posted directly
against a full-lifecycle case. Each is refused with a message; nothing changes; never a 500."""
import pytest
from django.urls import reverse

from grants.cases.services import correct_household_count
from grants.cases.workflows import CaseActionError
from grants.core.models import AuditEvent
from grants.organizations.models import HouseholdCount
from tests.councils.steps import decided, draft, fresh, login, post

pytestmark = pytest.mark.django_db


def test_regression_household_count_posted_to_a_council_case_is_refused_not_a_500(client, katsudo, council,
                                                                                  staff) -> None:  # type: ignore[no-untyped-def]
    """The 世帯数の訂正 form is not shown on a council case, but posting it computed the council's amount from a
    household count alone and crashed (MissingInputError, a 500)."""
    case, _, _ = draft(katsudo, council, staff)
    events = AuditEvent.objects.count()
    for user in (council[1], staff):
        shown = post(login(client, user), reverse("correct_count", args=[case.pk]),
                     {"households": "100", "reason": "訂正"})
        assert shown == ["この事業の案件には、世帯数の届出はありません。"], shown
    with pytest.raises(CaseActionError, match="世帯数の届出はありません"):
        correct_household_count(case_id=case.pk, actor=staff, households=100, reason="訂正")
    case = fresh(case)
    assert (case.household_count, case.computed_amount) == (None, None)
    assert not HouseholdCount.objects.filter(organization=council[0]).exists()
    assert AuditEvent.objects.count() == events


@pytest.mark.parametrize("action", ["prepare_payment", "approve_payment", "reject_payment", "record_paid",
                                    "return_transfer", "refuse", "return_to_applicant", "verify", "cancel",
                                    "request_change", "check_change"])
def test_simple_or_form_only_edges_posted_to_a_decided_council_case(client, katsudo, council, staff, approver,
                                                                      finance, action) -> None:  # type: ignore[no-untyped-def]
    case, _, _ = decided(katsudo, council, staff, approver)
    events = AuditEvent.objects.for_object(case).count()
    for user in (staff, approver, finance):
        response = login(client, user).post(reverse("case_action", args=[case.pk, action]), {"note": "x"},
                                            follow=True)
        assert response.status_code in (200, 404), (action, response.status_code)
    assert fresh(case).status == "decided"
    assert AuditEvent.objects.for_object(case).count() == events


def test_simple_override_form_on_a_council_case_takes_only_its_failed_checks(client, katsudo, council, staff) -> None:  # type: ignore[no-untyped-def]
    case, _, _ = draft(katsudo, council, staff)
    from grants.cases.services import submit_application

    submit_application(case_id=case.pk, actor=council[1])
    shown = post(login(client, staff), reverse("override_check", args=[case.pk]),
                 {"check_code": "household_count", "justification": "x"})
    assert any("選択" in m for m in shown), shown
    assert not case.overrides.exists()
