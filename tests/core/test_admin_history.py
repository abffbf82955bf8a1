"""The admin never deletes a record that has history, not even for a superuser, and audits what it changes
(grants.core.admin_audit: ``HistoryAdminMixin``, ``AuditedAdminMixin``).

Every registered model admin is decided in one of two lists below; a new admin registered without a decision
fails ``test_every_registered_admin_is_decided``."""
from typing import Any

from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from grants.accounts.models import Role, User
from grants.cases.models import GrantCase
from grants.core.admin_audit import AuditedAdminMixin
from grants.core.models import AuditEvent, record_event
from grants.organizations.models import Area, Organization
from tests import factories
from tests.admin_forms import change_form_data

#: Records with history, or that must always exist: nobody deletes them through the admin.
NEVER_DELETED = {
    "core.AuditEvent", "accounts.LoginRecord", "django_tasks_database.DBTaskResult",
    "cases.GrantCase", "cases.AnnualRun", "cases.RefundOrder",
    "ledger.LedgerEntry", "ledger.PaymentOrder", "ledger.BudgetAccount", "ledger.TransferSettings",
    "notices.Notice", "notices.DocumentSequence",
    "organizations.HouseholdCount", "organizations.OrganizationFigure", "organizations.CommunityPlan",
    "jobs.Job", "notify.Notification", "notify.DailyRun", "organizations.Invitation",
    "evaluation.Assignment",
    "accounts.ApiToken",  # revoked, never deleted: its use (last_used_at) and revocation stay on record
    "opendata.KindPolicy",  # one row per organisation kind: without it the kind would quietly stop being published
}

#: Configuration: deleted only while unused (protected foreign keys, no history in the audit trail besides the
#: admin's own edits), the deletion audited.
DELETED_WHEN_UNUSED = {
    "accounts.User", "auth.Group",
    "organizations.Area", "organizations.CityFigure", "organizations.Organization", "organizations.BankAccount",
    "organizations.Measure", "organizations.SecretariatStaff",
    "programmes.Programme", "programmes.ProgrammeYear", "programmes.FormulaComponent", "programmes.ExpenseCategory",
    "insurance.InsurancePolicy",
    "evaluation.Criterion",
    "publication.Topic", "publication.ProgrammeGuide", "publication.FunderProgramme",
}

#: Deleted through their own admin's audited delete (a lost phone's device) or unlock actions (a login lockout):
#: the two-factor and lockout admins of grants.accounts write their own audit rows.
DELETED_BY_THEIR_OWN_ACTS = {"accounts.AuthenticatorDevice", "accounts.LoginLockout"}

MISSING_PK = 999_999_999


def _registered() -> dict[str, Any]:
    return {model._meta.label: model_admin for model, model_admin in admin.site._registry.items()}


def _superuser_request(root: User) -> Any:
    request = RequestFactory().get("/admin/")
    request.user = root
    return request


def test_every_registered_admin_is_decided() -> None:
    assert not NEVER_DELETED & DELETED_WHEN_UNUSED and not NEVER_DELETED & DELETED_BY_THEIR_OWN_ACTS
    assert not DELETED_WHEN_UNUSED & DELETED_BY_THEIR_OWN_ACTS
    undecided = set(_registered()) - NEVER_DELETED - DELETED_WHEN_UNUSED - DELETED_BY_THEIR_OWN_ACTS
    assert not undecided, f"decide whether these may be deleted in the admin: {sorted(undecided)}"


def test_every_admin_that_changes_or_deletes_configuration_is_audited(root) -> None:  # type: ignore[no-untyped-def]
    request = _superuser_request(root)
    for label, model_admin in _registered().items():
        if label in DELETED_BY_THEIR_OWN_ACTS:
            continue
        writes = (model_admin.has_add_permission(request) or model_admin.has_change_permission(request)
                  or model_admin.has_delete_permission(request))
        if writes or label in DELETED_WHEN_UNUSED:
            assert isinstance(model_admin, AuditedAdminMixin), f"{label}: its changes are not audited"


