"""The two-factor gate: with ``REQUIRE_TWO_FACTOR`` on, a logged-in user who must use two-factor login
(``User.must_use_two_factor``: the city roles, the 保険担当, administrators) reaches no page — the admin
included, and no POST — until a one-time code from their authenticator app has been checked in this session
(django-otp's ``OTPMiddleware`` marks the session verified). Everything else is sent to the code page."""
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

# Pages a user waiting for the code may open: the code page itself, and logging out.
OPEN_WHILE_WAITING = ("two_factor", "logout")


def waiting_for_code(request: HttpRequest) -> bool:
    """Whether ``request`` comes from a user who has typed their password but not yet a valid code."""
    user = request.user
    return bool(settings.REQUIRE_TWO_FACTOR and user.is_authenticated
                and getattr(user, "must_use_two_factor", False) and not user.is_verified())  # type: ignore[attr-defined]


class TwoFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # The page templates read it: a user waiting for the code sees no menu (its links lead back here anyway).
        waiting = request.waiting_for_code = waiting_for_code(request)  # type: ignore[attr-defined]
        if waiting and request.path not in {reverse(name) for name in OPEN_WHILE_WAITING}:
            target = reverse("two_factor")
            if request.method == "GET":
                target += "?" + urlencode({"next": request.get_full_path()})
            return HttpResponseRedirect(target)
        return self.get_response(request)
