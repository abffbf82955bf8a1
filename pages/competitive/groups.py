"""Pages of the 市民活動団体 registration: the public form where a group registers itself (no login), the group's
own registration page (status, what staff asked to fix, correction and re-application, and whether it meets
each open call), and for city staff the list, the detail with the files, and confirm / return. Views read
through ``grants.competitive.groups`` and write only through its services and the rail; a registration the
user may not see answers 404."""
from __future__ import annotations

import os

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from grants.cases.labels import action_label
from grants.competitive import groups
from grants.competitive.groups import GROUP_REGISTRATION, BankDetails, GroupDetails, GroupError, GroupInputError
from grants.competitive.models import GroupRegistration, RegistrationStatus
from grants.core import workflow
from grants.core.models import AuditEvent
from pages.competitive.group_forms import EditForm, GroupForm, NoteForm, RegistrationForm, StatusFilterForm
from pages.http import AuthedRequest, act_once, city_user_required, post_form

REGISTERED = "団体登録を申請しました。市の確認をお待ちください。"
DONE = {"confirm_group": "団体登録を確認しました。この団体は募集に申請できます。",
        "return_group": "団体登録を差し戻しました。団体が修正して申請し直すまでお待ちください。"}
EVENT_LABELS = {"register_group": "登録の申請", "edit_registration": "登録内容の修正", "confirm_group": "確認",
                "return_group": "差戻し", "resubmit_group": "再申請"}
FILES = {"bylaws": "規約（会則）", "member_list": "構成員名簿"}


def _registration_or_404(request: AuthedRequest, pk: int) -> GroupRegistration:
    try:
        return groups.access_registration(request.user, pk)
    except GroupRegistration.DoesNotExist as exc:
        raise Http404("団体登録が見つかりません。") from exc


def _keep_errors(form: GroupForm, exc: GroupError) -> None:
    if isinstance(exc, GroupInputError):
        form.add_service_errors(exc.errors)
    else:
        form.add_error(None, str(exc))


def register(request: HttpRequest) -> HttpResponse:
    """The public registration form (no login). Success logs the new representative in and goes to ホーム; bad
    input shows the form again as typed (files must be chosen again), with each error at its field."""
    if request.user.is_authenticated:
        if request.method == "POST":
            messages.info(request, "ログイン中のため、新しい団体登録は受け付けていません。"
                                   "登録の状況はホームでご確認ください。")
            return redirect("home")
        return render(request, "competitive/groups/register.html", {"form": None})
    form = RegistrationForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data

        def register_and_log_in() -> GroupRegistration:
            registration = groups.register_group(
                details=GroupDetails.of(data), bank=BankDetails.of(data), username=data["username"],
                password=data["password1"], bylaws=data["bylaws"], member_list=data["member_list"])
            login(request, registration.submitted_by, backend="django.contrib.auth.backends.ModelBackend")
            return registration

        try:  # once per form: a double click registers once (the second sending goes home with the message)
            return act_once(request, act=register_and_log_in, done=REGISTERED, then=lambda _: redirect("home"))
        except GroupError as exc:
            _keep_errors(form, exc)
        except workflow.ActionRefused as exc:  # a key that is not honoured
            form.add_error(None, str(exc))
    return render(request, "competitive/groups/register.html", {"form": form})


@city_user_required
def registration_list(request: AuthedRequest) -> HttpResponse:
    """City users: every registration, newest first, filtered by status."""
    qs = groups.visible_registrations(request.user).select_related("organization__area").order_by("-submitted_at")
    form = StatusFilterForm(request.GET or None, choices=RegistrationStatus.choices)
    if form.is_valid() and form.cleaned_data["status"]:
        qs = qs.filter(status=form.cleaned_data["status"])
    return render(request, "competitive/groups/list.html", {"registrations": qs[:500], "filter_form": form})


