"""地域づくり計画: drafting, items, attachments, submission, approval and revision (GRANTS.md §1, §5).

A council (its secretary, role ``association_head`` and a current representative of the council) or city staff
drafts a version; the council submits it; a staff member other than its drafter, its submitter and anyone who
wrote its content approves it. Approving a revision supersedes the earlier approved version, which stays on
record with its items.

Errors: ``PlanError`` (Japanese, names the field); ``CommunityPlan.DoesNotExist`` for a plan the user may not
see (answer 404).
"""
import os

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import ProtectedError, QuerySet

from grants.accounts.models import Role, User
from grants.cases.returns import Returned, pending_returns
from grants.core import workflow
from grants.core.models import AuditEvent, record_event
from grants.core.uploads import DOCUMENTS, MAX_UPLOAD_BYTES, UploadError, check_upload
from grants.core.workflow import SYSTEM, Act, Edge, Machine
from grants.organizations.members import BY_ANY_MEMBER, BY_HEAD
from grants.organizations.models import (
    PARENT_LEVEL,
    CommunityPlan,
    ItemLevel,
    Organization,
    OrganizationKind,
    PlanAttachment,
    PlanItem,
    PlanStatus,
    Representative,
)

MAX_TERM_YEARS = 10
MAX_ATTACHMENT_BYTES = MAX_UPLOAD_BYTES


class PlanError(workflow.ActionRefused):
    """The plan act is not allowed; the message is for the user, in Japanese."""


def visible_plans(user: User) -> QuerySet[CommunityPlan]:
    """Plans ``user`` may see: all for city users, the councils they represent today for a council secretary."""
    if not user.is_authenticated:
        return CommunityPlan.objects.none()
    if user.is_city_user:
        return CommunityPlan.objects.all()
    return CommunityPlan.objects.filter(
        organization_id__in=Representative.objects.current().filter(user=user).values("organization_id")
    )


def _s(*states: str) -> frozenset[str]:
    return frozenset(states)


EDITING = "この協議会の計画を作成・変更する権限がありません。"

COMMUNITY_PLAN: Machine[CommunityPlan] = workflow.register(Machine(
    name="community_plan", label="地域づくり計画", model="organizations.CommunityPlan",
    states=dict(PlanStatus.choices),
    edges=(
        Edge("submit_plan", "この計画を提出する", _s(PlanStatus.DRAFT), PlanStatus.SUBMITTED,
             frozenset({Role.ASSOCIATION_HEAD, Role.STAFF}), org_roles=BY_HEAD, records="submitted_by",
             stamps="submitted_at",
             effects=("require_plan_actions",), page="form", role_refusal=EDITING,
             state_refusal="作成中の計画だけを変更できます。"),
        Edge("return_plan", "差し戻す", _s(PlanStatus.SUBMITTED), PlanStatus.DRAFT, frozenset({Role.STAFF}),
             note_required=True, effects=("clear_plan_submission",), page="form", tone="secondary",
             role_refusal="計画の差戻しは担当職員のみが行えます。", state_refusal="提出済の計画だけを差し戻せます。",
             note_refusal="差戻しの理由を入力してください。"),
        Edge("approve_plan", "承認する", _s(PlanStatus.SUBMITTED), PlanStatus.APPROVED, frozenset({Role.STAFF}),
             ("submitted_by", "created_by"), records="approved_by", stamps="approved_at",
             guards=("plan_not_written_by_approver",), effects=("supersede_older_plans",),
             then=("validate_plan",), page="form", role_refusal="計画の承認は担当職員のみが行えます。",
             state_refusal="提出済の計画だけを承認できます。"),
        Edge("supersede_plan", "改定による終了", _s(PlanStatus.APPROVED), PlanStatus.SUPERSEDED, frozenset({SYSTEM}),
             page=""),
    ),
    visible=lambda user: visible_plans(user), related=("organization",), error=PlanError,
    # The drafter of a version (its ``created_by``: the one who started it or its revision) never approves it,
    # even when a council head submitted it on their behalf.
    separation={"submitted_by": "計画を提出した方は、同じ計画を承認できません。",
                "created_by": "計画（改定版を含む）を作成した方は、同じ計画を承認できません。"},
    activities=(
        workflow.Activity("edit_plan", _s(PlanStatus.DRAFT), frozenset({Role.ASSOCIATION_HEAD, Role.STAFF}),
                          "作成中の計画だけを変更できます。", org_roles=BY_ANY_MEMBER),
        workflow.Activity("attach_to_plan", _s(PlanStatus.DRAFT, PlanStatus.SUBMITTED),
                          frozenset({Role.ASSOCIATION_HEAD, Role.STAFF}),
                          "承認済みの計画には資料を追加できません。改定版を作成してください。",
                          org_roles=BY_ANY_MEMBER),
        workflow.Activity("revise_plan", _s(PlanStatus.APPROVED), frozenset({Role.ASSOCIATION_HEAD, Role.STAFF}),
                          "承認済みの計画から改定版を作成してください。", org_roles=BY_ANY_MEMBER),
    ),
))


