"""Steps of the two-factor tests (no tests here): logging in with the password only, and the code an authenticator
app would show for a user's device (django-otp's own TOTP)."""
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import PASSWORD


def password_login(client: Client, username: str) -> None:
    """Type the user name and password on the login page (the first step only)."""
    response = client.post(reverse("login"), {"username": username, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()


def code_now(user) -> str:  # type: ignore[no-untyped-def]
    """The 6-digit code the user's app shows now (the device the code page made or confirmed)."""
    device = TOTPDevice.objects.get(user=user)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"
