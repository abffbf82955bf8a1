"""The panel (審査会): staff assign 審査委員 to a call; each member declares, per application, whether they have a
conflict of interest (利害関係), and scores the applications they may see on each criterion, with comments.
A member tied to the group (its representative, now or before) or who declared a conflict cannot open that
application or its scores: it is "not found" (404), like anything the user may not see.

The ranking orders applications by their weighted score: Σ over members and criteria of weight × score,
divided by the number of members who scored (the mean of the members' weighted totals, kept as an exact
fraction); ties share a rank.

Errors: ``PanelError`` (Japanese, names the field); ``GrantCase.DoesNotExist`` / ``Call.DoesNotExist`` for what
the member may not see.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction

from django.db import IntegrityError, transaction
from django.db.models import QuerySet

from grants.accounts.models import Role, User
from grants.cases.models import GrantCase
from grants.core import workflow
from grants.core.models import record_event
from grants.organizations.models import Representative

from .models import Call, ConflictDeclaration, Criterion, PanelMember, ProjectPlan, Score, Selection, SelectionStatus
from .workflows import SCREENING


class PanelError(workflow.ActionRefused):
    """A panel act is refused or its input is wrong; the message is for the user, in Japanese."""


def seat(user: User, call: Call | int) -> PanelMember | None:
    """``user``'s seat on the panel of ``call``, or None."""
    if not user.is_authenticated or user.role != Role.PANEL:
        return None
    return PanelMember.objects.filter(user=user, call=call).first()


def tied_organizations(user: User) -> QuerySet[Representative]:
    """The organisations ``user`` represents or represented (a tie that bars them from scoring)."""
    return Representative.objects.filter(user=user)


def assigned_calls(user: User) -> QuerySet[Call]:
    """The calls member ``user`` sits on the panel of, newest first; none for anyone but a 審査委員."""
    if not user.is_authenticated or user.role != Role.PANEL:
        return Call.objects.none()
    return Call.objects.filter(panel__user=user).select_related("programme_year__programme").distinct()


def panel_applications(user: User, call: Call | int) -> QuerySet[ProjectPlan]:
    """The applications of ``call`` that member ``user`` may open: those in screening (審査中: accepted by staff,
    not yet selected or not), not of a group they are tied to, not declared conflicted. None for anyone
    without a seat."""
    member = seat(user, call)
    if member is None:
        return ProjectPlan.objects.none()
    return (ProjectPlan.objects.filter(call=call, case__status=SCREENING)
            .exclude(organization_id__in=tied_organizations(user).values("organization_id"))
            .exclude(case_id__in=ConflictDeclaration.objects.filter(member=member, conflicted=True).values("case_id"))
            .select_related("case", "organization", "project"))


def open_application(user: User, case_id: int) -> tuple[PanelMember, ProjectPlan]:
    """The seat and the application ``case_id`` that member ``user`` may open; ``GrantCase.DoesNotExist``
    otherwise (not assigned, tied, conflicted, not yet accepted, or missing alike)."""
    plan = ProjectPlan.objects.filter(case_id=case_id).select_related("call").first()
    member = seat(user, plan.call) if plan is not None else None
    if plan is None or member is None or not panel_applications(user, plan.call).filter(case_id=case_id).exists():
        raise GrantCase.DoesNotExist("申請が見つかりません。")
    return member, plan


# What else an assignment does, in its transaction (the notifications app writes the member's message): registered
# at start-up by the layers above (``on_assign``), which this one does not import.
_ON_ASSIGN: list[Callable[[PanelMember, User], None]] = []


def on_assign(listener: Callable[[PanelMember, User], None]) -> None:
    """Call ``listener(member, actor)`` after each new assignment, inside its transaction."""
    if listener not in _ON_ASSIGN:
        _ON_ASSIGN.append(listener)