#: The audit actions that change a version's content (its items, its files; a correction in the admin site):
#: whoever took one on a version never approves it — a staff member may write a council's draft, or rewrite it
#: after returning it, but then another staff member approves it.
CONTENT_ACTIONS = ("add_plan_item", "delete_plan_item", "add_plan_attachment", "admin_change")
WROTE_CONTENT = "この計画の内容を作成・変更した方は、同じ計画を承認できません。"


@workflow.guard("plan_not_written_by_approver")
def _not_written_by(plan: CommunityPlan, user: User | None) -> str | None:
    """Separation of duties computed from the audit trail (the ``created_by``/``submitted_by`` fields name only
    the drafter and the submitter): ``WROTE_CONTENT`` when ``user`` added or deleted an item of this version,
    attached a file to it or corrected it in the admin site (``CONTENT_ACTIONS``), else None."""
    if user is None:
        return None
    edits = AuditEvent.objects.for_object(plan).filter(actor_id=user.pk, action__in=CONTENT_ACTIONS)
    return WROTE_CONTENT if edits.exists() else None


@workflow.effect("require_plan_actions")
def _require_actions(act: Act[CommunityPlan]) -> None:
    if not act.obj.items.filter(level=ItemLevel.ACTION).exists():
        raise PlanError("取組を1つ以上入力してから提出してください。")


@workflow.effect("clear_plan_submission")
def _clear_submission(act: Act[CommunityPlan]) -> None:
    act.obj.submitted_by, act.obj.submitted_at = None, None


@workflow.effect("supersede_older_plans")
def _supersede(act: Act[CommunityPlan]) -> None:
    """Approving a version ends the council's earlier approved version whose term overlaps (改定により終了); it
    stays on record with its items."""
    plan = act.obj
    older = CommunityPlan.objects.filter(
        organization=plan.organization, status=PlanStatus.APPROVED,
        first_fiscal_year__lte=plan.last_fiscal_year, last_fiscal_year__gte=plan.first_fiscal_year,
    ).exclude(pk=plan.pk)
    for old in older.order_by("pk"):
        workflow.perform(COMMUNITY_PLAN, old.pk, "supersede_plan", actor=act.actor, part_of=act,
                         note=f"第{plan.version}版の承認による")


@workflow.effect("validate_plan")
def _validate(act: Act[CommunityPlan]) -> None:
    try:
        act.obj.full_clean(exclude=["organization", "created_by", "submitted_by", "approved_by", "revises", "status"])
    except ValidationError as exc:
        raise PlanError(" ".join(exc.messages)) from exc


def _may_edit_org(user: User, organization: Organization) -> None:
    if user.role == Role.STAFF:
        return
    if user.role == Role.ASSOCIATION_HEAD and Representative.objects.current().filter(
            user=user, organization=organization).exists():
        return
    raise PlanError("この協議会の計画を作成・変更する権限がありません。")


def _locked(user: User, plan_id: int) -> CommunityPlan:
    return workflow.access(COMMUNITY_PLAN, user, plan_id, lock=True)


def _editable(user: User, plan_id: int) -> CommunityPlan:
    plan = _locked(user, plan_id)
    _may_edit_org(user, plan.organization)
    workflow.require(COMMUNITY_PLAN, plan, user, "edit_plan")
    return plan


