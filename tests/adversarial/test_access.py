"""Attacks on scoping and roles: another association's data, ended terms, wrong roles, separation of duties."""
import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from grants.accounts.models import Role
from grants.cases import services
from grants.cases.annual_run import start_annual_run
from grants.cases.models import AnnualRun, GrantCase, Status
from grants.core.models import AuditEvent
from grants.ledger.models import LedgerEntry
from grants.organizations.models import Representative
from tests import factories
from tests.cases.steps import login, to_decided, to_verified

pytestmark = pytest.mark.django_db

ALL_ACTIONS = ["submit", "return_to_applicant", "verify", "decide", "refuse", "prepare_payment",
               "approve_payment", "reject_payment", "record_paid"]


def _assert_untouched(case: GrantCase, status: str = Status.DRAFT) -> None:
    case.refresh_from_db()
    assert case.status == status
    assert not AuditEvent.objects.filter(object_id=case.pk, action__in=ALL_ACTIONS + ["correct_household_count",
                                                                                         "override_check"]).exists()


# --- another association's data -------------------------------------------------------------------------------

def test_head_cannot_reach_other_association_by_any_url(client, case, other_case, association_head, staff) -> None:  # type: ignore[no-untyped-def]
    run = start_annual_run(programme_year=case.programme_year, actor=staff)
    login(client, association_head)
    for action in ALL_ACTIONS:
        r = client.post(reverse("case_action", args=[other_case.pk, action]), {"note": "x"})
        assert r.status_code == 404, action
    assert client.post(reverse("correct_count", args=[other_case.pk]),
                       {"households": 999, "reason": "x"}).status_code == 404
    assert client.post(reverse("override_check", args=[other_case.pk]),
                       {"check_code": "bank_account", "justification": "x"}).status_code == 404
    assert client.get(reverse("case_detail", args=[other_case.pk])).status_code == 404
    assert client.get(reverse("organization_detail", args=[other_case.organization_id])).status_code == 404
    assert client.post(reverse("organization_detail", args=[other_case.organization_id]),
                       {"name": "乗っ取り", "title": "会長", "started_on": "2026-06-01"}).status_code == 404
    py = case.programme_year.pk
    assert client.get(reverse("programme_year", args=[py])).status_code == 403
    assert client.get(reverse("annual_run_start", args=[py])).status_code == 403
    assert client.post(reverse("annual_run_start", args=[py]), {"source": "on_file"}).status_code == 403
    assert client.get(reverse("annual_run", args=[run.pk])).status_code == 403
    assert client.post(reverse("annual_run_step", args=[run.pk])).status_code == 403
    assert client.post(reverse("request_programme_year_export", args=[py]), {"format": "xlsx"}).status_code == 403
    _assert_untouched(other_case)
    assert AnnualRun.objects.count() == 1


@pytest.mark.parametrize("query", [
    "", "?programme_year={py}", "?q={name}", "?q={code}", "?q=", "?status=draft", "?organization__area={area}",
    "?sort=organization__name", "?sort=-reference", "?page=2", "?page=1&per_page=1000",
    "?programme_year={py}&programme_year=999999", "?organization={other_org}", "?organization_id={other_org}",
    "?pk={other}", "?id={other}", "?sort=organization__representatives__user__password",
])
def test_head_case_list_never_shows_other_association(client, case, other_case, association_head, query) -> None:  # type: ignore[no-untyped-def]
    url = reverse("case_list") + query.format(py=case.programme_year.pk, name=other_case.organization.name,
                                              code=other_case.organization.code, area=other_case.organization.area_id,
                                              other_org=other_case.organization_id, other=other_case.pk)
    response = login(client, association_head).get(url)
    assert response.status_code == 200
    page = response.content.decode()
    table = page[page.index("<tbody"):page.index("</tbody>")]  # the form and sort links echo the query
    assert other_case.organization.name not in table and other_case.organization.code not in table
    assert f"/cases/{other_case.pk}/" not in table


def test_head_home_lists_only_own(client, case, other_case, association_head) -> None:  # type: ignore[no-untyped-def]
    page = login(client, association_head).get(reverse("home")).content.decode()
    assert case.organization.name in page and other_case.organization.name not in page


@pytest.mark.parametrize("query", ["?per_page=0", "?page=-1", "?page=0", "?page=abc", "?per_page=abc",
                                   "?page=1000", "?sort=nonexistent"])
