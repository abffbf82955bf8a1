"""The budget dashboard: exact figures per programme-year and per 地域 after the real services, reconciliation
of the two, a fixed number of queries, and who may see the page."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from grants.accounts.models import Role
from grants.cases.models import GrantCase, Status
from grants.cases.services import apply_count
from grants.ledger.models import EntryKind, LedgerEntry
from grants.ledger.services import post_entry, set_budget
from grants.organizations.models import Area
from tests import factories
from tests.cases.test_services import take_to

pytestmark = pytest.mark.django_db


FY = factories.CURRENT_FY


def yuda() -> Area:
    return factories.AreaFactory(code="03", name="湯田", kana="ゆだ", centre_name="湯田地域交流センター")


@pytest.fixture
def ledger_story(case, other_case, association_head, staff, staff2, approver, finance):  # type: ignore[no-untyped-def]
    """Cases taken through the real services, in two 地域:

    - 大歳 (10): ``case``, 120 households → 70,000 yen decided and paid; then 5,000 yen refunded, and a
      2,000 yen refund posted by mistake and reversed.
    - 湯田 (03): ``other_case``, 40 households → 30,000 yen decided and paid; ``withdrawn``, 20 households →
      20,000 yen decided, whose commitment is then reversed in the ledger.
    - Budget: 5,000,000 yen, plus a 1,000,000 yen budget entry that was reversed.
    """
    area = yuda()
    other_case.organization.area = area
    other_case.organization.save()
    py = case.programme_year

    extra = set_budget(programme_year=py, budget=1_000_000, actor=finance, note="補正（誤り）")
    post_entry(programme_year=py, kind=EntryKind.REVERSAL, amount=0, actor=finance, reverses=extra)

    take_to(case, Status.PAID, head=association_head, staff=staff, approver=approver, finance=finance)
    post_entry(programme_year=py, kind=EntryKind.REFUND, amount=5_000, actor=finance, case=case, note="返還")
    wrong = post_entry(programme_year=py, kind=EntryKind.REFUND, amount=2_000, actor=finance, case=case)
    post_entry(programme_year=py, kind=EntryKind.REVERSAL, amount=0, actor=finance, reverses=wrong,
               case_reversal=True)

    take_to(other_case, Status.PAID, head=staff2, staff=staff, approver=approver, finance=finance)

    org = factories.AssociationFactory(name="湯田第2自治会", area=area)
    factories.BankAccountFactory(organization=org)
    factories.RepresentativeFactory(organization=org, name="湯田 花子")
    factories.count(org, factories.BASE_DATE, 20)
    withdrawn = GrantCase(programme_year=py, organization=org)
    apply_count(withdrawn, 20)
    withdrawn.save()
    take_to(withdrawn, Status.DECIDED, head=staff2, staff=staff, approver=approver, finance=finance)
    commitment = LedgerEntry.objects.get(case=withdrawn, kind=EntryKind.COMMITMENT)
    assert commitment.amount == 20_000
    post_entry(programme_year=py, kind=EntryKind.REVERSAL, amount=0, actor=finance, reverses=commitment,
               case_reversal=True)
    return py


def paid_cases(programme_year, n: int, actor) -> None:  # type: ignore[no-untyped-def]
    """``n`` cases spread over three 地域, each committed 10,000 yen and paid 6,000 yen in the ledger."""
    areas = [factories.AreaFactory(), yuda(), factories.AreaFactory(code="05", name="小鯖", kana="おさば",
                                                                     centre_name="小鯖地域交流センター")]
    for i in range(n):
        org = factories.AssociationFactory(area=areas[i % 3])
        case = GrantCase.objects.create(programme_year=programme_year, organization=org)
        post_entry(programme_year=programme_year, kind=EntryKind.COMMITMENT, amount=10_000, actor=actor, case=case)
        post_entry(programme_year=programme_year, kind=EntryKind.PAYMENT, amount=6_000, actor=actor, case=case)


def test_page_queries_do_not_grow_with_cases(client, programme_year, staff, finance) -> None:  # type: ignore[no-untyped-def]
    client.force_login(staff)
    paid_cases(programme_year, 2, finance)
    with CaptureQueriesContext(connection) as two:
        assert client.get(reverse("dashboard")).status_code == 200
    paid_cases(programme_year, 18, finance)
    with CaptureQueriesContext(connection) as twenty:
        response = client.get(reverse("dashboard"))
    assert response.context["area_sum"].case_count == 20
    assert len(twenty) == len(two) <= 10  # session, user, years, programmes, 3 for the areas, demo notice


def test_head_is_refused_and_anonymous_sent_to_login(client, association_head) -> None:  # type: ignore[no-untyped-def]
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    client.force_login(association_head)
    assert client.get(reverse("dashboard")).status_code == 403
    # The nav link is for city staff only.
    assert "予算ダッシュボード" not in client.get(reverse("home")).content.decode()


@pytest.mark.parametrize("role", [Role.STAFF, Role.APPROVER, Role.FINANCE, Role.AUDITOR])
def test_every_city_role_sees_the_page(client, role) -> None:  # type: ignore[no-untyped-def]
    client.force_login(factories.UserFactory(username=f"u-{role}", role=role))
    response = client.get(reverse("dashboard"))
    assert response.status_code == 200
    assert f'href="{reverse("dashboard")}"' in response.content.decode()


def test_page_renders_the_tables_and_chart_data(client, ledger_story, staff) -> None:  # type: ignore[no-untyped-def]
    client.force_login(staff)
    response = client.get(reverse("dashboard"))
    html = response.content.decode()
    assert response.context["fiscal_year"] == FY
    for label in ("予算額", "交付決定額", "支出済額", "返還額", "執行可能額", "地域", "件数"):
        assert f'<th scope="col" class="num">{label}</th>' in html or f'<th scope="col">{label}</th>' in html
    assert "事業別の予算と執行状況（円）</caption>" in html
    assert "地域別の交付決定額・支出済額・返還額（円）</caption>" in html
    assert '<td class="num" data-field="budget">5,000,000円</td>' in html
    assert '<td class="num" data-field="available">4,900,000円</td>' in html
    assert '<tr data-area="10"><th scope="row">大歳</th>' in html
    assert '<td class="num" data-field="refunded">5,000円</td>' in html
    assert 'id="area-chart" role="img" aria-label=' in html
    assert '<script id="area-chart-data" type="application/json">' in html
    assert "vendor/chartjs/chart.umd.min.js" in html and "dashboard/dashboard.js" in html
    assert response.context["chart"]["labels"] == ["湯田", "大歳"]
    assert response.context["chart"]["series"] == [
        {"key": "committed", "label": "交付決定額", "data": [30_000, 70_000]},
        {"key": "paid", "label": "支出済額", "data": [30_000, 70_000]},
    ]
    assert "<script>" not in html  # no inline script


def test_fiscal_year_selector(client, ledger_story, staff) -> None:  # type: ignore[no-untyped-def]
    factories.programme_year_with_budget(budget=3_000_000, fiscal_year=FY - 1)
    client.force_login(staff)
    response = client.get(reverse("dashboard"), {"fiscal_year": FY - 1})
    assert response.context["fiscal_year"] == FY - 1
    assert [y for y, _ in response.context["year_choices"]] == [FY, FY - 1]
    assert [r.budget for r in response.context["programmes"]] == [3_000_000]
    assert response.context["area_sum"].committed == 0
    assert f'<option value="{FY - 1}" selected>' in response.content.decode()
    for bad in ("abc", "1999", str(FY + 5), "2026' OR 1=1"):
        assert client.get(reverse("dashboard"), {"fiscal_year": bad}).context["fiscal_year"] == FY


def test_current_year_is_listed_even_without_programmes(client, staff) -> None:  # type: ignore[no-untyped-def]
    client.force_login(staff)
    response = client.get(reverse("dashboard"))
    assert response.context["year_choices"][0][0] == FY
    assert "の予算は登録されていません。" in response.content.decode()