@login_required
def registration_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    """The registration for staff and for the group's own representative: status, what staff asked to fix, the
    files, the acts open to the user (from the machine), and whether the group meets each open call."""
    registration = _registration_or_404(request, pk)
    user = request.user
    return render(request, "competitive/groups/detail.html", {
        "registration": registration, "org": registration.organization,
        "account": registration.organization.current_bank_account(),
        # What staff asked to fix, while the group has it to fix (it may apply again).
        "return_note": (groups.latest_return_note(registration)
                        if workflow.leaves(GROUP_REGISTRATION, registration, "resubmit_group") else ""),
        "offers": workflow.offers(GROUP_REGISTRATION, registration, user),
        "may_edit": workflow.may(GROUP_REGISTRATION, registration, user, "edit_registration"),
        "judgments": [(call, [reason for _, ok, reason in checks if not ok])
                      for call, checks in groups.open_call_judgments(registration)],
        "events": [(e, EVENT_LABELS.get(e.action) or action_label(e.action))
                   for e in AuditEvent.objects.for_object(registration).select_related("actor")],
        "files": [(kind, label, getattr(registration, kind)) for kind, label in FILES.items()],
        "note_form": NoteForm(auto_id="note-%s"),
    })


def _initial(registration: GroupRegistration) -> dict[str, object]:
    org, account = registration.organization, registration.organization.current_bank_account()
    initial: dict[str, object] = {name: getattr(registration, name) for name in (
        "representative_name", "contact_name", "phone", "email", "address", "members", "purpose",
        "no_political_aim", "no_religious_aim", "no_profit_aim")}
    initial.update(name=org.name, name_kana=org.name_kana, area=org.area_id, corporate_number=org.corporate_number,
                   based_in_city="yes" if registration.based_in_city else "no")
    if account is not None:
        initial.update({name: getattr(account, name) for name in (
            "bank_code", "branch_code", "account_type", "account_number", "holder_kana")})
    return initial


@login_required
def registration_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    """The group corrects its registration while it waits or after a return, and may apply again."""
    registration = _registration_or_404(request, pk)
    user = request.user
    if not workflow.may(GROUP_REGISTRATION, registration, user, "edit_registration"):
        messages.error(request, GROUP_REGISTRATION.activity("edit_registration").refusal)
        return redirect("group_detail", pk=pk)
    resubmit = workflow.open_edges(GROUP_REGISTRATION, registration, user).get("resubmit_group")
    form = EditForm(request.POST or None, request.FILES or None, initial=_initial(registration))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        again = "resubmit" in request.POST and resubmit is not None
        try:
            groups.update_registration(registration_id=pk, actor=user, details=GroupDetails.of(data),
                                       bank=BankDetails.of(data), bylaws=data["bylaws"],
                                       member_list=data["member_list"], resubmit=again)
        except GroupRegistration.DoesNotExist as exc:
            raise Http404("団体登録が見つかりません。") from exc
        except GroupError as exc:
            _keep_errors(form, exc)
        else:
            messages.success(request, "登録を申請し直しました。市の確認をお待ちください。" if again
                             else "登録内容を修正しました。")
            return redirect("group_detail", pk=pk)
    return render(request, "competitive/groups/edit.html", {
        "registration": registration, "form": form, "resubmit": resubmit,
    })


@require_POST
@login_required
def registration_act(request: AuthedRequest, pk: int, edge: str) -> HttpResponse:
    """Confirm or return a registration (the buttons ``workflow.offers`` gives staff); the rail refuses the rest."""
    _registration_or_404(request, pk)
    if edge not in DONE:
        raise Http404("この手続はありません。")
    return post_form(
        request, form=NoteForm(request.POST), back=redirect("group_detail", pk=pk),
        act=lambda data: workflow.perform(GROUP_REGISTRATION, pk, edge, actor=request.user, note=data["note"]),
        done=DONE[edge], not_found=GroupRegistration.DoesNotExist)


@login_required
def registration_file(request: AuthedRequest, pk: int, kind: str) -> FileResponse:
    """Download the bylaws or the member list: staff and the group itself only (others 404); never from MEDIA."""
    registration = _registration_or_404(request, pk)
    if kind not in FILES or not getattr(registration, kind):
        raise Http404("ファイルが見つかりません。")
    stored = getattr(registration, kind)
    try:
        handle = stored.open("rb")
    except FileNotFoundError as exc:
        raise Http404("ファイルが見つかりません。") from exc
    return FileResponse(handle, as_attachment=True, filename=f"{FILES[kind]}{os.path.splitext(stored.name)[1]}")