def test_case_list_tolerates_odd_pagination(client, case, association_head, query) -> None:  # type: ignore[no-untyped-def]
    login(client, association_head)
    assert client.get(reverse("case_list") + query).status_code == 200


@pytest.mark.parametrize("query", ["?per_page=-5", "?page=99999999999999999999", "?per_page=99999999999999999999"])
def test_regression_case_list_pagination_params_crash(client, case, association_head, query) -> None:  # type: ignore[no-untyped-def]
    """Was a bug, now fixed: django-tables2's RequestConfig reads ``per_page``/``page`` from the query string unchecked.
    ``per_page=-5`` gives a negative slice (ValueError "Negative indexing is not supported"), and a 20-digit
    ``page``/``per_page`` reaches SQL LIMIT/OFFSET (SQLite "datatype mismatch", PostgreSQL bigint out of range):
    any logged-in user gets a 500 from /cases/."""
    login(client, association_head)
    client.raise_request_exception = False
    response = client.get(reverse("case_list") + query)
    assert response.status_code in (200, 404), response.status_code


# --- ended or future terms ------------------------------------------------------------------------------------

def _end_term(head, organization, ended_on):  # type: ignore[no-untyped-def]
    Representative.objects.filter(user=head, organization=organization).update(ended_on=ended_on)


def test_head_whose_term_ended_yesterday_is_locked_out(client, case, association_head) -> None:  # type: ignore[no-untyped-def]
    _end_term(association_head, case.organization, timezone.localdate() - dt.timedelta(days=1))
    login(client, association_head)
    assert client.get(reverse("case_detail", args=[case.pk])).status_code == 404
    assert client.post(reverse("case_action", args=[case.pk, "submit"]), {"note": ""}).status_code == 404
    assert client.post(reverse("correct_count", args=[case.pk]), {"households": 5, "reason": "x"}).status_code == 404
    assert client.get(reverse("organization_detail", args=[case.organization_id])).status_code == 404
    assert case.organization.name not in client.get(reverse("case_list")).content.decode()
    assert case.organization.name not in client.get(reverse("home")).content.decode()
    with pytest.raises(GrantCase.DoesNotExist):
        services.submit_application(case_id=case.pk, actor=association_head)
    _assert_untouched(case)


def test_head_whose_term_starts_tomorrow_cannot_act_yet(case, association_head) -> None:  # type: ignore[no-untyped-def]
    Representative.objects.filter(user=association_head).update(started_on=timezone.localdate() + dt.timedelta(days=1))
    with pytest.raises(GrantCase.DoesNotExist):
        services.correct_household_count(case_id=case.pk, actor=association_head, households=1, reason="x")


def test_former_head_loses_access_after_change_of_head(case, association_head, staff) -> None:  # type: ignore[no-untyped-def]
    from grants.organizations.services import change_head

    change_head(organization_id=case.organization_id, actor=staff, name="新会長",
                started_on=timezone.localdate())
    with pytest.raises(GrantCase.DoesNotExist):
        services.submit_application(case_id=case.pk, actor=association_head)


def test_inactive_user_account_cannot_log_in(client, case, association_head) -> None:  # type: ignore[no-untyped-def]
    association_head.is_active = False
    association_head.save()
    from tests.factories import PASSWORD
    assert not client.login(username=association_head.username, password=PASSWORD)


# --- wrong roles ----------------------------------------------------------------------------------------------

def test_auditor_cannot_change_anything(client, case, association_head, staff, approver, auditor) -> None:  # type: ignore[no-untyped-def]
    to_verified(case, association_head, staff)
    login(client, auditor)
    for action in ALL_ACTIONS:
        client.post(reverse("case_action", args=[case.pk, action]), {"note": "監査"})
    client.post(reverse("correct_count", args=[case.pk]), {"households": 1, "reason": "x"})
    client.post(reverse("override_check", args=[case.pk]), {"check_code": "bank_account", "justification": "x"})
    client.post(reverse("annual_run_start", args=[case.programme_year.pk]), {"source": "on_file"})
    client.post(reverse("organization_detail", args=[case.organization_id]),
                {"name": "監査太郎", "title": "会長", "started_on": "2026-06-01"})
    case.refresh_from_db()
    assert case.status == Status.VERIFIED and case.household_count == 120
    assert not AnnualRun.objects.exists()
    assert not AuditEvent.objects.filter(actor=auditor).exists()
    assert case.organization.representatives.count() == 1
    assert LedgerEntry.objects.count() == 1  # the budget only


