"""Invitations to act for an organisation (団体の利用者への招待) and the terms of its members.

Staff invite anyone to any organisation; an organisation's current head invites its 会計 and 担当者 and, for the
yearly handover (代表者の交代), the next head with the handover day. A sitting head without a login (the heads on
file before the system, most of the 自治会) is invited by staff as head with no handover day: accepting gives their
current term the login, and nothing else changes. The link (``/invite/<token>/``) carries a
``secrets.token_urlsafe(32)`` token; only its SHA-256 is stored. Accepting it — once, before ``expires_at``, not
revoked, by someone not logged in as another user — creates the user with the login name and password they choose
(Django's password validators) and the term: from today, or for a head from the handover day, the outgoing head's
term ending the day before (so the former head loses access on the handover day, and the new head sees the whole
history: cases belong to the organisation). A logged-in applicant whose e-mail address is the invitation's (the head
of two associations) accepts it onto their own account.

Errors: ``InvitationError`` (a Japanese message; nothing is written), ``InvitationInputError`` (messages by field).
"""
import datetime as dt
import hashlib
import secrets
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from grants.accounts.models import Role, User
from grants.core import workflow
from grants.core.fiscal import wareki
from grants.core.models import record_event
from grants.core.workflow import SYSTEM, Act, ActionRefused, Edge, Machine

from .members import BY_HEAD
from .models import Invitation, InvitationStatus, MemberRole, Organization, Representative
from .services import OrganizationError, hand_over

# A handover day further ahead is refused as a slip of the keyboard (the next 総会 is within the year): a head term
# that far ahead could not be undone, and would block every change of head until then.
HANDOVER_MAX_DAYS = 366

TITLES = {MemberRole.HEAD: "代表者", MemberRole.TREASURER: "会計", MemberRole.CLERK: "担当者"}


class InvitationError(ActionRefused):
    """The invitation cannot be made, revoked or accepted; the message is in Japanese. Nothing was written."""


class InvitationInputError(InvitationError):
    """Input refused field by field: ``errors`` maps a field name to its messages."""

    def __init__(self, errors: Mapping[str, list[str]]) -> None:
        self.errors = dict(errors)
        super().__init__(" ".join(m for msgs in self.errors.values() for m in msgs))


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def visible_invitations(user: User) -> QuerySet[Invitation]:
    """Staff see every invitation; an applicant those of the organisations they act for today; others none."""
    if not user.is_authenticated:
        return Invitation.objects.none()
    if user.role == Role.STAFF:
        return Invitation.objects.all()
    if user.role == Role.ASSOCIATION_HEAD:
        return Invitation.objects.filter(
            organization_id__in=Representative.objects.current().filter(user=user).values("organization_id"))
    return Invitation.objects.none()


INVITATION: Machine[Invitation] = workflow.register(Machine(
    name="invitation", label="招待", model="organizations.Invitation", states=dict(InvitationStatus.choices),
    edges=(
        Edge("accept_invitation", "招待を受ける", frozenset({InvitationStatus.PENDING}), InvitationStatus.ACCEPTED,
             frozenset({SYSTEM}), stamps="accepted_at", page="",
             state_refusal="この招待のリンクはすでに使われています。",
             refusal_in={InvitationStatus.REVOKED: "この招待は取り消されています。招待した方にお問い合わせください。"}),
        Edge("revoke_invitation", "招待を取り消す", frozenset({InvitationStatus.PENDING}), InvitationStatus.REVOKED,
             frozenset({Role.STAFF, Role.ASSOCIATION_HEAD}), org_roles=BY_HEAD, records="revoked_by",
             stamps="revoked_at", page="form", tone="secondary",
             role_refusal="招待を取り消せるのは、担当職員と団体の代表者です。",
             state_refusal="受諾待ちの招待だけを取り消せます（{state}）。"),
    ),
    visible=visible_invitations, related=("organization",), error=InvitationError,
    subject=lambda invitation: invitation.organization,
    note=lambda invitation, text: f"{invitation.get_role_display()} {invitation.name}" + (f"：{text}" if text else ""),
))


def _is_head(user: User, organization: Organization, on: dt.date | None = None) -> bool:
    return Representative.objects.current(on).heads().filter(organization=organization, user=user).exists()


def _check_inviter(actor: User, org: Organization, role: str) -> None:
    if actor.role == Role.STAFF:
        return
    if actor.role != Role.ASSOCIATION_HEAD or not _is_head(actor, org):
        raise InvitationError("団体の利用者を招待できるのは、担当職員と団体の代表者です。")


