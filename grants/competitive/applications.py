"""Applications to a call, started by the group itself (GRANTS.md §3 step 1): a draft ``GrantCase`` of the call's
programme-year with its 事業計画書 (``ProjectPlan``) and 収支予算書 (the case's budget lines, written through
``grants.cases.budget``). One application per group per call; submission closes at the end of the call's
last day. "The same project" is tracked across years: the year of the project (何年目) sets the repeat-year
rate and cap, and a project past the rule's year limit is refused before it is submitted.

Errors: ``ApplicationError`` (a ``CaseActionError``: Japanese, names the field); ``Call.DoesNotExist`` /
``GrantCase.DoesNotExist`` for what the user may not see (404).
"""
from __future__ import annotations

import datetime as dt
import os
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from grants.accounts.models import Role, User
from grants.cases import checks
from grants.cases.budget import compute_amount, current_lines
from grants.cases.models import BudgetLine, GrantCase, LineKind
from grants.cases.workflows import CaseActionError, workflow_for_case
from grants.core import workflow
from grants.core.fiscal import wareki
from grants.core.models import record_event
from grants.core.uploads import DOCUMENTS, MAX_UPLOAD_BYTES, UploadError, check_upload
from grants.core.workflow import Act
from grants.organizations.models import Organization, OrganizationKind, Representative
from grants.programmes.engine import Computation
from grants.programmes.models import ExpenseCategory, ExpenseRule, Treatment

from .models import (
    ApplicationAttachment,
    Call,
    CallStatus,
    GroupRegistration,
    Project,
    ProjectPlan,
    RegistrationStatus,
)
from .workflows import COMPETITIVE, NOT_SELECTED, SUBMITTED

PLAN_FIELDS = {"purpose": "事業の目的", "content": "事業の内容", "expected_effects": "期待される効果",
               "indicators": "成果の指標"}
MAX_PLAN_TEXT = 4000

# The states of an application that count as a year of its project: selected and every state after it.
COUNTED = frozenset(COMPETITIVE.machine.states) - {"draft", SUBMITTED, "screening", NOT_SELECTED, "not_granted"}


class ApplicationError(CaseActionError):
    """An application act is refused or its input is wrong; the message is for the group, in Japanese."""


def represented_groups(user: User) -> QuerySet[Organization]:
    """The 市民活動団体 ``user`` represents today."""
    return Organization.objects.filter(
        kind=OrganizationKind.SHIMIN_DANTAI,
        pk__in=Representative.objects.current().filter(user=user).values("organization_id"),
    )


def year_of_project(project: Project, fiscal_year: int) -> int:
    """何年目: 1 + the earlier 年度 in which ``project`` was selected (採択 and after)."""
    years = (ProjectPlan.objects.filter(project=project, case__status__in=COUNTED,
                                        call__programme_year__fiscal_year__lt=fiscal_year)
             .values_list("call__programme_year__fiscal_year", flat=True).distinct())
    return 1 + len(set(years))


def year_limit_refusal(project: Project, call: Call) -> str | None:
    """Why ``project`` may not apply to ``call`` because of the rule's year limit (Japanese), or None."""
    limit = call.programme_year.max_project_years
    year = year_of_project(project, call.fiscal_year)
    if limit is not None and year > limit:
        return (f"「{project.title}」は同一事業として{year}年目になります。"
                f"この補助金は同一の事業について{limit}年までのため、申請できません。")
    return None


def other_call_refusal(group: Organization, call: Call) -> str | None:
    """Why ``group`` may not start an application to ``call`` because it already has one in the same
    programme-year (Japanese), or None: a group has one case per programme-year (``one_case_per_programme_year``
    of ``grants.cases``), so it applies to one call of the 年度, and a project is funded at most once a year."""
    if not GrantCase.objects.filter(programme_year=call.programme_year_id, organization=group).exists():
        return None
    other = (ProjectPlan.objects.filter(organization=group, case__programme_year=call.programme_year_id)
             .select_related("call").first())
    where = f"同じ年度の「{other.call.title}」" if other is not None else "同じ年度の別の申請"
    return f"この団体は、{where}に申請しています。この補助金に申請できるのは1年度に1件です。"


