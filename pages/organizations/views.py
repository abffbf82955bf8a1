"""Pages of an organisation's users (団体の利用者) and of an invitation's link.

- ``/organizations/<pk>/members/``: the current and coming members (氏名, 役割, 就任日) and the invitations waiting to
  be accepted, for the city's users and the organisation's own members; staff and the organisation's head invite a
  会計 or 担当者 there (the link is shown once: staff print it for someone without e-mail), revoke an invitation and
  end a member's term.
- ``/organizations/<pk>/members/handover/``: 代表者の交代 — staff or the outgoing head invite the next head with
  the handover day.
- ``/invite/<token>/``: the invitee (no login needed) chooses a login name and password; success logs them in and
  goes to ホーム. A refused link says why, and nothing is written.
"""
from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from grants.accounts.models import Role
from grants.core import workflow
from grants.notify.services import notify
from grants.notify.tasks import page_address
from grants.organizations import invitations
from grants.organizations.invitations import InvitationError, InvitationInputError
from grants.organizations.models import Invitation, InvitationStatus, MemberRole, Organization, Representative
from pages.http import AuthedRequest, act_once
from pages.organizations.forms import AcceptForm, HandoverForm, InviteForm

INVITED = "招待を作成しました。招待のリンクはこの画面に一度だけ表示します。"


def _organization_or_404(request: AuthedRequest, pk: int) -> Organization:
    """The organisation for a city user or one of its current members; 404 for anyone else."""
    qs = Organization.objects.select_related("area")
    if not request.user.is_city_user:
        qs = qs.filter(pk__in=Representative.objects.current().filter(user=request.user).values("organization"))
    return get_object_or_404(qs, pk=pk)


def _may_manage(request: AuthedRequest, org: Organization) -> bool:
    user = request.user
    return user.role == Role.STAFF or (
        user.role == Role.ASSOCIATION_HEAD
        and Representative.objects.current().heads().filter(organization=org, user=user).exists())


def _keep_errors(form: Any, exc: InvitationError) -> None:
    if isinstance(exc, InvitationInputError):
        for field, errors in exc.errors.items():
            for error in errors:
                form.add_error(field if field in form.fields else None, error)
    else:
        form.add_error(None, str(exc))


def _invite_and_mail(request: AuthedRequest, org: Organization, role: str, data: dict[str, Any]) -> dict[str, str]:
    """The invitation and its mail in one transaction; the link for the page (never stored)."""
    with transaction.atomic():
        invitation, token = invitations.invite(
            organization_id=org.pk, actor=request.user, role=role, name=data["name"], email=data["email"],
            handover_on=data.get("handover_on"))
        # The address applicants use (SITE_URL), not the one the inviter happens to use (an intranet name).
        link = page_address(reverse("invitation_accept", args=[token]))
        until = timezone.localtime(invitation.expires_at).strftime("%Y年%m月%d日 %H時%M分")
        handover = (f"交代日（{invitation.handover_on:%Y年%m月%d日}）から代表者として手続を行えます。\n"
                    if invitation.handover_on else "")
        notify(event="invitation", recipients=[invitation.email],
               subject=f"【招待】{org.name}の{invitation.get_role_display()}として利用を始めてください",
               body=(f"{invitation.name} 様\n\n{invitation.invited_by}さんから、山口市の補助金の手続システムで"
                     f"{org.name}の{invitation.get_role_display()}として利用するよう招待されました。\n"
                     f"{handover}次のリンクを開き、ログイン名とパスワードを決めてください。"
                     f"リンクは{until}まで、一度だけ使えます。\n\n{link}\n"),
               url=link)
    return {"link": link, "name": invitation.name, "role": invitation.get_role_display()}


def _members_page(request: AuthedRequest, org: Organization, form: InviteForm | None,
                  new_link: dict[str, str] | None = None) -> HttpResponse:
    today = timezone.localdate()
    terms = (org.representatives.exclude(ended_on__lt=today)
             .select_related("user").order_by("started_on", "pk"))
    manage = _may_manage(request, org)
    return render(request, "organizations/members.html", {
        "org": org, "terms": terms, "today": today, "may_manage": manage, "form": form if manage else None,
        "invitations": org.invitations.filter(status=InvitationStatus.PENDING).select_related("invited_by"),
        "new_link": new_link,
    })


def _sitting_head_without_login(request: AuthedRequest, org: Organization) -> str:
    """The sitting head's name when staff may give them a login (their term has none), else ""."""
    if request.user.role != Role.STAFF:
        return ""
    current = org.current_representative()
    return current.name if current is not None and current.user_id is None else ""


