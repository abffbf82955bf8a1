"""Two-factor login (django-otp TOTP; pages/accounts/): with REQUIRE_TWO_FACTOR on, a city user (every city role, the
保険担当, an administrator) reaches no page — nor the admin, nor a POST — before a code from their authenticator app;
a first login enrols the app; wrong and replayed codes are refused, repeated wrong ones throttled; the applicants'
roles are not asked; with the setting off nobody is asked and the login page says so."""
import pytest
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from grants.accounts.models import Role, User
from grants.core.models import AuditEvent
from tests import factories
from tests.accounts.two_factor import code_now, password_login

pytestmark = pytest.mark.django_db

CODE_PAGE = "/login/code/"


@pytest.fixture(autouse=True)
def _two_factor_on(settings):  # type: ignore[no-untyped-def]
    settings.REQUIRE_TWO_FACTOR = True


def enrol(client: Client, user) -> None:  # type: ignore[no-untyped-def]
    """Log in with the password, open the enrolment page and confirm with the app's code."""
    password_login(client, user.username)
    assert client.get(CODE_PAGE).status_code == 200
    response = client.post(CODE_PAGE, {"code": code_now(user), "next": "/"})
    assert response.status_code == 302 and response["Location"] == "/", response.content.decode()


@pytest.mark.parametrize("role", [Role.STAFF, Role.APPROVER, Role.FINANCE, Role.AUDITOR, Role.INSURANCE, "admin"])
def test_a_city_user_reaches_no_page_before_the_code(client, role) -> None:  # type: ignore[no-untyped-def]
    if role == "admin":
        user = factories.UserFactory(username="root", role="", is_staff=True, is_superuser=True)
    else:
        user = factories.UserFactory(username=f"u-{role}", role=role)
    password_login(client, user.username)
    for path in ("/", reverse("case_list"), reverse("dashboard"), reverse("insurance_report_list"), "/admin/",
                 reverse("admin:accounts_user_changelist")):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"].startswith(CODE_PAGE), path
    # a form posted before the code does nothing (here: the admin's new-user form)
    response = client.post(reverse("admin:accounts_user_add"),
                           {"username": "intruder", "password1": "kawara-sakura-2026", "password2": "kawara-sakura-2026"})
    assert response.status_code == 302 and response["Location"] == CODE_PAGE
    assert not User.objects.filter(username="intruder").exists()


def test_the_first_login_enrols_the_app_then_every_page_opens(client, staff) -> None:  # type: ignore[no-untyped-def]
    password_login(client, staff.username)
    page = client.get(CODE_PAGE + "?next=/cases/").content.decode()
    device = TOTPDevice.objects.get(user=staff)
    assert not device.confirmed
    assert "<svg" in page and "認証アプリに読み取らせるQRコード" in page and "登録してログイン" in page
    assert "data:" not in page  # the QR code is inline markup, within the Content-Security-Policy
    assert "主なメニュー" not in page and "ログアウト" in page  # no menu until the code: only logging out
    secret = page.split('<code class="secret">')[1].split("</code>")[0].replace(" ", "")
    assert len(secret) == 32
    response = client.post(CODE_PAGE, {"code": code_now(staff), "next": "/cases/"})
    assert response.status_code == 302 and response["Location"] == "/cases/"
    device.refresh_from_db()
    assert device.confirmed
    assert AuditEvent.objects.for_object(staff).filter(action="two_factor_device_added").count() == 1
    assert client.get(reverse("case_list")).status_code == 200
    assert client.get(CODE_PAGE).status_code == 302  # nothing more to enter


def test_a_user_with_an_app_is_asked_for_the_code_not_shown_the_key(client, staff) -> None:  # type: ignore[no-untyped-def]
    enrol(client, staff)
    again = Client()
    password_login(again, staff.username)
    page = again.get(CODE_PAGE).content.decode()
    assert "<svg" not in page and 'class="secret"' not in page and "6桁の確認コード" in page
    assert TOTPDevice.objects.filter(user=staff).count() == 1