def start_application(*, call_id: int, actor: User, organization_id: int, project_title: str = "",
                      project_id: int | None = None) -> GrantCase:
    """Start the draft application of group ``organization_id`` (which ``actor`` represents) to the open call
    ``call_id``: a new project titled ``project_title``, or the continuation of the group's ``project_id``.
    Refused when ``actor`` is not the group's head (its 会計 or 担当者 drafts once it is started), the call is
    closed, the group is not confirmed, it already applied to another call of the 年度
    (``other_call_refusal``), the project is past the year limit, or a new project repeats the title of one of the
    group's projects (``same_title_refusal``: it must be continued). A second click returns the application the
    first one made."""
    if actor.role != Role.ASSOCIATION_HEAD:
        raise ApplicationError("申請は団体の代表者が行います。")
    with transaction.atomic():
        group = represented_groups(actor).select_for_update().filter(pk=organization_id).first()
        if group is None:
            raise Organization.DoesNotExist("団体が見つかりません。")
        # The head's alone, as a submission: the application takes the group's one case of the 年度 and a year of
        # the project, and a draft cannot be withdrawn.
        if not Representative.objects.current().heads().filter(organization=group, user=actor).exists():
            raise ApplicationError("申請は団体の代表者が行います。")
        call = Call.objects.select_related("programme_year__programme").get(pk=call_id, status=CallStatus.PUBLISHED)
        existing = ProjectPlan.objects.filter(call=call, organization=group).select_related("case").first()
        if existing is not None:
            return existing.case
        if not call.is_open():
            raise ApplicationError(_window_refusal(call))
        refusal = registration_refusal(group) or other_call_refusal(group, call)
        if refusal:
            raise ApplicationError(refusal)
        if project_id is not None:
            project = Project.objects.filter(pk=project_id, organization=group).first()
            if project is None:
                raise ApplicationError("継続する事業: この団体の事業から選んでください。")
        else:
            title = (project_title or "").strip()
            if not title or len(title) > 200:
                raise ApplicationError("事業名: 200文字以内で入力してください。")
            refusal = same_title_refusal(group, title)
            if refusal:
                raise ApplicationError(refusal)
            project = Project.objects.create(organization=group, title=title)
        refusal = year_limit_refusal(project, call)
        if refusal:
            raise ApplicationError(refusal)
        case = GrantCase.objects.create(programme_year=call.programme_year, organization=group,
                                        project_title=project.title,
                                        repeat_year=year_of_project(project, call.fiscal_year))
        try:
            with transaction.atomic():
                ProjectPlan.objects.create(case=case, call=call, organization=group, project=project)
        except IntegrityError:
            raise ApplicationError("この団体は、この募集にすでに申請しています。") from None
        record_event(actor=actor, subject=case, action="start_application", note=f"{call.title}への申請を作成")
    return case


# Spaces (half- and full-width) and the marks a title is often retyped with or without.
_TITLE_NOISE = re.compile(r"[\s・「」『』（）()【】\"'〜~]+")


def title_key(title: str) -> str:
    """The title as compared for "the same project": NFKC (full-width letters and digits as half-width), without
    spaces or quoting marks, case-folded. 「子ども食堂の 交流会」 and 「子ども食堂の交流会」 have one key."""
    return _TITLE_NOISE.sub("", unicodedata.normalize("NFKC", title)).casefold()


def same_title_refusal(group: Organization, title: str) -> str | None:
    """Why a *new* project titled ``title`` is refused (Japanese, naming 事業名), or None: the group already has a
    project of the same title (``title_key``), which it must continue instead, so that a retyped title does not
    restart the repeat-year count and the year limit (同一事業の上限年数)."""
    key = title_key(title)
    earlier = next((p for p in Project.objects.filter(organization=group) if title_key(p.title) == key), None)
    if earlier is None:
        return None
    return (f"事業名: 「{earlier.title}」はこの団体がすでに行った事業と同じ名称です。"
            "同じ事業を続けるときは「継続する事業」から選んでください（同一事業は補助の年数に数えます）。")