def _check_fields(org: Organization, role: str, name: str, email: str, handover_on: dt.date | None,
                  today: dt.date) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if role not in MemberRole.values:
        errors["role"] = ["役割を選んでください。"]
    if not name or len(name) > 100:
        errors["name"] = ["氏名を100文字以内で入力してください。"]
    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = ["メールアドレスを正しく入力してください（例: yamada@example.jp）。"]
    if role == MemberRole.HEAD:
        current = org.current_representative(today)
        if current is not None and current.user_id is not None and handover_on is None:
            errors["handover_on"] = ["代表者の交代日を入力してください。"]
        elif handover_on is not None and handover_on < today:
            errors["handover_on"] = ["交代日は今日以降の日付にしてください。"]
        elif handover_on is not None and handover_on > today + dt.timedelta(days=HANDOVER_MAX_DAYS):
            errors["handover_on"] = [f"交代日は今日から{HANDOVER_MAX_DAYS}日以内の日付にしてください。"]
        elif current is not None and handover_on is not None and handover_on <= current.started_on:
            errors["handover_on"] = ["交代日は現在の代表者の就任日より後にしてください。"]
    elif handover_on is not None:
        errors["handover_on"] = ["交代日は代表者の招待にだけ入力します。"]
    if email and org.invitations.pending().filter(email__iexact=email).exists():
        errors.setdefault("email", []).append("このメールアドレスには、まだ受諾されていない招待があります。")
    if role == MemberRole.HEAD and org.invitations.pending().filter(role=MemberRole.HEAD).exists():
        errors.setdefault("role", []).append(
            "この団体には受諾待ちの代表者の招待があります。先にその招待を取り消してください。")
    return errors


def invite(
    *, organization_id: int, actor: User, role: str, name: str, email: str, handover_on: dt.date | None = None,
) -> tuple[Invitation, str]:
    """Invite ``name`` (``email``) to act for the organisation as ``role`` (``head``, ``treasurer``, ``clerk``).

    Staff invite for any organisation; the organisation's current head for it (a new head only with the handover
    day ``handover_on``, required when the organisation's head has a login; with none, the invitation without the
    day is the sitting head's own login). Returns the invitation and the raw token of its
    link, which is not stored: the caller shows it once and mails it. The link expires after
    settings.INVITATION_DAYS days. Raises ``InvitationError`` / ``InvitationInputError``."""
    name, email = (name or "").strip(), (email or "").strip()
    today = timezone.localdate()
    with transaction.atomic():
        org = Organization.objects.select_for_update().filter(pk=organization_id).first()
        if org is None or (actor.role != Role.STAFF
                           and not Representative.objects.current().filter(organization=org, user=actor).exists()):
            raise Organization.DoesNotExist("団体が見つかりません。")
        _check_inviter(actor, org, role)
        errors = _check_fields(org, role, name, email, handover_on, today)
        if errors:
            raise InvitationInputError(errors)
        sitting = org.current_representative(today) if role == MemberRole.HEAD and handover_on is None else None
        if sitting is not None and sitting.user_id is None:
            name = sitting.name  # the sitting head's own login: their name as on file, checked again at acceptance
        token = secrets.token_urlsafe(32)
        invitation = Invitation.objects.create(
            organization=org, role=role, name=name, email=email, token_hash=token_hash(token),
            expires_at=timezone.now() + dt.timedelta(days=settings.INVITATION_DAYS), invited_by=actor,
            handover_on=handover_on if role == MemberRole.HEAD else None,
        )
        handover = f"（交代日 {wareki(handover_on)}）" if handover_on else ""
        record_event(actor=actor, subject=org, action="invite",
                     note=f"{invitation.get_role_display()} {name}{handover}")
    return invitation, token


def revoke(*, invitation_id: int, actor: User, note: str = "") -> Invitation:
    """取消: the link no longer works. Staff, or the organisation's head."""
    return workflow.perform(INVITATION, invitation_id, "revoke_invitation", actor=actor, note=note)


def invitation_for(token: str) -> Invitation | None:
    """The invitation whose link carries ``token`` (any state), or None."""
    if not token or len(token) > 200:
        return None
    return Invitation.objects.select_related("organization", "invited_by").filter(
        token_hash=token_hash(token)).first()