def test_a_wrong_code_is_refused(client, staff) -> None:  # type: ignore[no-untyped-def]
    password_login(client, staff.username)
    client.get(CODE_PAGE)
    wrong = f"{(int(code_now(staff)) + 1) % 1_000_000:06d}"
    response = client.post(CODE_PAGE, {"code": wrong})
    assert response.status_code == 400 and "確認コードが正しくありません" in response.content.decode()
    assert client.get("/").status_code == 302
    assert not TOTPDevice.objects.get(user=staff).confirmed
    response = client.post(CODE_PAGE, {"code": "12ab"})
    assert "6桁の数字で入力してください" in response.content.decode()


def test_a_used_code_cannot_be_replayed(client, staff) -> None:  # type: ignore[no-untyped-def]
    enrol(client, staff)
    used = code_now(staff)
    replay = Client()
    password_login(replay, staff.username)
    response = replay.post(CODE_PAGE, {"code": used})
    assert response.status_code == 400 and "確認コードが正しくありません" in response.content.decode()
    assert replay.get("/").status_code == 302


def test_after_a_wrong_code_even_the_right_one_waits(client, staff, settings) -> None:  # type: ignore[no-untyped-def]
    settings.OTP_TOTP_THROTTLE_FACTOR = 600  # the wait after one failure, in seconds
    password_login(client, staff.username)
    client.get(CODE_PAGE)
    client.post(CODE_PAGE, {"code": f"{(int(code_now(staff)) + 1) % 1_000_000:06d}"})
    response = client.post(CODE_PAGE, {"code": code_now(staff)})
    assert response.status_code == 400 and "しばらく受け付けません" in response.content.decode()
    assert client.get("/").status_code == 302


@pytest.mark.parametrize("role", [Role.ASSOCIATION_HEAD, Role.PANEL])
def test_the_applicants_roles_are_not_asked(client, role) -> None:  # type: ignore[no-untyped-def]
    user = factories.UserFactory(username="outsider", role=role)
    password_login(client, user.username)
    assert client.get("/").status_code == 200
    assert not TOTPDevice.objects.filter(user=user).exists()


def test_with_the_setting_off_nobody_is_asked_and_the_login_page_says_so(client, staff, settings) -> None:  # type: ignore[no-untyped-def]
    assert "二要素認証" not in client.get(reverse("login")).content.decode()
    settings.REQUIRE_TWO_FACTOR = False
    assert "デモ環境のため、二要素認証（確認コードの入力）を省略しています。" in client.get(reverse("login")).content.decode()
    password_login(client, staff.username)
    assert client.get(reverse("case_list")).status_code == 200


def test_an_administrator_removes_a_lost_phone_and_the_user_enrols_again(client, staff) -> None:  # type: ignore[no-untyped-def]
    enrol(Client(), staff)
    admin = factories.UserFactory(username="root", role="", is_staff=True, is_superuser=True)
    enrol(client, admin)
    device = TOTPDevice.objects.get(user=staff)
    listing = client.get(reverse("admin:accounts_authenticatordevice_changelist")).content.decode()
    for label in ("二要素認証の端末", "利用者", "登録を確認済み", "最後に使った日時"):
        assert label in listing
    response = client.post(reverse("admin:accounts_authenticatordevice_delete", args=[device.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=staff).exists()
    event = AuditEvent.objects.for_object(staff).get(action="two_factor_device_removed")
    assert event.actor == admin and "次回のログインで登録し直します" in event.note

    again = Client()
    password_login(again, staff.username)
    assert "登録してログイン" in again.get(CODE_PAGE).content.decode()


def test_a_user_waiting_for_the_code_can_log_out(client, staff) -> None:  # type: ignore[no-untyped-def]
    password_login(client, staff.username)
    response = client.post(reverse("logout"))
    assert response.status_code == 302 and response["Location"] == reverse("login")
    assert "_auth_user_id" not in client.session


def test_the_code_page_never_sends_the_user_to_another_site(client, staff) -> None:  # type: ignore[no-untyped-def]
    password_login(client, staff.username)
    client.get(CODE_PAGE)
    response = client.post(CODE_PAGE, {"code": code_now(staff), "next": "https://evil.example/phish"})
    assert response.status_code == 302 and response["Location"] == "/"