def assign(*, call_id: int, member_id: int, actor: User) -> PanelMember:
    """Assign user ``member_id`` (role 審査委員) to the panel of ``call_id``; a second assignment returns the
    first."""
    if actor.role != Role.STAFF:
        raise PanelError("審査委員の委嘱は担当職員のみが行えます。")
    with transaction.atomic():
        call = Call.objects.select_for_update().get(pk=call_id)
        user = User.objects.filter(pk=member_id, role=Role.PANEL, is_active=True).first()
        if user is None:
            raise PanelError("審査委員: 審査委員として登録された利用者を選んでください。")
        member, created = PanelMember.objects.get_or_create(call=call, user=user, defaults={"assigned_by": actor})
        if created:
            record_event(actor=actor, subject=call, action="assign_panel_member", note=f"{user}を審査委員に委嘱")
            for listener in _ON_ASSIGN:
                listener(member, actor)
    return member


def declare(*, case_id: int, actor: User, conflicted: bool, reason: str = "") -> ConflictDeclaration:
    """Record member ``actor``'s declaration on application ``case_id`` (once: a declaration is not changed;
    a conflicted member then no longer sees the application). A reason is required with a conflict."""
    reason = (reason or "").strip()
    if conflicted and not reason:
        raise PanelError("利害関係の内容: 利害関係があるときは、その内容を入力してください。")
    if len(reason) > 300:
        raise PanelError("利害関係の内容: 300文字以内で入力してください。")
    with transaction.atomic():
        member, plan = open_application(actor, case_id)
        try:
            with transaction.atomic():
                declaration = ConflictDeclaration.objects.create(member=member, case_id=case_id,
                                                                 conflicted=conflicted, reason=reason)
        except IntegrityError:
            return ConflictDeclaration.objects.get(member=member, case_id=case_id)
        # On the member's seat, not the case: the group reads its case's history, and who sits on the panel and
        # what they declared is the city's record (staff and the auditor read it on the ranking).
        record_event(actor=actor, subject=member, action="declare_conflict",
                     note=f"{plan.case.reference} {plan.organization}："
                          + (f"利害関係あり（{reason}）" if conflicted else "利害関係なし"))
    return declaration


def declaration_of(member: PanelMember, case_id: int) -> ConflictDeclaration | None:
    return ConflictDeclaration.objects.filter(member=member, case_id=case_id).first()


def save_scores(*, case_id: int, actor: User, scores: dict[int, int], comments: dict[int, str]) -> list[Score]:
    """Record member ``actor``'s scores of application ``case_id``: ``scores`` maps criterion id → points
    (0 … the criterion's 満点), ``comments`` criterion id → 講評 (at most 2,000 characters). Only while the
    application is in screening, after a declaration of no conflict; every criterion of the call at once.
    Saving again replaces the member's earlier scores (one score per member, application and criterion).

    Refused (``PanelError``) once the call's selection has gone to the approver: the ranking it was prepared
    from stands. Raises ``PanelError`` naming the criterion when a score is missing or out of range (nothing is
    written);
    ``GrantCase.DoesNotExist`` when the member may not open the application (not assigned, tied, conflicted)."""
    with transaction.atomic():
        member, plan = open_application(actor, case_id)
        # The case row is the lock: two members' saves land one after the other, a double click replaces.
        case = GrantCase.objects.select_for_update().get(pk=case_id)
        if case.status != SCREENING:
            raise PanelError("審査中の申請だけを採点できます。")
        if declaration_of(member, case_id) is None:
            raise PanelError("採点の前に、この申請との利害関係の有無を申告してください。")
        # The approver decides the ranking staff proposed: once it has gone to them, the scores stand.
        if Selection.objects.filter(call=plan.call).exclude(status=SelectionStatus.DRAFT).exists():
            raise PanelError("この募集の採択案は決裁に回っているため、採点は変更できません。担当職員にご連絡ください。")
        criteria = list(Criterion.objects.filter(call=plan.call))
        checked = [(criterion, *_checked(criterion, scores, comments)) for criterion in criteria]
        saved = [Score.objects.update_or_create(member=member, case=case, criterion=criterion,
                                                defaults={"score": value, "comment": comment})[0]
                 for criterion, value, comment in checked]
        record_event(actor=actor, subject=member, action="score_application",
                     note=f"{case.reference}：採点（" + "、".join(f"{c.name} {v}点" for c, v, _ in checked) + "）")
    return saved