def test_auditor_cannot_step_a_run(client, programme_year, staff, auditor) -> None:  # type: ignore[no-untyped-def]
    factories.AssociationFactory()
    run = start_annual_run(programme_year=programme_year, actor=staff)
    response = login(client, auditor).post(reverse("annual_run_step", args=[run.pk]), HTTP_ACCEPT="application/json")
    assert response.status_code == 403
    assert not GrantCase.objects.exists()


@pytest.mark.parametrize("role", [Role.FINANCE, Role.STAFF, Role.AUDITOR, Role.ASSOCIATION_HEAD])
def test_only_approver_decides(case, association_head, staff, role) -> None:  # type: ignore[no-untyped-def]
    to_verified(case, association_head, staff)
    actor = association_head if role == Role.ASSOCIATION_HEAD else factories.UserFactory(username=f"x-{role}", role=role)
    with pytest.raises(services.CaseActionError):
        services.decide_grant(case_id=case.pk, actor=actor)
    with pytest.raises(services.CaseActionError):
        services.refuse_grant(case_id=case.pk, actor=actor, note="x")
    assert GrantCase.objects.get(pk=case.pk).status == Status.VERIFIED


@pytest.mark.parametrize("role", [Role.STAFF, Role.APPROVER, Role.AUDITOR])
def test_only_finance_approves_or_pays(case, association_head, staff, approver, finance, role) -> None:  # type: ignore[no-untyped-def]
    to_decided(case, association_head, staff, approver)
    services.prepare_payment(case_id=case.pk, actor=finance)
    actor = factories.UserFactory(username=f"y-{role}", role=role)
    for call in (services.approve_payment, services.record_payment):
        with pytest.raises(services.CaseActionError):
            call(case_id=case.pk, actor=actor)
    with pytest.raises(services.CaseActionError):
        services.reject_payment(case_id=case.pk, actor=actor, note="x")
    assert GrantCase.objects.get(pk=case.pk).status == Status.PAYMENT_PREPARED


def test_user_without_role_sees_nothing(client, case) -> None:  # type: ignore[no-untyped-def]
    nobody = factories.UserFactory(username="nobody", role="")
    login(client, nobody)
    assert client.get(reverse("case_detail", args=[case.pk])).status_code == 404
    assert client.get(reverse("programme_year", args=[case.programme_year.pk])).status_code == 403
    assert case.organization.name not in client.get(reverse("case_list")).content.decode()


def test_finance_cannot_correct_count_or_override(case, association_head, finance, approver) -> None:  # type: ignore[no-untyped-def]
    for actor in (finance, approver):
        with pytest.raises(services.CaseActionError):
            services.correct_household_count(case_id=case.pk, actor=actor, households=1, reason="x")
    services.submit_application(case_id=case.pk, actor=association_head)
    for actor in (finance, approver, association_head):
        with pytest.raises(services.CaseActionError):
            services.override_check(case_id=case.pk, actor=actor, check_code="bank_account", justification="x")


def test_head_cannot_verify_own_application(case, association_head) -> None:  # type: ignore[no-untyped-def]
    services.submit_application(case_id=case.pk, actor=association_head)
    with pytest.raises(services.CaseActionError):
        services.verify_application(case_id=case.pk, actor=association_head)
    with pytest.raises(services.CaseActionError):
        services.return_application(case_id=case.pk, actor=association_head, note="x")


def test_head_cannot_correct_after_submission(case, association_head) -> None:  # type: ignore[no-untyped-def]
    services.submit_application(case_id=case.pk, actor=association_head)
    with pytest.raises(services.CaseActionError):
        services.correct_household_count(case_id=case.pk, actor=association_head, households=9999, reason="x")
    assert GrantCase.objects.get(pk=case.pk).household_count == 120


# --- separation of duties -------------------------------------------------------------------------------------