def create_plan(*, actor: User, organization: Organization, term_label: str, title: str, first_fiscal_year: int,
                last_fiscal_year: int, vision: str = "") -> CommunityPlan:
    """A new plan in draft: the council's first, or the plan of a new term (第N期) — its version number follows
    the council's last. Raises ``PlanError`` for a non-council, a bad term, or a term that overlaps a plan of the
    council still in draft, submitted or approved (a revision of the same term uses ``start_revision``)."""
    if organization.kind != OrganizationKind.KYOGIKAI:
        raise PlanError("地域づくり計画は地域づくり協議会のみが作成できます。")
    _check_term(term_label, title, first_fiscal_year, last_fiscal_year)
    with transaction.atomic():
        _may_edit_org(actor, organization)
        Organization.objects.select_for_update().get(pk=organization.pk)
        plans = CommunityPlan.objects.filter(organization=organization)
        overlapping = plans.filter(status__in=[PlanStatus.DRAFT, PlanStatus.SUBMITTED, PlanStatus.APPROVED],
                                   first_fiscal_year__lte=last_fiscal_year, last_fiscal_year__gte=first_fiscal_year)
        if overlapping.exists():
            raise PlanError("この計画期間と重なる計画がすでにあります。"
                            "同じ期の見直しは「改定版を作成」から行ってください。")
        version = max(plans.values_list("version", flat=True), default=0) + 1
        plan = CommunityPlan.objects.create(
            organization=organization, version=version, term_label=term_label.strip(), title=title.strip(),
            first_fiscal_year=first_fiscal_year, last_fiscal_year=last_fiscal_year, vision=vision.strip(),
            created_by=actor,
        )
        record_event(actor=actor, subject=plan, action="create_plan", note=str(plan))
    return plan


def _check_term(term_label: str, title: str, first: int, last: int) -> None:
    if not (term_label or "").strip() or len(term_label) > 40:
        raise PlanError("期: 40文字以内で入力してください（例: 第3期）。")
    if not (title or "").strip() or len(title) > 200:
        raise PlanError("計画の名称: 200文字以内で入力してください。")
    for value in (first, last):
        if isinstance(value, bool) or not isinstance(value, int) or not 2000 <= value <= 2100:
            raise PlanError("計画期間: 年度を西暦4桁で入力してください。")
    if first > last or last - first + 1 > MAX_TERM_YEARS:
        raise PlanError(f"計画期間: 初年度から最終年度まで、{MAX_TERM_YEARS}年度以内で入力してください。")


def add_item(*, actor: User, plan_id: int, level: str, code: str, title: str, description: str = "",
             parent_id: int | None = None) -> PlanItem:
    """Add a 分野, 施策 (under a 分野) or 取組 (under a 施策) to a draft plan."""
    if level not in ItemLevel.values:
        raise PlanError("階層: 分野・施策・取組から選んでください。")
    code, title = (code or "").strip(), (title or "").strip()
    if not code or len(code) > 20:
        raise PlanError("番号: 20文字以内で入力してください（例: 1-2-3）。")
    if not title or len(title) > 200:
        raise PlanError("名称: 200文字以内で入力してください。")
    with transaction.atomic():
        plan = _editable(actor, plan_id)
        parent = None
        expected = PARENT_LEVEL[ItemLevel(level)]
        if expected is not None:
            parent = plan.items.filter(pk=parent_id, level=expected).first() if parent_id else None
            if parent is None:
                raise PlanError(f"上位の項目: この計画の{ItemLevel(expected).label}を選んでください。")
        elif parent_id:
            raise PlanError("上位の項目: 分野には上位の項目はありません。")
        if plan.items.filter(code=code).exists():
            raise PlanError(f"番号: 「{code}」はこの計画ですでに使われています。")
        item = PlanItem.objects.create(plan=plan, parent=parent, level=level, code=code, title=title,
                                       description=(description or "").strip())
        record_event(actor=actor, subject=plan, action="add_plan_item", note=f"{item.get_level_display()} {item}")
    return item


def delete_item(*, actor: User, plan_id: int, item_id: int) -> None:
    """Remove an item (and the items under it) from a draft plan; refused while a budget or report line points
    at one of them."""
    with transaction.atomic():
        plan = _editable(actor, plan_id)
        item = plan.items.filter(pk=item_id).first()
        if item is None:
            raise PlanError("項目が見つかりません。")
        note = f"{item.get_level_display()} {item}"
        try:
            with transaction.atomic():
                item.delete()
        except ProtectedError as exc:
            raise PlanError(f"「{item}」（またはその下の項目）は収支の明細で選ばれているため削除できません。"
                            "明細の取組を選び直してから削除してください。") from exc
        record_event(actor=actor, subject=plan, action="delete_plan_item", note=note)


