"""What every page shares: the typed request of a logged-in view, the city-staff guard, and the one way a POSTed
form reaches a service (validate, act, report the outcome in Japanese)."""
from __future__ import annotations

import os
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Model
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect

from grants.accounts.models import User
from grants.core import once
from grants.core.models import record_event
from grants.core.uploads import CONTENT_TYPES
from grants.core.workflow import ActionRefused

T = TypeVar("T")


class AuthedRequest(HttpRequest):
    """The request of a view behind ``login_required``: its user is a ``User``, never anonymous."""

    user: User


View = Callable[..., HttpResponse]


def city_user_required(view: View) -> View:
    """Pages for city staff only (協働推進課, 決裁者, 会計課, 監査委員事務局)."""

    @login_required
    @wraps(view)
    def wrapped(request: AuthedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_city_user:
            raise PermissionDenied("市の職員のみが利用できる画面です。")
        return view(request, *args, **kwargs)

    return wrapped


def back_adding(url: str, form_id: str, anchor: str = "") -> HttpResponse:
    """Back to the page at ``url`` after an add, with its add form (the ``<details id=form_id>``) open again and
    in view: a user adding several lines or persons in a row finds the form where it was, not folded away. The
    page opens the form whose id ``?adding=`` names."""
    return redirect(f"{url}?adding={form_id}#{anchor or form_id}")


def field_errors(request: HttpRequest, form: forms.BaseForm) -> None:
    """Each field's errors as a message naming the field."""
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        text = " ".join(str(error) for error in errors)
        messages.error(request, f"{label}: {text}" if label else text)


def post_form(
    request: HttpRequest,
    *,
    form: forms.BaseForm | None,
    act: Callable[[dict[str, Any]], T],
    done: str | Callable[[T], str],
    back: HttpResponse,
    invalid: Callable[[forms.BaseForm], str] | None = None,
    rerender: Callable[[forms.BaseForm], HttpResponse] | None = None,
    refused: Callable[[forms.BaseForm, ActionRefused], None] | None = None,
    not_found: type[Exception] | tuple[type[Exception], ...] = (),
    then: Callable[[T], HttpResponse] | None = None,
) -> HttpResponse:
    """Validate ``form`` (None: the act takes no input), then ``act(cleaned_data)``, and answer.

    A form that does not validate is reported (``invalid(form)`` as one message, else each field's errors) and
    nothing is done; a refusal of the service (``ActionRefused``) is shown as a message — and, with ``refused``,
    at the field it names. With ``rerender`` the page shows the form again as typed, else the user goes
    ``back``. ``not_found`` errors of the act answer 404. A success goes ``back`` (or where ``then(result)``
    says) with ``done``. A form carrying a one-time key acts once however often it is sent (``act_once``)."""
    if form is not None and not form.is_valid():
        if invalid is not None:
            messages.error(request, invalid(form))
        elif rerender is None:
            field_errors(request, form)
        return rerender(form) if rerender is not None else back
    data = form.cleaned_data if form is not None else {}
    try:
        return act_once(request, act=lambda: act(data), done=done,
                        then=then if then is not None else lambda _: back, back=back)
    except not_found as exc:
        raise Http404("見つかりません。") from exc
    except ActionRefused as exc:
        messages.error(request, str(exc))
        if form is not None and refused is not None:
            refused(form, exc)
        return rerender(form) if rerender is not None and form is not None else back


def act_once(
    request: HttpRequest,
    *,
    act: Callable[[], T],
    done: str | Callable[[T], str],
    then: Callable[[T], HttpResponse],
    back: HttpResponse | None = None,
) -> HttpResponse:
    """``act()``, then the message ``done`` and the answer ``then(result)`` — once per sending of a form that
    carries a one-time key (``grants.core.once``, the template tag ``{% once_field %}``): the same form sent
    again (a double click) does nothing and is answered as the first was (its page and message; ``back`` when
    the first stayed on its page). Without a key ``act`` runs each time. An empty ``done`` adds no message.
    Raises what ``act`` raises, and ``once.KeyRefused`` (an ``ActionRefused``) for a key of another user or an
    expired one, or a used key sent to another page or with other input (``once.KeyReused``: nothing done)."""
    key = request.POST.get(once.FIELD, "") if request.method == "POST" else ""
    answered: dict[str, Any] = {}

    def answer(result: T) -> tuple[str, str]:
        text = done(result) if callable(done) else done
        if text:  # before ``then``: a page rendered at once (not a redirect) shows it, and the next page does not
            messages.success(request, text)
        response = then(result)
        answered.update(response=response, text=text)
        return (response["Location"] if response.has_header("Location") else ""), text

    if key:
        outcome = once.submit_once(key=key, user=request.user, act=act, answer=answer, path=request.path,
                                   digest=once.sending_digest(request.POST, request.FILES))
        if isinstance(outcome, once.Earlier):
            if outcome.label:
                messages.success(request, outcome.label)
            return redirect(outcome.url) if outcome.url else (back or redirect(request.path))
    else:
        answer(act())
    response: HttpResponse = answered["response"]
    return response


def recorded_download(
    request: AuthedRequest, file: FieldFile, *, subject: Model, action: str, note: str, filename: str
) -> FileResponse:
    """A stored file as a download saved under ``filename``, its access recorded on ``subject`` (audit ``action``
    with ``note``: files of a case name people and amounts). Raises ``Http404`` when the file is gone from storage.
    The content type is read from the stored name's extension (``grants.core.uploads.CONTENT_TYPES``)."""
    ext = os.path.splitext(file.name or "")[1].lower()
    try:
        handle = file.open("rb")
    except FileNotFoundError as exc:
        raise Http404("ファイルが見つかりません。") from exc
    record_event(actor=request.user, subject=subject, action=action, note=note)
    return FileResponse(handle, as_attachment=True, filename=filename,
                        content_type=CONTENT_TYPES.get(ext, "application/octet-stream"))