def refusal_of(invitation: Invitation | None, user: Any = None) -> str | None:
    """Why the link cannot be accepted now (Japanese), or None: unknown, used, revoked, expired, or opened by another
    logged-in user (one whose e-mail address is not the invitation's, or not an applicant)."""
    if invitation is None:
        return "この招待のリンクは正しくありません。リンクを最後まで開いたかお確かめください。"
    if invitation.status == InvitationStatus.ACCEPTED:
        return "この招待のリンクはすでに使われています。"
    if invitation.status == InvitationStatus.REVOKED:
        return "この招待は取り消されています。招待した方にお問い合わせください。"
    if invitation.expires_at <= timezone.now():
        return "この招待のリンクは有効期限を過ぎています。招待した方に、もう一度招待してもらってください。"
    if user is not None and user.is_authenticated and not _may_take_onto(invitation, user):
        return "別の利用者でログインしています。ログアウトしてから、このリンクを開いてください。"
    return _stale(invitation)


def _plain(name: str) -> str:
    """A name without its spaces (half- and full-width), to compare the invited head with the sitting one."""
    return "".join(name.split())


def _stale(invitation: Invitation) -> str | None:
    """Why an invitation made earlier no longer holds (Japanese), or None: a head's invitation whose inviter is no
    longer the organisation's head (the head changed since: the next head decides who acts), or a sitting head's
    login whose head changed since it was made (the login would go to another person's term)."""
    today = timezone.localdate()
    inviter = invitation.invited_by
    if inviter.role != Role.STAFF and not _is_head(inviter, invitation.organization, today):
        return "招待した代表者が交代したため、この招待は使えません。現在の代表者か担当職員にお問い合わせください。"
    if invitation.role == MemberRole.HEAD and invitation.handover_on is None:
        sitting = Representative.objects.current(today).heads().filter(
            organization_id=invitation.organization_id).first()
        if sitting is not None and (sitting.started_on > timezone.localtime(invitation.invited_at).date()
                                    or _plain(sitting.name) != _plain(invitation.name)):
            return "この団体の代表者が招待の後に交代したため、この招待は使えません。担当職員にお問い合わせください。"
    return None


def _may_take_onto(invitation: Invitation, user: User) -> bool:
    return (user.role == Role.ASSOCIATION_HEAD and bool(user.email)
            and user.email.strip().lower() == invitation.email.strip().lower())


def _check_new_login(invitation: Invitation, username: str, password: str, password2: str) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    try:
        User.username_validator(username)
        if not username or len(username) > 150:
            raise ValidationError("")
    except ValidationError:
        errors["username"] = ["ログイン名は150文字以内の英数字と @ . + - _ で入力してください。"]
    else:
        if User.objects.filter(username__iexact=username).exists():
            errors["username"] = ["このログイン名はすでに使われています。別の名前にしてください。"]
    if password != password2:
        errors["password2"] = ["確認のため、同じパスワードを2回入力してください。"]
    try:
        validate_password(password, User(username=username, email=invitation.email, display_name=invitation.name))
    except ValidationError as exc:
        errors["password"] = list(exc.messages)
    return errors


def accept(
    *, token: str, username: str = "", password: str = "", password2: str = "", user: Any = None,
) -> User:
    """Accept the invitation of ``token``: a new user (login ``username``, ``password`` twice), or, when ``user`` is
    logged in with the invitation's e-mail address, that user's own account; then the term (see the module).
    The invitation row is locked: of two acceptances at once, one is made and the other refused as used.
    Raises ``InvitationError`` (the link) or ``InvitationInputError`` (the login name or password)."""
    invitation = invitation_for(token)
    reason = refusal_of(invitation, user)
    if reason or invitation is None:
        raise InvitationError(reason or "")
    onto = user if user is not None and user.is_authenticated else None
    if onto is None:
        errors = _check_new_login(invitation, (username or "").strip(), password or "", password2 or "")
        if errors:
            raise InvitationInputError(errors)
    made: dict[str, User] = {}

    def _accept(act: Act[Invitation]) -> None:
        if act.obj.expires_at <= timezone.now():  # expired while waiting for the lock
            raise InvitationError("この招待のリンクは有効期限を過ぎています。")
        stale = _stale(act.obj)  # the head may have changed while waiting for the lock
        if stale:
            raise InvitationError(stale)
        member = onto or _new_user(act.obj, (username or "").strip(), password)
        _start_term(act.obj, member)
        act.obj.accepted_by = member
        made["user"] = member

    workflow.perform(INVITATION, invitation.pk, "accept_invitation", actor=None, effect=_accept,
                     note=f"ログイン名 {(onto.username if onto else username).strip()}")
    return made["user"]