def _checked(criterion: Criterion, scores: dict[int, int], comments: dict[int, str]) -> tuple[int, str]:
    """The score and comment given for ``criterion``, or ``PanelError`` naming it."""
    value = scores.get(criterion.pk)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= criterion.max_score:
        raise PanelError(f"{criterion.name}: 0〜{criterion.max_score}点の整数で入力してください。")
    comment = (comments.get(criterion.pk) or "").strip()
    if len(comment) > 2000:
        raise PanelError(f"{criterion.name}の講評: 2,000文字以内で入力してください。")
    return value, comment


def member_scores(member: PanelMember, case_id: int) -> dict[int, Score]:
    """Member ``member``'s scores of application ``case_id``, by criterion id (empty before scoring)."""
    return {s.criterion_id: s for s in Score.objects.filter(member=member, case_id=case_id)}


@dataclass(frozen=True)
class Ranked:
    """One application in the ranking: its weighted score (the mean over the members who scored of
    Σ weight × score, exact), the number of members who scored, its rank (ties share one) and whether another
    application shares that rank (同点)."""

    plan: ProjectPlan
    score: Fraction
    scorers: int
    rank: int
    tied: bool = False

    @property
    def score_display(self) -> str:
        """The weighted score to two decimals (e.g. 「20.50」)."""
        return f"{float(self.score):.2f}"


def ranking(call: Call) -> list[Ranked]:
    """The applications of ``call`` in screening or later, best first, with ties sharing a rank (1, 2, 2, 4)
    and marked ``tied``. An application no member scored has the score 0 and 0 scorers."""
    plans = list(ProjectPlan.objects.filter(call=call).exclude(case__status__in=("draft", "submitted"))
                 .select_related("case__programme_year__programme", "organization", "project"))
    totals: dict[int, dict[int, int]] = {}
    for row in Score.objects.filter(case__in=[p.case_id for p in plans]).select_related("criterion"):
        per_member = totals.setdefault(row.case_id, {})
        per_member[row.member_id] = per_member.get(row.member_id, 0) + row.criterion.weight * row.score
    scored = []
    for plan in plans:
        members = totals.get(plan.case_id, {})
        mean = Fraction(sum(members.values()), len(members)) if members else Fraction(0)
        scored.append((plan, mean, len(members)))
    scored.sort(key=lambda item: (-item[1], item[0].case_id))
    counts = Counter(mean for _, mean, _ in scored)
    result, rank = [], 0
    for index, (plan, mean, count) in enumerate(scored):
        if index == 0 or mean != scored[index - 1][1]:
            rank = index + 1
        result.append(Ranked(plan, mean, count, rank, tied=counts[mean] > 1))
    return result


def max_weighted_score(call: Call) -> int:
    """The best weighted score one member can give (Σ weight × 満点)."""
    return sum(c.weight * c.max_score for c in Criterion.objects.filter(call=call))


@dataclass(frozen=True)
class MemberSheet:
    """One member's scores of one application, for staff: the scores and comments by criterion (in the
    call's order; None where not scored) and the member's weighted total."""

    member: PanelMember
    scores: list[Score | None]
    total: int


def score_sheets(call: Call) -> dict[int, list[MemberSheet]]:
    """For staff (``Call`` already visible to them): each application's sheets, by case id, one per member who
    scored it. Comments are for the city only: never shown to a group."""
    criteria = list(Criterion.objects.filter(call=call))
    by_case: dict[int, dict[int, dict[int, Score]]] = {}
    members = {m.pk: m for m in PanelMember.objects.filter(call=call).select_related("user")}
    for row in Score.objects.filter(member__call=call).select_related("criterion"):
        by_case.setdefault(row.case_id, {}).setdefault(row.member_id, {})[row.criterion_id] = row
    return {case_id: [MemberSheet(members[m], [rows.get(c.pk) for c in criteria],
                                  sum(c.weight * rows[c.pk].score for c in criteria if c.pk in rows))
                      for m, rows in sorted(per_member.items())]
            for case_id, per_member in by_case.items()}


def declarations(call: Call) -> QuerySet[ConflictDeclaration]:
    """The members' declarations on the applications of ``call`` (for staff and the auditor)."""
    return (ConflictDeclaration.objects.filter(member__call=call)
            .select_related("member__user", "case__organization").order_by("case_id", "member_id"))
