"""Logging in: the login page, and the second step of city users — enrolling an authenticator app (TOTP,
django-otp) or entering its 6-digit code (pages/accounts/middleware.py sends them here until they have)."""
from base64 import b32encode

import segno
from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from grants.core.models import record_event
from pages.accounts.middleware import waiting_for_code
from pages.http import AuthedRequest


class GrantsLoginView(LoginView):
    """Django's login page; it says when two-factor login is off (the demo), so that nobody takes the demo for
    the production system. A login refused by the lockout (django-axes) shows registration/locked_out.html."""

    template_name = "registration/login.html"

    def get_context_data(self, **kwargs: object) -> dict[str, object]:
        return {**super().get_context_data(**kwargs), "two_factor_required": settings.REQUIRE_TWO_FACTOR}


class CodeForm(forms.Form):
    code = forms.RegexField(
        label="確認コード（6桁の数字）", regex=r"^\s*\d{6}\s*$", max_length=12,
        error_messages={"required": "確認コードを入力してください。",
                        "invalid": "確認コードは、認証アプリに表示されている6桁の数字で入力してください。"},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "autofocus": True}),
    )


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                       require_https=request.is_secure()):
        return target
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _secret_for_typing(device: TOTPDevice) -> str:
    """The key in base32, in groups of four, for an app that cannot read the QR code."""
    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


@login_required
def two_factor(request: AuthedRequest) -> HttpResponse:
    """GET: the form for the code — with, for a user without a confirmed device, the QR code and the key of a new
    one to add to an authenticator app. POST ``code``: checked by django-otp (each code once, wrong codes
    throttled: after each failure the wait doubles); a right one verifies the session (and confirms a new device)
    and goes on to ``next``. A user who need not or no longer has to enter a code goes straight on."""
    if not waiting_for_code(request):
        return HttpResponseRedirect(_next_url(request))
    user = request.user
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    enrolling = device is None
    if device is None:
        device = (TOTPDevice.objects.filter(user=user, confirmed=False).first()
                  or TOTPDevice.objects.create(user=user, name="認証アプリ", confirmed=False))
    form = CodeForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        allowed, _ = device.verify_is_allowed()
        if not allowed:
            error = ("誤った確認コードが続いたため、しばらく受け付けません。"
                     "少し待ってから、新しいコードを入力してください。")
        elif device.verify_token(form.cleaned_data["code"].strip()):
            if enrolling:
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                record_event(actor=user, subject=user, action="two_factor_device_added",
                             note="二要素認証の端末（認証アプリ）を登録しました。")
            otp_login(request, device)
            return HttpResponseRedirect(_next_url(request))
        else:
            error = "確認コードが正しくありません。認証アプリに表示されている最新のコードを入力してください。"
    context = {"form": form, "error": error, "enrolling": enrolling, "next": _next_url(request)}
    if enrolling:
        qr = segno.make(device.config_url, error="m")
        context["qr_svg"] = mark_safe(qr.svg_inline(scale=4, title="認証アプリに読み取らせるQRコード"))  # noqa: S308
        context["secret"] = _secret_for_typing(device)
    return render(request, "registration/two_factor.html", context, status=200 if not error else 400)
