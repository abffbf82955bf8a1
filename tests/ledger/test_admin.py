"""Rules are data: an administrator edits a programme-year's rule in the admin, and the next computation uses it."""
import pytest
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db


def test_ledger_and_cases_are_read_only_in_admin(client) -> None:  # type: ignore[no-untyped-def]
    admin = factories.UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(admin)
    factories.programme_year_with_budget(budget=1_000)
    assert client.get(reverse("admin:ledger_ledgerentry_add")).status_code == 403
    assert client.get(reverse("admin:ledger_ledgerentry_changelist")).status_code == 200


def test_admin_adds_budget_as_ledger_entry(client) -> None:  # type: ignore[no-untyped-def]
    from grants.ledger.models import BudgetAccount, LedgerEntry

    admin = factories.UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(admin)
    py = factories.rule()
    response = client.post(reverse("admin:ledger_budgetaccount_add"), {
        "programme_year": py.pk, "budget_code": "2款1項10目19節", "budget_increase": 3_000_000,
        "budget_note": "当初予算",
    })
    assert response.status_code == 302
    account = BudgetAccount.objects.get(programme_year=py)
    assert account.budget == 3_000_000
    response = client.post(reverse("admin:ledger_budgetaccount_change", args=[account.pk]), {
        "programme_year": py.pk, "budget_code": "2款1項10目19節", "budget_increase": 500_000,
        "budget_note": "6月補正",
    })
    assert response.status_code == 302
    assert BudgetAccount.objects.get(pk=account.pk).budget == 3_500_000
    assert list(LedgerEntry.objects.values_list("kind", "amount", "note", "actor__username")) == [
        ("budget", 3_000_000, "当初予算", "root"), ("budget", 500_000, "6月補正", "root")
    ]
