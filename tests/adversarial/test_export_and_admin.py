"""The auditor's export with hostile names, and the admin paths around the ledger and the counts."""
import io
import zipfile

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from grants.cases import services
from grants.ledger.models import BudgetAccount
from grants.organizations.models import HouseholdCount
from tests import factories
from tests.cases.steps import login, to_decided

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", ['=HYPERLINK("http://x","click")', "大歳\x0b第1\x07自治会", "+SUM(1,2)", "-2+3",
                                  "@SUM(A1)", "=cmd|' /C calc'!A0", "\t=1+1"])
def test_hostile_names_export_as_plain_text(case, association_head, staff, approver, auditor, name, export_workbook) -> None:  # type: ignore[no-untyped-def]
    org = case.organization
    org.name = name
    org.save()
    to_decided(case, association_head, staff, approver)
    content = export_workbook(auditor, case.programme_year.pk)
    raw = zipfile.ZipFile(io.BytesIO(content))
    for member in raw.namelist():
        if member.startswith("xl/worksheets/"):
            assert b"<f>" not in raw.read(member), member
    book = load_workbook(io.BytesIO(content))
    expected = name.replace("\x0b", "").replace("\x07", "")
    register = book["案件一覧"]
    cell = register.cell(row=2, column=3)
    assert (cell.value, cell.data_type) == (expected, "s")
    ledger_names = [row[8] for row in book["台帳"].iter_rows(min_row=2, values_only=True)]
    assert expected in ledger_names


def test_export_with_no_budget_account_and_no_cases(auditor, export_workbook) -> None:  # type: ignore[no-untyped-def]
    py = factories.rule(fiscal_year=2030)
    book = load_workbook(io.BytesIO(export_workbook(auditor, py.pk)))
    assert [r[3] for r in book["集計"].iter_rows(min_row=2, values_only=True)] == [0, 0, 0, 0, 0]


def test_export_unknown_year_is_404(client, auditor) -> None:  # type: ignore[no-untyped-def]
    response = login(client, auditor).post(reverse("request_programme_year_export", args=[99999]), {"format": "xlsx"})
    assert response.status_code == 404


def _admin(client):  # type: ignore[no-untyped-def]
    user = factories.UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(user)
    return user


def test_regression_admin_budget_save_overwrites_totals_with_a_stale_copy(rf, case, association_head, staff, approver) -> None:  # type: ignore[no-untyped-def]
    """Was a bug, now fixed (ledger/admin.py BudgetAccountAdmin.save_model): super().save_model() calls obj.save(), which writes
    *every* column, including committed/paid/refunded as they were when the admin request loaded the row. A
    交付決定 committed by an approver between the load and the save (the same request, no row lock) is wiped
    from BudgetAccount.committed while its ledger entry stays — the CHECKs cannot see it and the budget looks
    available again. Simulated deterministically: the admin's copy is loaded, a decision commits 70,000 yen,
    the admin saves a budget-code change. Fix: save only the edited fields (update_fields=["budget_code"]
    on change) or lock the row in get_object."""
    from django.contrib.admin.sites import site

    admin_user = factories.UserFactory(username="root", is_staff=True, is_superuser=True)
    model_admin = site._registry[BudgetAccount]
    stale = BudgetAccount.objects.get(programme_year=case.programme_year)  # what changeform_view loaded
    to_decided(case, association_head, staff, approver)  # another user commits 70,000 yen meanwhile
    stale.budget_code = "2款1項10目19節（訂正）"

    class Form:
        cleaned_data = {"budget_increase": None, "budget_note": ""}

    request = rf.post("/")
    request.user = admin_user
    model_admin.save_model(request, stale, Form(), True)
    assert BudgetAccount.objects.get(pk=stale.pk).committed == 70_000


def test_admin_budget_increase_is_a_ledger_entry(client, programme_year) -> None:  # type: ignore[no-untyped-def]
    _admin(client)
    account = BudgetAccount.objects.get(programme_year=programme_year)
    url = reverse("admin:ledger_budgetaccount_change", args=[account.pk])
    for bad in ("-5", "0", "1.5"):
        client.post(url, {"budget_code": "x", "budget_increase": bad, "budget_note": "補正"})
    assert BudgetAccount.objects.get(pk=account.pk).budget == 5_000_000


def test_regression_admin_budget_increase_has_no_upper_bound(client, programme_year) -> None:  # type: ignore[no-untyped-def]
    """Was a bug, now fixed (ledger/admin.py BudgetAccountForm.budget_increase): IntegerField(min_value=1) with no max_value; a
    mistyped 10**19 reaches post_entry and overflows the BIGINT total → 500 (SQLite OverflowError, PostgreSQL
    bigint out of range). Add max_value (e.g. 10**12 yen) so the admin gets a form error."""
    _admin(client)
    client.raise_request_exception = False
    account = BudgetAccount.objects.get(programme_year=programme_year)
    response = client.post(reverse("admin:ledger_budgetaccount_change", args=[account.pk]),
                           {"budget_code": "x", "budget_increase": str(10**19), "budget_note": "補正"})
    assert response.status_code == 200, response.status_code  # the form shown again with an error


def test_regression_admin_can_delete_household_count_history(client, case) -> None:  # type: ignore[no-untyped-def]
    """Was a bug, now fixed (organizations/admin.py HouseholdCountAdmin): change is refused ("append-only: a correction is a new
    row with a reason") but has_delete_permission is not overridden, so the admin can delete counts —
    including the head's corrections with their reasons — and the history of the figure the amount was
    computed from is gone. Also override has_delete_permission (and a DB trigger as for the ledger)."""
    _admin(client)
    services.correct_household_count(case_id=case.pk, actor=case.organization.representatives.first().user,
                                     households=130, reason="転入")
    row = HouseholdCount.objects.filter(source="correction").get()
    client.post(reverse("admin:organizations_householdcount_delete", args=[row.pk]), {"post": "yes"})
    assert HouseholdCount.objects.filter(pk=row.pk).exists()


def test_admin_cannot_edit_cases_or_ledger(client, case) -> None:  # type: ignore[no-untyped-def]
    _admin(client)
    assert client.get(reverse("admin:ledger_ledgerentry_add")).status_code == 403
    assert client.post(reverse("admin:cases_grantcase_change", args=[case.pk]), {"status": "paid"}).status_code == 403
    case.refresh_from_db()
    assert case.status == "draft"