def _window_refusal(call: Call, act: str = "申請できません") -> str:
    return f"この募集の受付期間（{wareki(call.opens_on)}〜{wareki(call.closes_on)}）外のため、{act}。"


def registration_refusal(group: Organization) -> str | None:
    """Why ``group`` may not apply yet (Japanese), or None: its registration must be confirmed by the city."""
    registration = GroupRegistration.objects.filter(organization=group).first()
    if registration is None:
        return "団体登録がありません。先に団体登録を申請してください。"
    if registration.status != RegistrationStatus.CONFIRMED:
        return "団体登録が市で確認されてから申請できます（現在：" + registration.get_status_display() + "）。"
    return None


def save_plan(*, case_id: int, actor: User, **fields: str) -> ProjectPlan:
    """Save the 事業計画書 of a draft application as the group types (any subset of ``PLAN_FIELDS``; drafts may
    be incomplete). Refused after submission; each text at most ``MAX_PLAN_TEXT`` characters."""
    flow = workflow_for_case(case_id)
    with transaction.atomic():
        case = workflow.access(flow.machine, actor, case_id, lock=True)
        workflow.require(flow.machine, case, actor, "edit_application")
        plan = ProjectPlan.objects.select_for_update().get(case=case)
        for name, value in fields.items():
            if name not in PLAN_FIELDS:
                raise ApplicationError(f"{name}: この項目はありません。")
            text = (value or "").strip()
            if len(text) > MAX_PLAN_TEXT:
                raise ApplicationError(f"{PLAN_FIELDS[name]}: {MAX_PLAN_TEXT:,}文字以内で入力してください。")
            setattr(plan, name, text)
        plan.save()
    return plan


# -- the 添付書類 of an application ---------------------------------------------------------------------------------

MAX_ATTACHMENT_BYTES = MAX_UPLOAD_BYTES  # 10 MB
# A second upload of the same title and size within this time is the same click twice: the first one is kept.
SAME_CLICK = dt.timedelta(minutes=1)


def attach(*, case_id: int, actor: User, title: str, file: UploadedFile | None) -> ApplicationAttachment:
    """Attach a file (添付書類: 見積書, チラシ案, 会場の資料 …) to application ``case_id`` while it may be edited
    (activity ``edit_application`` of the case's workflow: the group's current representative, or staff, on a
    draft). The file is a PDF, Word, Excel, JPEG or PNG of at most 10 MB whose first bytes match its extension
    (``grants.core.uploads.check_upload``); ``title`` 1–200 characters. A second upload of the same title and size
    within a minute returns the first (a double click stores one). Records an audit event on the case.

    Raises ``ApplicationError`` (Japanese, naming 書類名 or ファイル), the workflow's ``CaseActionError`` once the
    application may no longer be edited (submitted, or ``actor`` not the group's representative nor staff), and
    ``GrantCase.DoesNotExist`` for a case ``actor`` may not see (another group's) or that is not an application
    to a call. Nothing is written when one is raised."""
    title = (title or "").strip()
    if not title or len(title) > 200:
        raise ApplicationError("書類名: 200文字以内で入力してください。")
    if file is None:
        raise ApplicationError("ファイル: ファイルを選んでください。")
    try:
        ext = check_upload(file, DOCUMENTS, MAX_ATTACHMENT_BYTES)
    except UploadError as error:
        raise ApplicationError(str(error)) from error
    size = file.size or 0  # check_upload refused an empty file
    flow = workflow_for_case(case_id)
    with transaction.atomic():
        case = workflow.access(flow.machine, actor, case_id, lock=True)
        if not ProjectPlan.objects.filter(case=case).exists():
            raise GrantCase.DoesNotExist("申請が見つかりません。")
        workflow.require(flow.machine, case, actor, "edit_application")
        earlier = (ApplicationAttachment.objects.filter(case=case, title=title, size=size,
                                                        uploaded_at__gte=timezone.now() - SAME_CLICK)
                   .order_by("pk").first())
        if earlier is not None:
            return earlier
        attachment = ApplicationAttachment(case=case, title=title, size=size, uploaded_by=actor)
        attachment.file.save(f"attachment{ext}", file, save=False)
        attachment.save()
        record_event(actor=actor, subject=case, action="add_application_attachment", note=title)
    return attachment


