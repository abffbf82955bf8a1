"""Who may see a case (grants/cases/permissions.py, ``GrantCase.objects.visible_to``): a head reaches only their own
association's cases, by any URL, list or home page, and only during their term; a user without a role sees nothing."""
import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from grants.cases import services
from grants.cases.annual_run import start_annual_run
from grants.cases.models import AnnualRun, GrantCase, Status
from grants.core.models import AuditEvent
from grants.organizations.models import Representative
from tests import factories
from tests.cases.steps import login

pytestmark = pytest.mark.django_db


ALL_ACTIONS = ["submit", "return_to_applicant", "verify", "decide", "refuse", "prepare_payment",
               "approve_payment", "reject_payment", "record_paid"]


def _assert_untouched(case: GrantCase, status: str = Status.DRAFT) -> None:
    case.refresh_from_db()
    assert case.status == status
    assert not AuditEvent.objects.filter(object_id=case.pk, action__in=ALL_ACTIONS + ["correct_household_count",
                                                                                         "override_check"]).exists()


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
    response = client.post(reverse("login"), {"username": association_head.username, "password": PASSWORD})
    assert response.status_code == 200 and "正しくありません" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_user_without_role_sees_nothing(client, case) -> None:  # type: ignore[no-untyped-def]
    nobody = factories.UserFactory(username="nobody", role="")
    login(client, nobody)
    assert client.get(reverse("case_detail", args=[case.pk])).status_code == 404
    assert client.get(reverse("programme_year", args=[case.programme_year.pk])).status_code == 403
    assert case.organization.name not in client.get(reverse("case_list")).content.decode()
