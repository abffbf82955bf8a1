"""Pages of a 市民活動団体's application (申請) to a call of the 市民活動交流事業補助金 (GRANTS.md §3 step 1).

- ``/competitive/applications/``: for a group's representative, the open calls with a form to start an
  application (a new project, or the continuation of one of the group's projects, with its year 何年目 and the
  rule's limit); starting goes to the case page ``/cases/<pk>/``, whose sections show the rest.
- ``/competitive/applications/<pk>/plan/``: saves the 事業計画書 of a draft (the section
  ``cases/sections/_project_plan.html``); the page's script posts it as the group types (JSON answers, 401 when
  the login has expired, so the script keeps its local copy), and without script the form posts it with a
  button. Text posted after the login expired is kept in the session and offered again after the re-login.
- ``/competitive/applications/<pk>/amount/``: the amount the call's rule gives for the lines entered plus the
  line being typed (JSON), for the live preview beside the line form. Nothing is written.
- ``/competitive/applications/<pk>/attachments/``: adds a 添付書類 (見積書, チラシ案 …) to a draft, and
  ``…/attachments/<id>/delete/`` removes one (the list and form are in the 事業計画書 section); a refused upload
  shows the section again with the title as typed and the reason at its field.
- ``/competitive/applications/<pk>/attachments/<id>/``: downloads one, for whoever may see the case and for a
  審査委員 who may open the application and declared no conflict on it; 404 for anyone else.

A case the user may not see answers 404 (JSON or page alike). Services: ``grants.competitive.applications``.
"""
from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from grants.accounts.models import Role
from grants.cases.models import GrantCase, LineKind
from grants.competitive import applications, panel
from grants.competitive.applications import MAX_PLAN_TEXT, PLAN_FIELDS, CallOffer
from grants.competitive.models import ApplicationAttachment, Call
from grants.core.money import yen
from grants.core.workflow import ActionRefused
from grants.organizations.models import Organization
from pages.http import AuthedRequest, post_form, recorded_download

EXPIRED = ("ログインの有効期限が切れたため、保存できませんでした。入力した内容はこの端末に一時的に残しています。"
           "もう一度ログインしてからこの画面を開くと、復元できます。")
TYPED_KEY = "competitive_plan_typed_{pk}"
ATTACHMENT_TYPED_KEY = "competitive_attachment_typed_{pk}"


# -- starting an application -------------------------------------------------------------------------------------

class NewProjectForm(forms.Form):
    """Start with a new project (事業名)."""

    project_title = forms.CharField(label="事業名", max_length=200,
                                    error_messages={"required": "入力してください。",
                                                    "max_length": "200文字以内で入力してください。"})