def test_no_record_with_history_is_deleted_even_by_a_superuser(client, root, decided_case) -> None:  # type: ignore[no-untyped-def]
    """A decided case's world (the case, its ledger entries, notice, payment order, counts, audit trail …): for
    each admin of a record with history, the delete page is refused, the list offers no deletion, and the list's
    deletion posted anyway deletes nothing."""
    registered = _registered()
    assert GrantCase.objects.filter(pk=decided_case.pk).exists()
    case_events = AuditEvent.objects.for_object(decided_case).count()
    assert case_events
    for label in sorted(NEVER_DELETED & set(registered)):
        model = registered[label].model
        opts = model._meta
        row = model._default_manager.order_by("pk").first()
        pk = row.pk if row is not None else MISSING_PK
        delete_url = reverse(f"admin:{opts.app_label}_{opts.model_name}_delete", args=[pk])
        assert client.get(delete_url).status_code == 403, label
        assert client.post(delete_url, {"post": "yes"}).status_code == 403, label
        changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        page = client.get(changelist)
        assert page.status_code == 200, label
        action_form = page.context["action_form"]
        offered = [name for name, _ in action_form.fields["action"].choices] if action_form else []
        assert "delete_selected" not in offered, label
        if row is not None:
            client.post(changelist, {"action": "delete_selected", "_selected_action": [pk], "post": "yes"})
            assert model._default_manager.filter(pk=pk).exists(), label
    assert GrantCase.objects.filter(pk=decided_case.pk).exists()
    assert AuditEvent.objects.for_object(decided_case).count() == case_events


def test_unused_configuration_is_deleted_with_an_audit_row_and_used_configuration_stays(client, root) -> None:  # type: ignore[no-untyped-def]
    unused = Area.objects.create(code="99", name="試験地域", kana="しけん", centre_name="試験センター")
    response = client.post(reverse("admin:organizations_area_delete", args=[unused.pk]), {"post": "yes"})
    assert response.status_code == 302 and not Area.objects.filter(pk=unused.pk).exists()
    event = AuditEvent.objects.get(content_type=ContentType.objects.get_for_model(Area), object_id=unused.pk)
    assert (event.action, event.actor, event.note) == ("admin_change_delete", root, "地域「試験地域」を削除しました。")

    # An organisation the services have acted on (its audit trail) is never deleted, through its page or the list.
    organization = factories.AssociationFactory()
    record_event(actor=root, subject=organization, action="change_head", note="代表者の交代")
    url = reverse("admin:organizations_organization_delete", args=[organization.pk])
    assert client.post(url, {"post": "yes"}).status_code == 403
    client.post(reverse("admin:organizations_organization_changelist"),
                {"action": "delete_selected", "_selected_action": [organization.pk], "post": "yes"})
    assert Organization.objects.filter(pk=organization.pk).exists()


def _post_change(client: Any, url: str, **changes: Any) -> Any:
    data = change_form_data(client.get(url))
    data.update(changes)
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    return response


def _event(obj: Any) -> AuditEvent:
    return AuditEvent.objects.for_object(obj).latest("pk")


def test_a_change_of_an_organisation_is_audited_with_old_and_new_values(client, root) -> None:  # type: ignore[no-untyped-def]
    organization = factories.AssociationFactory(name="大歳第1自治会")
    _post_change(client, reverse("admin:organizations_organization_change", args=[organization.pk]),
                 name="大歳東自治会")
    event = _event(organization)
    assert (event.action, event.actor) == ("admin_change", root)
    name = Organization._meta.get_field("name").verbose_name
    assert f"{name}: 大歳第1自治会 → 大歳東自治会" in event.note.splitlines()


def test_a_change_of_a_users_role_and_powers_is_audited_without_the_password(client, root) -> None:  # type: ignore[no-untyped-def]
    user = factories.UserFactory(username="tanto", role=Role.STAFF)
    url = reverse("admin:accounts_user_change", args=[user.pk])
    data = change_form_data(client.get(url))
    joined = timezone.localtime(user.date_joined)  # a split date and time on the page
    data.update(role=Role.APPROVER, is_staff="on", is_superuser="on", date_joined_0=joined.strftime("%Y-%m-%d"),
                date_joined_1=joined.strftime("%H:%M:%S"))
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    event = _event(user)
    lines = event.note.splitlines()
    assert (event.action, event.actor) == ("admin_change", root)
    def label(name: str) -> str:
        return str(User._meta.get_field(name).verbose_name)

    assert f"{label('role')}: {Role.STAFF.label} → {Role.APPROVER.label}" in lines
    assert f"{label('is_staff')}: いいえ → はい" in lines and f"{label('is_superuser')}: いいえ → はい" in lines
    assert "md5$" not in event.note and "password" not in event.note.lower()


def test_a_change_of_a_programme_year_is_audited_with_old_and_new_values(client, root, programme_year) -> None:  # type: ignore[no-untyped-def]
    _post_change(client, reverse("admin:programmes_programmeyear_change", args=[programme_year.pk]),
                 label="改正後")
    event = _event(programme_year)
    assert event.action.startswith("change_rule") and event.actor == root
    assert "サンプル" in event.note and "改正後" in event.note