def remove_attachment(*, case_id: int, actor: User, attachment_id: int) -> None:
    """Remove attachment ``attachment_id`` of application ``case_id`` while the application may be edited (as
    ``attach``); the stored file is deleted after the commit. Removing one already removed (a second click)
    does nothing. Records an audit event on the case.

    Raises the workflow's ``CaseActionError`` once the application may no longer be edited, and
    ``GrantCase.DoesNotExist`` for a case ``actor`` may not see."""
    flow = workflow_for_case(case_id)
    with transaction.atomic():
        case = workflow.access(flow.machine, actor, case_id, lock=True)
        workflow.require(flow.machine, case, actor, "edit_application")
        attachment = ApplicationAttachment.objects.filter(case=case, pk=attachment_id).first()
        if attachment is None:
            return
        stored, name = attachment.file.storage, attachment.file.name
        attachment.delete()
        record_event(actor=actor, subject=case, action="remove_application_attachment", note=attachment.title)
        transaction.on_commit(lambda: stored.delete(name) if name else None)


def attachments_of(case: GrantCase) -> QuerySet[ApplicationAttachment]:
    """The attachments of ``case`` (which the caller already may see), in the order they were added."""
    return ApplicationAttachment.objects.filter(case=case).order_by("pk")


def attachment_filename(attachment: ApplicationAttachment) -> str:
    """The name a downloaded attachment is saved under: its title (without path separators) and extension."""
    ext = os.path.splitext(attachment.file.name or "")[1].lower()
    return re.sub(r"[\\/:*?\"<>|\s]+", "_", attachment.title).strip("_")[:100] + ext


# -- what a group may start, and the amount its lines give ---------------------------------------------------------

@dataclass(frozen=True)
class ProjectChoice:
    """One of a group's earlier projects as a choice to continue: its year in the call's 年度 (何年目) and, when
    the rule's year limit bars it, why (Japanese)."""

    project: Project
    year: int
    refusal: str | None


@dataclass(frozen=True)
class CallOffer:
    """An open call as one group sees it: its application if it already started one, else the projects it may
    continue, and why the group may not apply yet (its registration), if so."""

    call: Call
    group: Organization
    application: ProjectPlan | None
    projects: list[ProjectChoice]
    refusal: str | None

    @property
    def year_limit(self) -> int | None:
        """The rule's limit on the years of one project (同一事業の上限年数), or None."""
        return self.call.programme_year.max_project_years


def open_calls() -> QuerySet[Call]:
    """The published calls whose window includes today (local date), closing soonest first."""
    today = timezone.localdate()
    return (Call.objects.filter(status=CallStatus.PUBLISHED, opens_on__lte=today, closes_on__gte=today)
            .select_related("programme_year__programme").order_by("closes_on", "pk"))


def project_choices(group: Organization, call: Call) -> list[ProjectChoice]:
    """The group's projects, each with its year (何年目) in ``call``'s 年度 and the year-limit refusal, if any."""
    return [ProjectChoice(project, year_of_project(project, call.fiscal_year), year_limit_refusal(project, call))
            for project in Project.objects.filter(organization=group).order_by("-pk")]


def application_offers(user: User) -> list[CallOffer]:
    """Every open call for every 市民活動団体 ``user`` represents today (none for anyone else)."""
    groups = list(represented_groups(user).order_by("name", "pk")) if user.is_authenticated else []
    if not groups:
        return []
    plans = {(p.call_id, p.organization_id): p
             for p in ProjectPlan.objects.filter(organization__in=groups).select_related("case", "project")}
    return [CallOffer(call, group, plans.get((call.pk, group.pk)), project_choices(group, call),
                      registration_refusal(group))
            for call in open_calls() for group in groups]