@login_required
def members(request: AuthedRequest, pk: int) -> HttpResponse:
    """団体の利用者: who acts for the organisation, the waiting invitations, and (staff, the head) the invite form;
    staff may also invite a sitting head who has no login (most 自治会長 on file)."""
    org = _organization_or_404(request, pk)
    sitting = _sitting_head_without_login(request, org)
    form = InviteForm(request.POST or None, sitting_head=sitting)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data  # a sitting head's login takes their name as on file (invitations.invite)
        try:  # once per form: a double click invites once (the second sending shows the list with the message)
            return act_once(request, act=lambda: _invite_and_mail(request, org, data["role"], data), done=INVITED,
                            then=lambda link: _members_page(request, org, InviteForm(
                                sitting_head=_sitting_head_without_login(request, org)), link),
                            back=redirect("organization_members", pk=org.pk))
        except Organization.DoesNotExist as exc:  # a city user who is not staff: theirs to read, not to invite
            raise Http404("団体が見つかりません。") from exc
        except InvitationError as exc:
            _keep_errors(form, exc)
        except workflow.ActionRefused as exc:
            form.add_error(None, str(exc))
    return _members_page(request, org, form)


@login_required
def handover(request: AuthedRequest, pk: int) -> HttpResponse:
    """代表者の交代: the next head's name, address and the handover day; the invitation's link is shown once."""
    org = _organization_or_404(request, pk)
    form = HandoverForm(request.POST or None)
    link = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            return act_once(
                request, act=lambda: _invite_and_mail(request, org, MemberRole.HEAD, data), done=INVITED,
                then=lambda made: render(request, "organizations/handover.html", {
                    "org": org, "form": None, "new_link": made, "may_manage": True,
                    "current": org.current_representative()}),
                back=redirect("organization_members", pk=org.pk))
        except Organization.DoesNotExist as exc:
            raise Http404("団体が見つかりません。") from exc
        except InvitationError as exc:
            _keep_errors(form, exc)
        except workflow.ActionRefused as exc:
            form.add_error(None, str(exc))
    manage = _may_manage(request, org)
    return render(request, "organizations/handover.html", {
        "org": org, "form": form if manage else None, "new_link": link, "may_manage": manage,
        "current": org.current_representative()})


@login_required
@require_POST
def revoke_invitation(request: AuthedRequest, pk: int, invitation_pk: int) -> HttpResponse:
    org = _organization_or_404(request, pk)
    if not org.invitations.filter(pk=invitation_pk).exists():
        raise Http404("招待が見つかりません。")
    try:
        return act_once(request, act=lambda: invitations.revoke(invitation_id=invitation_pk, actor=request.user),
                        done="招待を取り消しました。リンクは使えなくなりました。",
                        then=lambda _: redirect("organization_members", pk=org.pk))
    except Invitation.DoesNotExist as exc:
        raise Http404("招待が見つかりません。") from exc
    except workflow.ActionRefused as exc:
        messages.error(request, str(exc))
    return redirect("organization_members", pk=org.pk)


@login_required
@require_POST
def end_member_term(request: AuthedRequest, pk: int, term_pk: int) -> HttpResponse:
    org = _organization_or_404(request, pk)
    term = org.representatives.filter(pk=term_pk).first()
    if term is None:
        raise Http404("利用者が見つかりません。")
    try:
        return act_once(request, act=lambda: invitations.end_term(term_id=term_pk, actor=request.user),
                        done=f"{term.name}さん（{term.get_role_display()}）の任期を終えました。"
                             "今日からこの団体の手続は行えません。",
                        then=lambda _: redirect("organization_members", pk=org.pk))
    except Representative.DoesNotExist as exc:
        raise Http404("利用者が見つかりません。") from exc
    except workflow.ActionRefused as exc:
        messages.error(request, str(exc))
    return redirect("organization_members", pk=org.pk)


def accept_invitation(request: HttpRequest, token: str) -> HttpResponse:
    """The invitation's link (no login needed): the organisation and the role, and the form for the invitee's own
    login name and password; a logged-in user with the invitation's address confirms only. Success logs the user in
    and goes to ホーム."""
    invitation = invitations.invitation_for(token)
    refusal = invitations.refusal_of(invitation, request.user)
    onto = request.user if request.user.is_authenticated and refusal is None else None
    form = AcceptForm(request.POST or None) if onto is None else None
    if request.method == "POST" and refusal is None and (form is None or form.is_valid()):
        data = form.cleaned_data if form is not None else {}

        def accept_and_log_in() -> Any:
            user = invitations.accept(token=token, username=data.get("username", ""),
                                      password=data.get("password", ""), password2=data.get("password2", ""),
                                      user=onto)
            if onto is None:
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            return user

        try:
            return act_once(request, act=accept_and_log_in, done="招待を受けました。ようこそ。",
                            then=lambda _: redirect("home"))
        except InvitationInputError as exc:
            if form is not None:
                _keep_errors(form, exc)
        except workflow.ActionRefused as exc:
            refusal = str(exc)
    status = 200 if refusal is None or invitation is not None else 404
    return render(request, "organizations/accept.html", {
        "invitation": invitation if refusal is None else None, "refusal": refusal, "form": form, "onto": onto,
    }, status=status)
