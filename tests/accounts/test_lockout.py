"""The lockout of repeated wrong passwords (django-axes, config/settings.py; grants/accounts/lockout.py and admin.py):
a user name is locked from every address, an address for every user name, the page says so in Japanese without
echoing what was typed, and an administrator unlocks it in the admin."""
import pytest
from django.conf import settings
from django.test import Client, RequestFactory
from django.urls import reverse

from grants.accounts.lockout import client_address
from grants.accounts.models import LoginLockout, Role
from grants.core.models import AuditEvent
from tests import factories
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

WRONG = "wrong-pass-9876"
LOCKED = "ログインを一時的に停止しています"


def attempt(client: Client, username: str, password: str, address: str = "10.0.0.1"):  # type: ignore[no-untyped-def]
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address)


def logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_forty_wrong_passwords_then_the_right_one_is_refused_in_japanese(client, staff) -> None:  # type: ignore[no-untyped-def]
    for _ in range(40):
        attempt(client, staff.username, WRONG)
    response = attempt(client, staff.username, PASSWORD)
    page = response.content.decode()
    assert response.status_code == 429
    assert LOCKED in page and "システム管理者（協働推進課）にご連絡ください" in page
    assert f"最後の失敗から{settings.AXES_COOLOFF_TIME.seconds // 60}分ほど" in page
    assert PASSWORD not in page and WRONG not in page
    assert not logged_in(client)


def test_below_the_limit_the_right_password_still_logs_in(client, staff) -> None:  # type: ignore[no-untyped-def]
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert attempt(client, staff.username, WRONG).status_code == 200
    assert attempt(client, staff.username, PASSWORD).status_code == 302
    assert logged_in(client)


def test_a_locked_user_name_is_refused_from_another_address(client, staff) -> None:  # type: ignore[no-untyped-def]
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, staff.username, WRONG, address="10.0.0.1")
    response = attempt(Client(), staff.username, PASSWORD, address="192.0.2.50")
    assert response.status_code == 429 and LOCKED in response.content.decode()


def test_one_address_trying_many_user_names_is_locked_for_every_name(client, staff) -> None:  # type: ignore[no-untyped-def]
    for i in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, f"guess-{i}", WRONG, address="10.0.0.9")
    response = attempt(client, staff.username, PASSWORD, address="10.0.0.9")
    assert response.status_code == 429 and not logged_in(client)
    # the user name itself is not locked: the same user logs in from their own machine
    other = Client()
    assert attempt(other, staff.username, PASSWORD, address="10.0.0.20").status_code == 302
    assert logged_in(other)


def test_logging_in_to_an_own_account_between_guesses_does_not_clear_the_count(client, staff) -> None:  # type: ignore[no-untyped-def]
    """An attacker with an account of their own (a registered group's head) logs in after every few guesses."""
    attacker = factories.UserFactory(username="dantai-x", role=Role.ASSOCIATION_HEAD)
    for _ in range(settings.AXES_FAILURE_LIMIT // 2):
        attempt(client, staff.username, WRONG, address="10.0.0.9")
        attempt(client, staff.username, WRONG, address="10.0.0.9")
        attempt(Client(), attacker.username, PASSWORD, address="10.0.0.9")
    response = attempt(Client(), staff.username, PASSWORD, address="192.0.2.50")
    assert response.status_code == 429


def test_a_forged_forwarded_header_does_not_escape_the_lock_without_the_proxy(client, staff) -> None:  # type: ignore[no-untyped-def]
    for i in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": f"guess-{i}", "password": WRONG}, REMOTE_ADDR="10.0.0.9",
                    HTTP_X_FORWARDED_FOR=f"203.0.113.{i}")
    response = client.post(reverse("login"), {"username": staff.username, "password": PASSWORD},
                           REMOTE_ADDR="10.0.0.9", HTTP_X_FORWARDED_FOR="203.0.113.200")
    assert response.status_code == 429


def test_the_client_address_comes_from_the_proxy_header_only_behind_the_tls_proxy(settings) -> None:  # type: ignore[no-untyped-def]
    request = RequestFactory().post("/login/", REMOTE_ADDR="10.1.1.1",
                                    HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.7")
    settings.BEHIND_TLS_PROXY = False
    assert client_address(request) == "10.1.1.1"
    settings.BEHIND_TLS_PROXY = True
    # the proxy appended the address it saw last; the client's own "6.6.6.6" is never trusted
    assert client_address(request) == "198.51.100.7"
    assert client_address(RequestFactory().post("/login/", REMOTE_ADDR="10.1.1.1")) == "10.1.1.1"


def test_an_administrator_unlocks_the_user_who_then_logs_in(client, root, staff) -> None:  # type: ignore[no-untyped-def]
    user_client = Client()
    for _ in range(40):
        attempt(user_client, staff.username, WRONG)
    assert attempt(user_client, staff.username, PASSWORD).status_code == 429

    changelist = reverse("admin:accounts_loginlockout_changelist")
    listing = client.get(changelist).content.decode()
    for label in ("ログインの失敗・ロック", "ユーザー名", "接続元アドレス", "失敗した回数",
                  "選んだ行のユーザー名のロックを解除する"):
        assert label in listing
    rows = list(LoginLockout.objects.filter(username=staff.username).values_list("pk", flat=True))
    response = client.post(changelist, {"action": "unlock_usernames", "_selected_action": rows})
    assert response.status_code == 302
    assert not LoginLockout.objects.filter(username=staff.username).exists()
    assert AuditEvent.objects.for_object(staff).filter(action="login_unlocked").count() == 1

    assert attempt(user_client, staff.username, PASSWORD).status_code == 302
    assert logged_in(user_client)


def test_a_city_user_without_admin_rights_cannot_unlock(client, staff) -> None:  # type: ignore[no-untyped-def]
    city = factories.UserFactory(username="kessai", role=Role.APPROVER)
    client.force_login(city)
    response = client.get(reverse("admin:accounts_loginlockout_changelist"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