def preview_amount(*, case_id: int, actor: User, kind: str = "", category_id: int | None = None,
                   amount: int | None = None) -> Computation:
    """The amount (whole yen, line by line) the rule of case ``case_id``'s programme-year gives for its current
    lines plus, when ``amount`` is given, one more line being typed (``kind`` income or expense, ``category_id``
    its 費目): what the page shows before the line is added. Nothing is written.

    Raises ``GrantCase.DoesNotExist`` for a case ``actor`` may not see, ``ApplicationError`` for a line that
    cannot be computed (naming the field), and the engine's ``ValueError`` (e.g. ``YearLimitError``)."""
    flow = workflow_for_case(case_id)
    case = workflow.access(flow.machine, actor, case_id)
    lines: list[BudgetLine] = list(current_lines(case))
    if amount is not None:
        if isinstance(amount, bool) or not 1 <= amount <= 1_000_000_000:
            raise ApplicationError("金額: 1円以上の整数で入力してください。")
        kind = kind or LineKind.EXPENSE
        if kind not in LineKind.values:
            raise ApplicationError("区分: 収入か支出を選んでください。")
        category = ExpenseCategory.objects.filter(pk=category_id).first() if category_id else None
        lines.append(BudgetLine(case=case, kind=kind, amount=amount,
                                category=category if kind == LineKind.EXPENSE else None))
    return compute_amount(case, lines)


def excluded_reason(case: GrantCase, category_id: int | None) -> str | None:
    """Why 費目 ``category_id`` is excluded by the rule of ``case``'s programme-year (Japanese), or None when it
    is allowed, conditional or not given."""
    if not category_id:
        return None
    rule = ExpenseRule.objects.filter(programme_year=case.programme_year_id, category=category_id,
                                      treatment=Treatment.EXCLUDED).select_related("category").first()
    if rule is None:
        return None
    return f"「{rule.category.name}」は補助の対象外です（{rule.reason or '対象外の費目'}）。"


def plan_of(case: GrantCase) -> ProjectPlan:
    return ProjectPlan.objects.select_related("call__programme_year", "project").get(case=case)


# -- effects of the competitive workflow's edges ------------------------------------------------------------------

@workflow.effect("within_call_window")
def _within_window(act: Act[GrantCase]) -> None:
    """Submission closes at the end of the call's last day (local time)."""
    call = plan_of(act.obj).call
    if not call.is_open(timezone.localdate()):
        raise ApplicationError(_window_refusal(call, "提出できません"))


@workflow.guard("call_window_open")
def _window_open(case: GrantCase, user: Any) -> str | None:
    """The submit button is offered disabled, with the reason, outside the call's window."""
    call = plan_of(case).call
    return None if call.is_open(timezone.localdate()) else _window_refusal(call, "提出できません")


@workflow.effect("require_confirmed_group")
def _confirmed_group(act: Act[GrantCase]) -> None:
    refusal = registration_refusal(act.obj.organization)
    if refusal:
        raise ApplicationError(refusal)


@workflow.effect("require_project_plan")
def _require_plan(act: Act[GrantCase]) -> None:
    plan = plan_of(act.obj)
    missing = [label for name, label in PLAN_FIELDS.items() if not getattr(plan, name).strip()]
    if missing:
        raise ApplicationError("事業計画書の「" + "」「".join(missing) + "」を入力してから提出してください。")


@workflow.effect("fix_repeat_year")
def _fix_year(act: Act[GrantCase]) -> None:
    """何年目 is counted again at submission (an earlier year may have been selected since the draft began)."""
    plan = plan_of(act.obj)
    refusal = year_limit_refusal(plan.project, plan.call)
    if refusal:
        raise ApplicationError(refusal)
    act.obj.repeat_year = year_of_project(plan.project, plan.call.fiscal_year)


@workflow.effect("require_group_checks")
def _group_checks(act: Act[GrantCase]) -> None:
    """受付 (審査会に付す) needs the group to meet the call (the organisation's checks, or an approved override);
    a line of an excluded 費目 does not stop it: the line simply does not count, and the panel sees why."""
    failed = [r for r in checks.run_checks(act.obj) if "@" not in r.code and not r.ok]
    if failed:
        raise ApplicationError("団体の要件を満たしていません: " + " / ".join(r.reason for r in failed))


@workflow.guard("call_still_open")
def _still_open(case: GrantCase, user: Any) -> str | None:
    call = plan_of(case).call
    if not call.is_open():
        return "受付期間が終わったため、差し戻すと再提出できません。審査会に付して審査で判断してください。"
    return None