def _new_user(invitation: Invitation, username: str, password: str) -> User:
    if User.objects.filter(username__iexact=username).exists():  # taken while waiting for the lock
        raise InvitationInputError({"username": ["このログイン名はすでに使われています。別の名前にしてください。"]})
    user = User(username=username, email=invitation.email, display_name=invitation.name,
                role=Role.ASSOCIATION_HEAD)
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:  # the same name taken at the same moment by another acceptance
        raise InvitationInputError(
            {"username": ["このログイン名はすでに使われています。別の名前にしてください。"]}) from exc
    return user


def _start_term(invitation: Invitation, user: User) -> None:
    """The invitee's term: a head's from the handover day (or today) by ``hand_over``, the outgoing head's ending the
    day before; a 会計's or 担当者's from today. A term the user already holds in the organisation ends the day
    before the new one (a 会計 who becomes the head)."""
    org = Organization.objects.select_for_update().get(pk=invitation.organization_id)
    today = timezone.localdate()
    # A handover day already past when the link is used is not backdated: the outgoing head stayed in office (and
    # acted) until today, so the new term starts today.
    start = max(invitation.handover_on or today, today) if invitation.role == MemberRole.HEAD else today
    own = Representative.objects.filter(organization=org, user=user).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gte=start)).first()
    if own is not None:
        if own.role == invitation.role:
            raise InvitationError(f"すでにこの団体の{own.get_role_display()}として登録されています。")
        if own.started_on >= start:
            raise InvitationError("この団体での現在の役割を、就任日より前に終えることはできません。")
        own.ended_on = start - dt.timedelta(days=1)
        own.save(update_fields=["ended_on"])
    if invitation.role == MemberRole.HEAD and invitation.handover_on is None:
        sitting = Representative.objects.current(today).heads().filter(organization=org).first()
        if sitting is not None:
            # The sitting head's own login (staff invited them with no handover day): their term gets the user.
            if sitting.user_id is not None:
                raise InvitationError("この団体の代表者には、すでにログインがあります。")
            sitting.user = user
            sitting.save(update_fields=["user"])
            record_event(actor=invitation.invited_by, subject=org, action="head_login",
                         note=f"代表者 {sitting.name} のログイン {user.username}")
            return
    if invitation.role == MemberRole.HEAD:
        try:
            hand_over(org=org, actor=invitation.invited_by, name=invitation.name, started_on=start, user=user,
                      title=_head_title(org, start))
        except OrganizationError as exc:
            raise InvitationError(str(exc)) from exc
        return
    Representative.objects.create(organization=org, user=user, name=invitation.name, role=invitation.role,
                                  title=TITLES[MemberRole(invitation.role)], started_on=start)


def _head_title(org: Organization, start: dt.date) -> str:
    current = org.representatives.heads().filter(ended_on__isnull=True).first()
    return current.title if current and current.title else "代表者"


def end_term(*, term_id: int, actor: User) -> None:
    """End a 会計's or 担当者's term (退任): from today they no longer act for the organisation. Staff, or the
    organisation's head. A head's term ends only with the handover (代表者の交代). The term's last day is yesterday;
    a term that began today or has not begun is removed (it gave no day in office). Recorded on the organisation."""
    with transaction.atomic():
        term = Representative.objects.select_for_update().select_related("organization").filter(pk=term_id).first()
        visible = term is not None and (actor.role == Role.STAFF or (
            actor.role == Role.ASSOCIATION_HEAD
            and Representative.objects.current().filter(organization=term.organization, user=actor).exists()))
        if term is None or not visible:
            raise Representative.DoesNotExist("利用者が見つかりません。")
        if actor.role != Role.STAFF and not _is_head(actor, term.organization):
            raise InvitationError("利用者の任期を終えられるのは、担当職員と団体の代表者です。")
        if term.role == MemberRole.HEAD:
            raise InvitationError("代表者の任期は、代表者の交代で終わります"
                                  "（「代表者の交代」から新しい代表者を招待してください）。")
        today = timezone.localdate()
        if term.ended_on is not None and term.ended_on < today:
            raise InvitationError("この利用者の任期はすでに終わっています。")
        note = f"{term.get_role_display()} {term.name}"
        if term.started_on >= today:
            term.delete()
            note += "（就任前・就任当日の取消）"
        else:
            term.ended_on = today - dt.timedelta(days=1)
            term.save(update_fields=["ended_on"])
        record_event(actor=actor, subject=term.organization, action="end_term", note=note)
