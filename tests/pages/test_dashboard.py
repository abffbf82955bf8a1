"""The budget dashboard page (pages/dashboard): who may see it, its tables and chart data, the fiscal-year
selector and the garbage it falls back from, queries that do not grow with the cases, and the figures shown
after a returned transfer and a refund. The figures themselves: tests/reports/test_dashboard.py."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from grants.accounts.models import Role
from grants.cases.batches import approve_payment_batch, create_payment_batch, record_transfer_result
from grants.ledger.models import BudgetAccount, EntryKind
from grants.ledger.services import post_entry
from reports.dashboard import area_totals, sum_area_rows
from reports.zengin_batch import batch_file
from tests import factories
from tests.cases.steps import login
from tests.reports.builders import assert_reconciles, paid_cases

pytestmark = pytest.mark.django_db


FY = factories.CURRENT_FY


def test_page_queries_do_not_grow_with_cases(client, programme_year, staff, finance) -> None:  # type: ignore[no-untyped-def]
    client.force_login(staff)
    paid_cases(programme_year, 2, finance)
    with CaptureQueriesContext(connection) as two:
        assert client.get(reverse("dashboard")).status_code == 200
    paid_cases(programme_year, 18, finance)
    with CaptureQueriesContext(connection) as twenty:
        response = client.get(reverse("dashboard"))
    assert response.context["area_sum"].case_count == 20
    # session, user, years, programmes, 3 for the areas, demo notice, calls, councils, the evaluating years (評価)
    assert len(twenty) == len(two) <= 11


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
    for label in ("予算額", "交付決定額", "振込済額", "振込予定額", "返還額", "執行可能額", "地域", "件数"):
        assert f'<th scope="col" class="num">{label}</th>' in html or f'<th scope="col">{label}</th>' in html
    assert "事業別の予算と執行状況（円）</caption>" in html
    assert "地域別の交付決定額・振込済額・振込予定額・返還額（円）</caption>" in html
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
        {"key": "made", "label": "振込済額", "data": [30_000, 70_000]},
        {"key": "pending", "label": "振込予定額", "data": [0, 0]},
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


# The budget dashboard attacked: a head, anonymous users, garbage in ?fiscal_year=, and figures after a
# returned transfer (reversal) and a refund, which must reconcile with the BudgetAccount.


def test_head_gets_403_and_anonymous_goes_to_login(client, association_head) -> None:  # type: ignore[no-untyped-def]
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302 and "login" in response.url
    login(client, association_head)
    assert client.get(reverse("dashboard")).status_code == 403


@pytest.mark.parametrize("raw", [
    "abc", "", "-1", "-2026", "0", "0000", "99999999999999999999999", "2026.0", "2026 ", " 2026", "2026\x00",
    "２０２６", "٢٠٢٦", "1e3", "0x7EA", "2026' OR '1'='1", "<script>", "%00",
])
def test_garbage_fiscal_year_falls_back_to_this_year(client, staff, programme_year, raw) -> None:  # type: ignore[no-untyped-def]
    login(client, staff)
    response = client.get(reverse("dashboard"), {"fiscal_year": raw})
    assert response.status_code == 200
    assert response.context["fiscal_year"] in (FY, 2026)


def test_regression_superscript_digits_in_fiscal_year_are_a_server_error(client, staff, programme_year) -> None:  # type: ignore[no-untyped-def]
    """Was a bug, now fixed (grants/dashboard/views.py selected_fiscal_year): ``raw.isdigit() and len(raw) == 4`` is true for
    superscript digits such as "²⁰²⁶", but ``int("²⁰²⁶")`` raises ValueError → 500 on a GET anyone on the
    city side can type. (Full-width "２０２６" happens to work because int() accepts it.) Suggested fix:
    ``raw.isascii() and raw.isdigit()`` or ``re.fullmatch(r"[0-9]{4}", raw)``."""
    login(client, staff)
    client.raise_request_exception = False
    assert client.get(reverse("dashboard"), {"fiscal_year": "²⁰²⁶"}).status_code == 200


def test_repeated_fiscal_year_params(client, staff, programme_year) -> None:  # type: ignore[no-untyped-def]
    login(client, staff)
    assert client.get(reverse("dashboard") + f"?fiscal_year=abc&fiscal_year={FY}").status_code == 200


def test_figures_after_return_rebatch_and_refund_reconcile(client, staff, approved_case, finance, finance2, transfer_day, transfer_settings, programme_year) -> None:  # type: ignore[no-untyped-def]
    batch = create_payment_batch(actor=finance, case_ids=[approved_case.pk], transfer_date=transfer_day)
    approve_payment_batch(batch_id=batch.pk, actor=finance2, write_file=batch_file)
    assert_reconciles(programme_year)
    record_transfer_result(item_id=batch.items.get().pk, actor=finance, returned=True, reason="口座解約")
    assert_reconciles(programme_year)
    areas = sum_area_rows(area_totals(FY))
    assert (areas.paid, areas.paid_case_count) == (0, 0)
    again = create_payment_batch(actor=finance2, case_ids=[approved_case.pk], transfer_date=transfer_day)
    approve_payment_batch(batch_id=again.pk, actor=finance, write_file=batch_file)
    record_transfer_result(item_id=again.items.get().pk, actor=finance, returned=False)
    post_entry(programme_year=programme_year, kind=EntryKind.REFUND, amount=5_000, actor=finance,
               case=approved_case, note="返還")
    assert_reconciles(programme_year)
    account = BudgetAccount.objects.get(programme_year=programme_year)
    assert (account.committed, account.paid, account.refunded) == (70_000, 70_000, 5_000)
    areas = sum_area_rows(area_totals(FY))
    assert (areas.paid, areas.refunded, areas.paid_case_count) == (70_000, 5_000, 1)
    login(client, staff)
    page = client.get(reverse("dashboard")).content.decode()
    assert "70,000" in page and "5,000" in page