class ContinueForm(forms.Form):
    """Start as the continuation of one of the group's projects (同一事業の継続)."""

    project = forms.TypedChoiceField(label="継続する事業", coerce=int,
                                     error_messages={"required": "選んでください。",
                                                     "invalid_choice": "この団体の事業から選んでください。"})

    def __init__(self, *args: Any, offer: CallOffer, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["project"].choices = [("", "（選んでください）")] + [  # type: ignore[attr-defined]
            (c.project.pk, f"{c.project.title}（{c.year}年目"
                           + ("・上限を超えるため申請できません）" if c.refusal else "）"))
            for c in offer.projects]


def _forms(offer: CallOffer, data: Any = None, mode: str = "") -> dict[str, Any]:
    prefix = f"start-{offer.call.pk}-{offer.group.pk}"
    return {
        "offer": offer,
        "new_form": NewProjectForm(data if mode == "new" else None, auto_id=f"{prefix}-new-%s"),
        "continue_form": ContinueForm(data if mode == "continue" else None, offer=offer,
                                      auto_id=f"{prefix}-continue-%s") if offer.projects else None,
    }


def _posted_int(request: HttpRequest, name: str) -> int:
    raw = request.POST.get(name, "")
    if not raw.isdigit() or len(raw) > 12:
        raise Http404("見つかりません。")
    return int(raw)


@login_required
def start(request: AuthedRequest) -> HttpResponse:
    """The open calls of the groups ``request.user`` represents, each with its application or the forms that
    start one. POST (``call``, ``organization``, ``mode`` new or continue, and ``project_title`` or
    ``project``) starts it and opens the case page; a refusal shows the page again with the reason at the
    field and what was typed, and nothing is created. A call or group the user may not use answers 404."""
    offers = applications.application_offers(request.user)
    if request.method != "POST":
        return _start_page(request, [_forms(o) for o in offers])
    call_id, group_id = _posted_int(request, "call"), _posted_int(request, "organization")
    mode = request.POST.get("mode", "")
    offer = next((o for o in offers if o.call.pk == call_id and o.group.pk == group_id), None)
    if offer is None or mode not in ("new", "continue"):
        raise Http404("募集が見つかりません。")
    blocks = [_forms(o, request.POST, mode) if o is offer else _forms(o) for o in offers]
    block = next(b for b in blocks if b["offer"] is offer)
    form = block["new_form"] if mode == "new" else block["continue_form"]
    if form is None:
        raise Http404("継続できる事業がありません。")

    def act(data: dict[str, Any]) -> GrantCase:
        return applications.start_application(call_id=call_id, actor=request.user, organization_id=group_id,
                                              project_title=data.get("project_title", ""),
                                              project_id=data.get("project"))

    def refused(form: forms.BaseForm, exc: ActionRefused) -> None:
        text = str(exc)
        field = next((name for name, f in form.fields.items() if text.startswith(f"{f.label}:")), None)
        form.add_error(field, text.split(": ", 1)[1] if field else text)

    return post_form(request, form=form, act=act, back=redirect("competitive_applications"),
                     done="申請書（下書き）を開きました。事業計画書と収支予算書を入力して、提出してください。",
                     rerender=lambda _: _start_page(request, blocks, status=400), refused=refused,
                     not_found=(Call.DoesNotExist, Organization.DoesNotExist),
                     then=lambda case: redirect("case_detail", pk=case.pk))


def _start_page(request: AuthedRequest, blocks: list[dict[str, Any]], status: int = 200) -> HttpResponse:
    for block in blocks:
        for form in (block["new_form"], block["continue_form"]):
            if form is not None and form.is_bound:
                _tie_errors(form)
    return render(request, "competitive/applications/start.html", {
        "blocks": blocks, "is_head": request.user.role == Role.ASSOCIATION_HEAD,
    }, status=status)


def _tie_errors(form: forms.BaseForm) -> None:
    """Point each field in error at its message (``<id>-error``), for screen readers."""
    for name in form.errors:
        if name in form.fields and isinstance(form.auto_id, str):
            form.fields[name].widget.attrs["aria-describedby"] = f"{form.auto_id % name}-error"


# -- the 事業計画書, saved as the group types --------------------------------------------------------------------

class PlanForm(forms.Form):
    """The 事業計画書's four texts; each may be empty in a draft (submission asks for all)."""

    purpose = forms.CharField(label=PLAN_FIELDS["purpose"], required=False, max_length=MAX_PLAN_TEXT,
                              widget=forms.Textarea(attrs={"rows": 4}))
    content = forms.CharField(label=PLAN_FIELDS["content"], required=False, max_length=MAX_PLAN_TEXT,
                              widget=forms.Textarea(attrs={"rows": 6}))
    expected_effects = forms.CharField(label=PLAN_FIELDS["expected_effects"], required=False,
                                       max_length=MAX_PLAN_TEXT, widget=forms.Textarea(attrs={"rows": 4}))
    indicators = forms.CharField(label="成果の指標（実績報告で報告するもの）", required=False, max_length=MAX_PLAN_TEXT,
                                 help_text="1行に1つずつ書いてください（例: 参加者数 延べ300人）。",
                                 widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "plan-%s")
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            field.error_messages["max_length"] = f"{MAX_PLAN_TEXT:,}文字以内で入力してください。"
            if field.help_text:
                field.widget.attrs["aria-describedby"] = f"plan-{name}-help"


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _typed(request: HttpRequest) -> dict[str, str]:
    return {name: request.POST.get(name, "")[:MAX_PLAN_TEXT * 2] for name in PLAN_FIELDS if name in request.POST}


def keep_typed(request: HttpRequest, pk: int, fields: dict[str, str], errors: dict[str, str]) -> None:
    """Keep what was typed (and why it was not saved) in the session, for the section to show it again."""
    request.session[TYPED_KEY.format(pk=pk)] = {"fields": fields, "errors": errors}


@require_POST
def save_plan(request: HttpRequest, pk: int) -> HttpResponse:
    """Save the 事業計画書 of draft ``pk``. With ``Accept: application/json`` (the script) the answer is JSON:
    200 with the time saved, 400 with each field's error, 401 when the login has expired, 403 when the draft
    may no longer be edited, 404 for a case the user may not see. Otherwise the case page is shown again with
    a message (a refused text is kept in the session and shown as typed)."""
    as_json = _wants_json(request)
    if not request.user.is_authenticated:
        if as_json:
            return JsonResponse({"error": EXPIRED, "login_url": reverse("login")}, status=401)
        keep_typed(request, pk, _typed(request), {})
        return redirect_to_login(reverse("case_detail", args=[pk]))
    user = request.user
    if not GrantCase.objects.visible_to(user).filter(pk=pk).exists():
        if as_json:
            return JsonResponse({"error": "申請が見つかりません。"}, status=404)
        raise Http404("申請が見つかりません。")
    form = PlanForm(request.POST)
    back = redirect(reverse("case_detail", args=[pk]) + "#project-plan")
    if not form.is_valid():
        errors = {name: " ".join(str(e) for e in errs) for name, errs in form.errors.items()}
        if as_json:
            return JsonResponse({"errors": errors, "error": _error_text(errors)}, status=400)
        keep_typed(request, pk, _typed(request), errors)
        messages.error(request, _error_text(errors) + " 保存していません。")
        return back
    fields = {name: form.cleaned_data[name] for name in PLAN_FIELDS if name in request.POST}
    try:
        applications.save_plan(case_id=pk, actor=user, **fields)
    except ActionRefused as exc:
        if as_json:
            return JsonResponse({"error": str(exc)}, status=403)
        messages.error(request, str(exc))
        return back
    saved_at = timezone.localtime().strftime("%H:%M")
    if as_json:
        return JsonResponse({"saved_at": saved_at, "message": f"下書きを保存しました（{saved_at}）"})
    messages.success(request, f"事業計画書の下書きを保存しました（{saved_at}）。")
    return back


def _error_text(errors: dict[str, str]) -> str:
    return " ".join(f"{PLAN_FIELDS.get(name, '')}: {text}" if name in PLAN_FIELDS else text
                    for name, text in errors.items())


# -- the amount, line by line, as a line is typed ----------------------------------------------------------------

def _optional_int(raw: str | None, label: str) -> int | None:
    raw = (raw or "").strip().replace(",", "")
    if not raw:
        return None
    if not raw.isdigit() or len(raw) > 12:
        raise applications.ApplicationError(f"{label}: 半角数字（円単位の整数）で入力してください。")
    return int(raw)


@require_GET
def amount_preview(request: HttpRequest, pk: int) -> JsonResponse:
    """JSON: the amount of case ``pk`` computed by its rule from the lines entered and, when ``amount`` is
    given, the line being typed (``kind``, ``category`` id, ``amount`` in whole yen): ``amount`` (int),
    ``amount_text``, ``lines`` (label, basis, amount_text, applied), ``with_line`` and ``excluded`` (why the
    typed line's 費目 is excluded, or empty). 400 with ``error`` for
    input that cannot be computed, 401 without a login, 404 for a case the user may not see."""
    if not request.user.is_authenticated:
        return JsonResponse({"error": EXPIRED}, status=401)
    try:
        amount = _optional_int(request.GET.get("amount"), "金額")
        category = _optional_int(request.GET.get("category"), "費目")
        kind = request.GET.get("kind", LineKind.EXPENSE)
        computed = applications.preview_amount(case_id=pk, actor=request.user,
                                               kind=kind, category_id=category, amount=amount)
        excluded = None
        if kind == LineKind.EXPENSE:
            excluded = applications.excluded_reason(GrantCase.objects.get(pk=pk), category)
    except GrantCase.DoesNotExist:
        return JsonResponse({"error": "申請が見つかりません。"}, status=404)
    except (ActionRefused, ValueError) as exc:
        return JsonResponse({"error": str(exc)}, status=400)
    return JsonResponse({
        "amount": computed.amount, "amount_text": yen(computed.amount), "with_line": amount is not None,
        "excluded": excluded or "",
        "lines": [{"label": line.label, "basis": line.basis, "amount_text": yen(line.amount),
                   "applied": line.applied} for line in computed.lines],
    })


# -- the 添付書類 ---------------------------------------------------------------------------------------------------

class AttachmentForm(forms.Form):
    """One 添付書類: its name and the file."""

    title = forms.CharField(label="書類名", max_length=200,
                            help_text="例: 見積書（会場使用料）、チラシ案、会場の案内図",
                            error_messages={"required": "入力してください。",
                                            "max_length": "200文字以内で入力してください。"})
    file = forms.FileField(label="ファイル", help_text="PDF・Word・Excel・画像（JPEG/PNG）、10MBまで",
                           error_messages={"required": "ファイルを選んでください。",
                                           "empty": "空のファイルは登録できません。"})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "attachment-%s")
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            field.widget.attrs["aria-describedby"] = f"attachment-{name}-help"