def test_drafter_cannot_approve_via_reject_and_redraft(case, association_head, staff, approver, finance, finance2) -> None:  # type: ignore[no-untyped-def]
    to_decided(case, association_head, staff, approver)
    services.prepare_payment(case_id=case.pk, actor=finance)
    with pytest.raises(services.CaseActionError, match="起票した方"):
        services.approve_payment(case_id=case.pk, actor=finance)
    with pytest.raises(services.CaseActionError, match="起票した方"):
        services.reject_payment(case_id=case.pk, actor=finance, note="自分で差戻し")
    services.reject_payment(case_id=case.pk, actor=finance2, note="金額確認")
    services.prepare_payment(case_id=case.pk, actor=finance)  # finance drafts again
    with pytest.raises(services.CaseActionError, match="起票した方"):
        services.approve_payment(case_id=case.pk, actor=finance)
    services.approve_payment(case_id=case.pk, actor=finance2)
    case.refresh_from_db()
    assert (case.payment_prepared_by, case.payment_approved_by) == (finance, finance2)


def test_reject_clears_drafter_only_after_the_separation_check(case, association_head, staff, approver, finance) -> None:  # type: ignore[no-untyped-def]
    """reject_payment's effect sets payment_prepared_by to None; the check must run before it."""
    to_decided(case, association_head, staff, approver)
    services.prepare_payment(case_id=case.pk, actor=finance)
    with pytest.raises(services.CaseActionError):
        services.reject_payment(case_id=case.pk, actor=finance, note="x")
    assert GrantCase.objects.get(pk=case.pk).payment_prepared_by == finance


def test_verifier_promoted_to_approver_cannot_decide(case, association_head, staff) -> None:  # type: ignore[no-untyped-def]
    to_verified(case, association_head, staff)
    staff.role = Role.APPROVER
    staff.save()
    with pytest.raises(services.CaseActionError, match="審査した方"):
        services.decide_grant(case_id=case.pk, actor=staff)


def test_drafter_promoted_to_finance_cannot_approve(case, association_head, staff, approver) -> None:  # type: ignore[no-untyped-def]
    to_decided(case, association_head, staff, approver)
    services.prepare_payment(case_id=case.pk, actor=staff)
    staff.role = Role.FINANCE
    staff.save()
    with pytest.raises(services.CaseActionError, match="起票した方"):
        services.approve_payment(case_id=case.pk, actor=staff)


def test_disabled_buttons_cannot_be_forced_by_post(client, case, association_head, staff, approver) -> None:  # type: ignore[no-untyped-def]
    """A head posting straight to verify/decide, bypassing the page, is refused by the service."""
    services.submit_application(case_id=case.pk, actor=association_head)
    login(client, association_head)
    for action in ("verify", "decide", "return_to_applicant"):
        response = client.post(reverse("case_action", args=[case.pk, action]), {"note": "x"}, follow=True)
        assert "権限がありません" in response.content.decode()
    assert GrantCase.objects.get(pk=case.pk).status == Status.SUBMITTED


def test_unknown_action_slug_is_404(client, case, staff) -> None:  # type: ignore[no-untyped-def]
    login(client, staff)
    for slug in ("save", "delete", "__init__", "_transition", "apply_count"):
        assert client.post(reverse("case_action", args=[case.pk, slug])).status_code == 404


def test_actions_need_post(client, case, association_head) -> None:  # type: ignore[no-untyped-def]
    login(client, association_head)
    assert client.get(reverse("case_action", args=[case.pk, "submit"])).status_code == 405
    assert client.get(reverse("correct_count", args=[case.pk])).status_code == 405


def test_csrf_is_enforced(case, association_head) -> None:  # type: ignore[no-untyped-def]
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    login(client, association_head)
    assert client.post(reverse("case_action", args=[case.pk, "submit"]), {"note": ""}).status_code == 403
    assert GrantCase.objects.get(pk=case.pk).status == Status.DRAFT


@pytest.mark.parametrize("name", ["case_detail", "organization_detail", "programme_year", "annual_run",
                                  "annual_run_start"])
def test_huge_ids_in_urls_are_404(client, case, staff, name) -> None:  # type: ignore[no-untyped-def]
    login(client, staff)
    assert client.get(reverse(name, args=[99999999999999999999])).status_code == 404


def test_huge_ids_in_post_urls_are_404(client, case, staff) -> None:  # type: ignore[no-untyped-def]
    login(client, staff)
    huge = 99999999999999999999
    assert client.post(reverse("case_action", args=[huge, "verify"])).status_code == 404
    assert client.post(reverse("correct_count", args=[huge]), {"households": 1, "reason": "x"}).status_code == 404
    assert client.post(reverse("annual_run_step", args=[huge])).status_code == 404
