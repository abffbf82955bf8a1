"""お知らせ and mail: the user's messages (ホーム shows the latest, ``notify_tags``), opening one (marks it read), the
user's mail setting, and the staff's mail log (メール送信記録) of their area, where a failed mail is queued again.

The log never shows a message's text: an invitation's text carries the link that lets its addressee in."""
from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET

from grants.accounts.models import Role
from grants.core.workflow import ActionRefused
from grants.notify.events import AREAS, EVENTS, events_for
from grants.notify.machines import AREA_OF_ROLE, NOTIFICATION, events_of
from grants.notify.models import Notification, NotificationStatus
from grants.notify.services import inbox, requeue
from pages.http import AuthedRequest

PER_PAGE = 50
# Who may queue a failed mail again (the auditor reads the log only).
REQUEUERS = (Role.STAFF, Role.INSURANCE)


@login_required
@require_GET
def notification_list(request: AuthedRequest) -> HttpResponse:
    page = Paginator(inbox(request.user), PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "notify/notification_list.html", {"page": page})


@login_required
@require_GET
def notification_open(request: AuthedRequest, pk: int) -> HttpResponse:
    """Open one's own message: marked read, then its page (404 for anyone else's)."""
    note = get_object_or_404(Notification, pk=pk, recipient=request.user)
    if note.read_at is None:
        Notification.objects.filter(pk=note.pk, read_at__isnull=True).update(read_at=timezone.now())
    if note.url and url_has_allowed_host_and_scheme(note.url, allowed_hosts=None) and note.url.startswith("/"):
        return redirect(note.url)
    return redirect("notification_list")


class MailSettingsForm(forms.Form):
    optional_mail = forms.BooleanField(
        label="お知らせメール（期限のお知らせなど）を受け取る", required=False,
        help_text="チェックを外すと、期限のお知らせなどはメールでは届かず、ホームにだけ表示されます。")


@login_required
def mail_settings(request: AuthedRequest) -> HttpResponse:
    """The user's address on file and whether they receive optional mail; official mail is always sent."""
    user = request.user
    form = MailSettingsForm(request.POST if request.method == "POST" else None,
                            initial={"optional_mail": user.optional_mail})
    if request.method == "POST" and form.is_valid():
        user.optional_mail = form.cleaned_data["optional_mail"]
        user.save(update_fields=["optional_mail"])
        messages.success(request, "メールの受け取りの設定を保存しました。")
        return redirect("mail_settings")
    mine = events_for(user.role)
    official = [e.label for e in mine if e.official]
    optional = [e.label for e in mine if not e.official]
    return render(request, "notify/mail_settings.html",
                  {"form": form, "official": official, "optional": optional})


class MailLogFilter(forms.Form):
    status = forms.ChoiceField(label="状態", required=False,
                               choices=[("", "すべて"), *NotificationStatus.choices])
    event = forms.ChoiceField(label="種類", required=False)

    def __init__(self, *args: object, area: str, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["event"].choices = [("", "すべて"), *((n, EVENTS[n].label) for n in events_of(area))]  # type: ignore[attr-defined]


@login_required
def mail_log(request: AuthedRequest) -> HttpResponse:
    """メール送信記録: the messages of the user's area (協働推進課 and 監査委員事務局: the grants'; 保険担当: the
    insurance's), newest first, without their text. POST ``requeue``: a failed mail is queued again."""
    user = request.user
    area = AREA_OF_ROLE.get(user.role)
    if area is None:
        raise PermissionDenied("メール送信記録は、担当の職員のみが閲覧できます。")
    if request.method == "POST":
        return _requeue(request)
    filters = MailLogFilter(request.GET or None, area=area)
    qs = NOTIFICATION.visible(user).select_related("recipient")
    if filters.is_valid():
        if filters.cleaned_data["status"]:
            qs = qs.filter(status=filters.cleaned_data["status"])
        if filters.cleaned_data["event"]:
            qs = qs.filter(event=filters.cleaned_data["event"])
    page = Paginator(qs.order_by("-created_at", "-pk"), PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "notify/mail_log.html", {
        "page": page, "filter_form": filters, "area_label": AREAS[area],
        "may_requeue": user.role in REQUEUERS, "failed": NotificationStatus.FAILED,
    })


def _requeue(request: AuthedRequest) -> HttpResponse:
    if request.user.role not in REQUEUERS:
        raise PermissionDenied("メールをもう一度送ることができるのは、担当の職員です。")
    raw = request.POST.get("requeue", "")
    if not raw.isdigit():
        messages.error(request, "もう一度送るメールを選んでください。")
        return redirect("mail_log")
    try:
        requeue(int(raw), actor=request.user)
    except Notification.DoesNotExist as exc:
        raise Http404("見つかりません。") from exc
    except ActionRefused as exc:
        messages.error(request, str(exc))
        return redirect("mail_log")
    messages.success(request, "メールをもう一度送る手続をしました。しばらくすると送信されます。")
    return redirect("mail_log")
