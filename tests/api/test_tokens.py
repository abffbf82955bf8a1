"""API tokens: stored as a hash, shown once, and refused (401) once revoked, expired or their user inactive; a
browser's session alone reads nothing; the admin issues, audits and revokes them."""
import datetime as dt
import hashlib
import re

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from grants.accounts.models import ApiToken
from grants.accounts.tokens import issue_token, token_for_key
from grants.core.models import AuditEvent
from pages.api.auth import UNAUTHORIZED
from tests import factories

CASES = "/api/v1/cases"


def test_a_token_is_stored_as_its_sha256_and_a_short_prefix_only(staff) -> None:  # type: ignore[no-untyped-def]
    token, key = issue_token(user=staff, name="財務会計システム")
    stored = ApiToken.objects.filter(pk=token.pk).values().get()
    assert stored["key_hash"] == hashlib.sha256(key.encode()).hexdigest()
    assert stored["prefix"] == key[:10] and len(key) > 40
    assert key not in str(stored.values())


def test_a_working_token_reads_and_records_its_use(call, staff) -> None:  # type: ignore[no-untyped-def]
    token, key = issue_token(user=staff, name="照合")
    response = call(CASES, key)
    assert response.status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None


@pytest.mark.parametrize("how", ["revoked", "expired", "inactive_user", "unknown", "no_scheme", "basic_scheme"])
def test_a_token_that_does_not_work_reads_nothing(staff, case, how) -> None:  # type: ignore[no-untyped-def]
    token, key = issue_token(user=staff, name="照合", expires_on=dt.date(2030, 1, 1))
    headers = {"Authorization": f"Bearer {key}"}
    if how == "revoked":
        ApiToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())
    elif how == "expired":
        ApiToken.objects.filter(pk=token.pk).update(expires_on=timezone.localdate() - dt.timedelta(days=1))
    elif how == "inactive_user":
        staff.is_active = False
        staff.save()
    elif how == "unknown":
        headers = {"Authorization": f"Bearer {key[:-1]}x"}
    elif how == "no_scheme":
        headers = {"Authorization": key}
    else:
        headers = {"Authorization": f"Basic {key}"}
    response = Client().get(CASES, headers=headers)
    assert response.status_code == 401
    assert response.json()["detail"].startswith("APIトークンがないか")
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_token_works_through_its_last_day(staff) -> None:  # type: ignore[no-untyped-def]
    today = dt.date(2026, 12, 6)
    token, key = issue_token(user=staff, name="照合", expires_on=today)
    assert token_for_key(key, today=today) == token
    assert token_for_key(key, today=today + dt.timedelta(days=1)) is None


def test_a_logged_in_browser_without_a_token_reads_nothing(client, staff, case) -> None:  # type: ignore[no-untyped-def]
    client.force_login(staff)
    response = client.get(CASES)
    assert response.status_code == 401 and response.json() == {"detail": UNAUTHORIZED}


def test_the_admin_issues_a_token_shows_its_key_once_and_audits_it(client, root, staff) -> None:  # type: ignore[no-untyped-def]
    url = reverse("admin:accounts_apitoken_add")
    response = client.post(url, {"user": staff.pk, "name": "財務会計システム", "expires_on": ""}, follow=True)
    assert response.status_code == 200
    token = ApiToken.objects.get()
    shown = re.findall(r"yg_[A-Za-z0-9_\-]{43}", response.content.decode())
    assert len(shown) == 1 and token_for_key(shown[0]) == token
    audit = AuditEvent.objects.get(content_type=ContentType.objects.get_for_model(ApiToken), object_id=token.pk)
    assert "財務会計システム" in audit.note and token.key_hash not in audit.note and shown[0] not in audit.note
    # The key is never shown again: not on the token's page nor in the list.
    again = client.get(reverse("admin:accounts_apitoken_change", args=[token.pk])).content.decode()
    assert shown[0] not in again and token.prefix in again
    assert shown[0] not in client.get(reverse("admin:accounts_apitoken_changelist")).content.decode()


def test_the_admin_revokes_a_token_with_an_audit_row_and_never_deletes_it(client, root, staff) -> None:  # type: ignore[no-untyped-def]
    token, key = issue_token(user=staff, name="照合")
    client.post(reverse("admin:accounts_apitoken_changelist"),
                {"action": "revoke", "_selected_action": [token.pk]})
    token.refresh_from_db()
    assert token.revoked_at is not None and token_for_key(key) is None
    assert AuditEvent.objects.filter(object_id=token.pk, action="api_token_revoked").count() == 1
    assert client.post(reverse("admin:accounts_apitoken_delete", args=[token.pk]), {"post": "yes"}).status_code == 403
    assert ApiToken.objects.filter(pk=token.pk).exists()


def test_a_tokens_user_cannot_be_changed_in_the_admin(client, root, staff) -> None:  # type: ignore[no-untyped-def]
    token, _ = issue_token(user=staff, name="照合")
    other = factories.UserFactory(username="other-staff")
    client.post(reverse("admin:accounts_apitoken_change", args=[token.pk]),
                {"user": other.pk, "name": "照合（改）", "expires_on": ""})
    token.refresh_from_db()
    assert token.user == staff and token.name == "照合（改）"