def add_attachment(*, actor: User, plan_id: int, title: str, upload: UploadedFile) -> PlanAttachment:
    """Attach a file (PDF, Word, Excel or an image, at most 10 MB, its first bytes matching its extension) to a
    draft or submitted plan."""

    title = (title or "").strip()
    if not title or len(title) > 200:
        raise PlanError("資料名: 200文字以内で入力してください。")
    try:
        check_upload(upload, DOCUMENTS, MAX_ATTACHMENT_BYTES)
    except UploadError as error:
        raise PlanError(str(error)) from error
    with transaction.atomic():
        plan = _locked(actor, plan_id)
        _may_edit_org(actor, plan.organization)
        workflow.require(COMMUNITY_PLAN, plan, actor, "attach_to_plan")
        attachment = PlanAttachment(plan=plan, title=title, uploaded_by=actor)
        attachment.file.save(os.path.basename(upload.name or ""), upload, save=False)  # named: check_upload
        attachment.save()
        record_event(actor=actor, subject=plan, action="add_plan_attachment", note=title)
    return attachment


def submit_plan(*, actor: User, plan_id: int) -> CommunityPlan:
    """提出: a draft with at least one 取組 goes to staff for approval (the council's secretary, for their own
    council, or staff)."""
    return workflow.perform(COMMUNITY_PLAN, plan_id, "submit_plan", actor=actor)


def return_plan(*, actor: User, plan_id: int, note: str) -> CommunityPlan:
    """差戻し of a submitted plan to draft, with the reason (staff)."""
    if actor.role != Role.STAFF:
        raise PlanError("計画の差戻しは担当職員のみが行えます。")
    if not (note or "").strip():
        raise PlanError("差戻しの理由を入力してください。")
    return workflow.perform(COMMUNITY_PLAN, plan_id, "return_plan", actor=actor, note=note)


def approve_plan(*, actor: User, plan_id: int, note: str = "") -> CommunityPlan:
    """承認 by a staff member other than the one who drafted, submitted or wrote the content of this version
    (added or deleted an item, attached a file). The council's earlier approved version whose term overlaps is
    superseded (it stays on record)."""
    if actor.role != Role.STAFF:
        raise PlanError("計画の承認は担当職員のみが行えます。")
    return workflow.perform(COMMUNITY_PLAN, plan_id, "approve_plan", actor=actor, note=note)


def start_revision(*, actor: User, plan_id: int, reason: str) -> CommunityPlan:
    """改定: a new draft version copying the approved plan's term and items (new rows: the old version keeps
    its own), with the reason for revising."""
    if not (reason or "").strip():
        raise PlanError("改定の理由を入力してください。")
    with transaction.atomic():
        base = _locked(actor, plan_id)
        _may_edit_org(actor, base.organization)
        workflow.require(COMMUNITY_PLAN, base, actor, "revise_plan")
        org_plans = CommunityPlan.objects.select_for_update().filter(organization=base.organization)
        if org_plans.filter(status__in=[PlanStatus.DRAFT, PlanStatus.SUBMITTED]).exists():
            raise PlanError("作成中または提出済の改定版がすでにあります。")
        version = max(p.version for p in org_plans) + 1
        plan = CommunityPlan.objects.create(
            organization=base.organization, version=version, term_label=base.term_label, title=base.title,
            first_fiscal_year=base.first_fiscal_year, last_fiscal_year=base.last_fiscal_year, vision=base.vision,
            revision_reason=reason.strip(), revises=base, created_by=actor,
        )
        copies: dict[int, PlanItem] = {}
        for level in (ItemLevel.FIELD, ItemLevel.MEASURE, ItemLevel.ACTION):
            for item in base.items.filter(level=level).order_by("code"):
                parent = copies.get(item.parent_id) if item.parent_id is not None else None
                copies[item.pk] = PlanItem.objects.create(
                    plan=plan, parent=parent, level=level, code=item.code, title=item.title,
                    description=item.description,
                )
        record_event(actor=actor, subject=plan, action="start_plan_revision", note=reason.strip())
    return plan


#: The plan's return, with the edge that sends it again (``grants.cases.returns``).
PLAN_RETURNS = {"return_plan": ("submit_plan", "計画")}


def pending_return(plan: CommunityPlan) -> Returned | None:
    """The plan's return (差戻し) that stands — its day and reason — while it waits to be submitted again."""
    return pending_returns([plan], PLAN_RETURNS, CommunityPlan).get(plan.pk)