def _visible_case(request: AuthedRequest, pk: int) -> GrantCase:
    return get_object_or_404(GrantCase.objects.visible_to(request.user), pk=pk)


def _attachments_back(pk: int) -> HttpResponse:
    return redirect(reverse("case_detail", args=[pk]) + "#application-attachments")


@require_POST
@login_required
def attachment_add(request: AuthedRequest, pk: int) -> HttpResponse:
    """Add a 添付書類 to draft ``pk`` (``applications.attach``). A refusal keeps the title as typed (in the
    session, for the section to show it again with the reason at its field); nothing is stored."""
    _visible_case(request, pk)
    form = AttachmentForm(request.POST, request.FILES)

    def keep(field: str | None, text: str) -> None:
        request.session[ATTACHMENT_TYPED_KEY.format(pk=pk)] = {
            "title": request.POST.get("title", "")[:400], "field": field or "", "error": text}

    def invalid(f: forms.BaseForm) -> str:
        field, errors = next(iter(f.errors.items()))
        keep(field, " ".join(str(e) for e in errors))
        return "添付書類を登録できませんでした。" + " ".join(
            f"{f.fields[name].label}: {' '.join(str(e) for e in errs)}" for name, errs in f.errors.items()
            if name in f.fields)

    def refused(f: forms.BaseForm, exc: ActionRefused) -> None:
        text = str(exc)
        field = next((name for name, fl in f.fields.items() if text.startswith(f"{fl.label}:")), None)
        keep(field, text.split(": ", 1)[1] if field else text)

    return post_form(request, form=form, back=_attachments_back(pk), invalid=invalid, refused=refused,
                     act=lambda d: applications.attach(case_id=pk, actor=request.user, title=d["title"],
                                                       file=d["file"]),
                     done=lambda a: f"添付書類「{a.title}」を登録しました。", not_found=GrantCase.DoesNotExist)


