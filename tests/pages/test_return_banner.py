"""A returned application says so at the top (issue 15): the applicant's ホーム and the case page show 「差し戻されました
（日付）：理由。直して、もう一度提出してください。」 while the case waits to be sent again — staff see it on the case page
too — and nothing once it is sent again; another organisation's user never sees it, and the ホーム reads the returns of
all its cases in one query. A returned 地域づくり計画 says so at the top of its page."""
from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from grants.accounts.models import Role
from grants.cases import services
from grants.cases.models import GrantCase
from grants.cases.services import apply_count
from grants.core.fiscal import wareki
from grants.councils import plans
from tests import factories
from tests.cases.steps import login
from tests.councils.test_plans import new_plan, tree

pytestmark = pytest.mark.django_db

REASON = "見積書の日付が申請日より後になっています"


def banner(body: str) -> str:
    """The text of the page's 差戻し notice, or "" when it has none."""
    start = body.find('id="returned"')
    return body[start:body.index("</section>", start)] if start >= 0 else ""


def returned(case: GrantCase, head, staff) -> GrantCase:  # type: ignore[no-untyped-def]
    services.act(case_id=case.pk, edge="submit", actor=head)
    return services.act(case_id=case.pk, edge="return_to_applicant", actor=staff, note=REASON)


def test_the_applicant_sees_the_reason_on_home_and_on_the_case_page(client, case, association_head, staff) -> None:  # type: ignore[no-untyped-def]
    returned(case, association_head, staff)
    expected = f"差し戻されました（{wareki(timezone.localdate())}）：{REASON}。直して、もう一度提出してください。"
    login(client, association_head)
    home = client.get(reverse("home")).content.decode()
    assert expected in banner(home)
    assert reverse("case_detail", args=[case.pk]) in banner(home)
    assert "申請前（差戻し・再提出待ち）" in home
    page = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    assert expected in banner(page) and 'aria-labelledby="returned-heading"' in page
    assert page.index('id="returned"') < page.index('id="history"')  # at the top, not down in the history


def test_staff_see_it_on_the_case_page(client, case, association_head, staff) -> None:  # type: ignore[no-untyped-def]
    returned(case, association_head, staff)
    page = login(client, staff).get(reverse("case_detail", args=[case.pk])).content.decode()
    assert REASON in banner(page)


def test_it_is_gone_once_the_application_is_sent_again(client, case, association_head, staff) -> None:  # type: ignore[no-untyped-def]
    returned(case, association_head, staff)
    services.act(case_id=case.pk, edge="submit", actor=association_head)
    login(client, association_head)
    assert banner(client.get(reverse("home")).content.decode()) == ""
    page = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    assert banner(page) == "" and "再提出待ち" not in page
    assert REASON in page  # the history keeps it


def test_a_case_never_returned_has_no_notice(client, case, association_head) -> None:  # type: ignore[no-untyped-def]
    login(client, association_head)
    assert banner(client.get(reverse("home")).content.decode()) == ""
    assert banner(client.get(reverse("case_detail", args=[case.pk])).content.decode()) == ""


def test_another_organisations_user_never_sees_it(client, case, association_head, staff, programme_year) -> None:  # type: ignore[no-untyped-def]
    returned(case, association_head, staff)
    stranger = factories.UserFactory(username="stranger", role=Role.ASSOCIATION_HEAD)
    factories.RepresentativeFactory(organization=factories.AssociationFactory(name="別の自治会"), user=stranger)
    login(client, stranger)
    home = client.get(reverse("home")).content.decode()
    assert banner(home) == "" and REASON not in home
    assert client.get(reverse("case_detail", args=[case.pk])).status_code == 404


def test_home_reads_every_return_in_one_query(client, programme_year, association, association_head, staff) -> None:  # type: ignore[no-untyped-def]
    factories.BankAccountFactory(organization=association)

    def queries() -> int:
        with CaptureQueriesContext(connection) as context:
            client.get(reverse("home"))
        return len(context.captured_queries)

    def new_case() -> GrantCase:
        case = GrantCase(programme_year=programme_year, organization=association)
        apply_count(case, 10)
        case.save()
        return case

    login(client, association_head)
    cases = [new_case()]
    returned(cases[0], association_head, staff)
    once = queries()
    # one organisation has one case a year: the others are of other programmes' years
    for n in range(3):
        year = factories.rule(fiscal_year=programme_year.fiscal_year - 1 - n)
        case = GrantCase(programme_year=year, organization=association)
        apply_count(case, 10)
        case.save()
        returned(case, association_head, staff)
    body = client.get(reverse("home")).content.decode()
    assert banner(body).count("差し戻されました") == 4
    assert queries() == once


def test_a_returned_plan_says_so_at_the_top_of_its_page_until_submitted_again(client, council, staff) -> None:  # type: ignore[no-untyped-def]
    org, secretary = council
    plan = new_plan(secretary, org)
    tree(secretary, plan)
    plans.submit_plan(actor=secretary, plan_id=plan.pk)
    plans.return_plan(actor=staff, plan_id=plan.pk, note="取組の内容を具体的に書いてください")
    url = reverse("plan_detail", args=[plan.pk])
    page = login(client, secretary).get(url).content.decode()
    assert f"差し戻されました（{wareki(timezone.localdate())}）：取組の内容を具体的に書いてください。" in banner(page)
    assert REASON not in page
    plans.submit_plan(actor=secretary, plan_id=plan.pk)
    assert banner(client.get(url).content.decode()) == ""
