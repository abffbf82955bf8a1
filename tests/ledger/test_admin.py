"""The ledger in the admin (grants/ledger/admin.py): the ledger and the cases are read-only, a budget is added or
raised as a ledger entry (never by overwriting the totals), and the transfer settings are not entered there."""
import pytest
from django.urls import reverse

from grants.ledger.models import BudgetAccount, TransferSettings
from tests import factories
from tests.cases.steps import to_decided

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


# The auditor's export with hostile names, and the admin paths around the ledger and the counts.


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


def test_admin_cannot_edit_cases_or_ledger(client, case) -> None:  # type: ignore[no-untyped-def]
    _admin(client)
    assert client.get(reverse("admin:ledger_ledgerentry_add")).status_code == 403
    assert client.post(reverse("admin:cases_grantcase_change", args=[case.pk]), {"status": "paid"}).status_code == 403
    case.refresh_from_db()
    assert case.status == "draft"


# Payment batches pushed at their edges: odd case ids in the POST, transfer dates on closed/past/far days,
# double clicks, results recorded twice or against the wrong batch, a returned transfer re-batched, the
# account changed while the transfer is in flight, empty batches.


def test_regression_transfer_settings_cannot_be_entered_in_the_admin() -> None:
    """Was a bug, now fixed (grants/ledger/admin.py): TransferSettings is "one row, edited in the admin" (model docstring) and the
    approval's refusal says 「管理画面で登録してください」, but the model is not registered in the admin, so the
    only way to create it is ``setup_demo`` or a shell: a real deployment cannot approve any batch. Suggested
    fix: ``@admin.register(TransferSettings)`` (limited to one row), with the names validated by
    ``normalize_account_name``/the writer's character set."""
    from django.contrib import admin

    assert TransferSettings in admin.site._registry


def _settings_post(name: str) -> dict[str, object]:
    return {"requester_code": "1234567890", "requester_name_kana": name, "bank_code": "0170", "branch_code": "001",
            "account_type": "2", "account_number": "7654321", "line_ending": "crlf", "lead_days": "2"}


def test_transfer_settings_name_is_typed_up_to_100_characters_and_kept_normalised(client) -> None:  # type: ignore[no-untyped-def]
    """The 振込依頼人名 is checked once normalised, as an account's 口座名義 (issue 12, part 8): typed longer than
    the column (here with the spaces of a pasted text), it is kept normalised."""
    client.force_login(factories.UserFactory(username="root", is_staff=True, is_superuser=True))
    url = reverse("admin:ledger_transfersettings_add")
    assert 'name="requester_name_kana" class="vTextField" maxlength="100"' in client.get(url).content.decode()
    typed = "ヤマグチシ" + "\u3000" * 30 + "カイケイカンリシャ"  # 44 characters
    response = client.post(url, _settings_post(typed))
    assert response.status_code == 302, response.content.decode()
    assert TransferSettings.objects.get().requester_name_kana == "ﾔﾏｸﾞﾁｼ ｶｲｹｲｶﾝﾘｼﾔ"


@pytest.mark.parametrize(("typed", "message"), [
    ("ヤマグチシヤクシヨア゛", "11文字目の「゛」は前の文字に付けられません（「ア」には付けられません）。"),
    ("ｱ" * 101, "この値は 100 文字以下でなければなりません( 101 文字になっています)。"),
    ("", "このフィールドは必須です。"),
])
def test_transfer_settings_name_refused_once(client, typed: str, message: str) -> None:  # type: ignore[no-untyped-def]
    client.force_login(factories.UserFactory(username="root", is_staff=True, is_superuser=True))
    response = client.post(reverse("admin:ledger_transfersettings_add"), _settings_post(typed))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert list(errors) == ["requester_name_kana"] and len(errors["requester_name_kana"]) == 1
    assert errors["requester_name_kana"][0].startswith(message)
    assert not TransferSettings.objects.exists()


def test_attack_staff_user_without_the_add_permission_enters_the_citys_transfer_settings(client) -> None:  # type: ignore[no-untyped-def]
    """Found by the permission matrix (tests/pages/test_permission_matrix.py): "one row" was the only condition to
    add the 全銀 file's requester side, so any is_staff user without any permission could open the form and save
    the city's transfer account. The permission to add it is required too; nothing is written."""
    client.force_login(factories.UserFactory(username="clerk", role="", is_staff=True))
    url = reverse("admin:ledger_transfersettings_add")
    assert client.get(url).status_code == 403
    assert client.post(url, _settings_post("ﾔﾏｸﾞﾁｼ")).status_code == 403
    assert not TransferSettings.objects.exists()