@require_POST
@login_required
def attachment_remove(request: AuthedRequest, pk: int, attachment_pk: int) -> HttpResponse:
    """Remove a 添付書類 of draft ``pk`` (``applications.remove_attachment``); 404 for a case not visible."""
    _visible_case(request, pk)
    return post_form(request, form=None, back=_attachments_back(pk),
                     act=lambda _: applications.remove_attachment(case_id=pk, actor=request.user,
                                                                  attachment_id=attachment_pk),
                     done="添付書類を削除しました。", not_found=GrantCase.DoesNotExist)


def _may_download(request: AuthedRequest, pk: int) -> GrantCase:
    """The case ``pk`` if the user may see it (the group, city users) or is a 審査委員 who may open it and
    declared no conflict on it; 404 otherwise."""
    user = request.user
    if user.role == Role.PANEL:
        try:
            member, plan = panel.open_application(user, pk)
        except GrantCase.DoesNotExist as exc:
            raise Http404("申請が見つかりません。") from exc
        if panel.declaration_of(member, pk) is None:
            raise Http404("申請が見つかりません。")
        return plan.case
    return _visible_case(request, pk)


@require_GET
@login_required
def attachment_download(request: AuthedRequest, pk: int, attachment_pk: int) -> FileResponse:
    """The file of a 添付書類 of application ``pk``, saved under its title; 404 for anyone who may not see the
    application (``_may_download``). The download is recorded on the case."""
    case = _may_download(request, pk)
    attachment = get_object_or_404(ApplicationAttachment, pk=attachment_pk, case=case)
    return recorded_download(request, attachment.file, subject=case, action="download_application_attachment",
                             note=attachment.title, filename=applications.attachment_filename(attachment))
