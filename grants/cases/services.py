"""Use cases that change a grant case. Each opens a transaction, locks the case row, checks the user's
permission and the flow's edge, applies the django-fsm transition, and writes an audit row, all at once.

Errors: ``GrantCase.DoesNotExist`` when the case is missing or not the user's (answer 404);
``CaseActionError`` with a Japanese message when the act is not allowed now or by this user.
"""
import datetime as dt
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone
from django_fsm import can_proceed

from grants.accounts.models import User
from grants.core.fiscal import wareki
from grants.core.models import record_event
from grants.ledger.models import EntryKind, LedgerEntry
from grants.ledger.services import LedgerError, post_entry
from grants.organizations.models import MAX_HOUSEHOLDS, CountSource, HouseholdCount
from grants.programmes.engine import compute, load_rule

from .eligibility import CHECK_LABELS, run_checks
from .flow import FLOW
from .models import EligibilityOverride, GrantCase, Status
from .permissions import access_case, may_correct_count, refusal


class CaseActionError(Exception):
    """The act is not allowed now or by this user; the message is for the user, in Japanese."""


def _transition(
    *,
    case_id: int,
    action: str,
    actor: User,
    note: str = "",
    effect: Callable[[GrantCase], None] | None = None,
    after: Callable[[GrantCase], None] | None = None,
) -> GrantCase:
    edge = FLOW[action]
    with transaction.atomic():
        case = access_case(actor, case_id, for_update=True)
        reason = refusal(edge, case, actor)
        if reason:
            raise CaseActionError(reason)
        if not can_proceed(getattr(case, action)):
            raise CaseActionError(f"この案件は「{case.get_status_display()}」のため、この操作はできません。")
        if edge.note_required and not note.strip():
            raise CaseActionError("理由を入力してください。")
        from_state = case.status
        if effect:
            effect(case)
        getattr(case, action)()
        if edge.records:
            setattr(case, edge.records, actor)
        case.save()
        record_event(actor=actor, subject=case, action=action, from_state=from_state, to_state=case.status, note=note)
        if after:
            after(case)
    return case


def _notice(kind: str, actor: User) -> Callable[[GrantCase], None]:
    """Issue the notice of an act in the act's own transaction (its number is rolled back with it)."""
    from grants.notices.services import NoticeError, issue_notice

    def issue(case: GrantCase) -> None:
        try:
            issue_notice(case=case, kind=kind, actor=actor)
        except NoticeError as exc:
            raise CaseActionError(str(exc)) from exc

    return issue


def _is_full(case_id: int) -> bool:
    return GrantCase.objects.filter(pk=case_id, programme_year__programme__lifecycle="full").exists()


def submit_application(*, case_id: int, actor: User, note: str = "") -> GrantCase:
    """Submit the 申請書兼請求書 (application and claim in one), within the programme-year's application
    window (申請受付期間, inclusive). Needs the count on the base date. Full-lifecycle cases are submitted by
    ``grants.councils.lifecycle.submit``."""
    if _is_full(case_id):
        from grants.councils.lifecycle import submit

        return submit(case_id=case_id, actor=actor, note=note)

    def effect(case: GrantCase) -> None:
        if case.household_count is None or case.computed_amount is None:
            raise CaseActionError("基準日の世帯数を入力してから提出してください。")
        rule, today = case.programme_year, timezone.localdate()
        if not rule.application_opens <= today <= rule.application_closes:
            raise CaseActionError(
                f"申請受付期間（{wareki(rule.application_opens)}〜{wareki(rule.application_closes)}）外のため提出できません。"
            )
        case.submitted_at = timezone.now()

    return _transition(case_id=case_id, action="submit", actor=actor, note=note, effect=effect)


def return_application(*, case_id: int, actor: User, note: str) -> GrantCase:
    """Send the application back to the applicant (差戻し) with the reason in ``note``."""
    return _transition(case_id=case_id, action="return_to_applicant", actor=actor, note=note)


def verify_application(*, case_id: int, actor: User, note: str = "") -> GrantCase:
    """Mark the application checked (審査) once every eligibility check passed or was overridden. Full-lifecycle
    cases are verified with an assessed amount (``grants.councils.lifecycle.verify``)."""
    if _is_full(case_id):
        access_case(actor, case_id)  # a case the user may not see is not found, whatever its programme
        raise CaseActionError("この案件の審査は、査定額・交付の条件・完了期限を入力する審査欄から行ってください。")

    def effect(case: GrantCase) -> None:
        failed = [r for r in run_checks(case) if not r.ok]
        if failed:
            raise CaseActionError("要件を満たしていない項目があります: " + " / ".join(r.reason for r in failed))

    return _transition(case_id=case_id, action="verify", actor=actor, note=note, effect=effect)


def decide_grant(*, case_id: int, actor: User, note: str = "") -> GrantCase:
    """交付決定: fix ``decided_amount`` (交付決定額, yen) at the computed amount, commit it in the ledger
    (支出負担行為) and issue the 交付決定通知書 with its document number. Raises ``CaseActionError`` when the
    budget would be exceeded. The approver must not be the person who verified the case. Full-lifecycle cases are
    decided at their assessed amount (``grants.councils.lifecycle.decide``)."""
    if _is_full(case_id):
        from grants.councils.lifecycle import decide

        return decide(case_id=case_id, actor=actor, note=note)

    def effect(case: GrantCase) -> None:
        case.decided_amount = case.computed_amount
        case.decided_on = timezone.localdate()
        try:
            post_entry(programme_year=case.programme_year, kind=EntryKind.COMMITMENT, amount=case.decided_amount,
                       actor=actor, case=case, note=f"交付決定 {case.organization.name}")
        except LedgerError as exc:
            raise CaseActionError(str(exc)) from exc

    return _transition(case_id=case_id, action="decide", actor=actor, note=note, effect=effect,
                       after=_notice("decision", actor))


def refuse_grant(*, case_id: int, actor: User, note: str) -> GrantCase:
    """不交付決定, with the reason in ``note``, and its 不交付決定通知書. Nothing is committed."""

    def effect(case: GrantCase) -> None:
        case.decided_amount = 0
        case.decided_on = timezone.localdate()

    return _transition(case_id=case_id, action="refuse", actor=actor, note=note, effect=effect,
                       after=_notice("refusal", actor))


def prepare_payment(*, case_id: int, actor: User, note: str = "") -> GrantCase:
    """Draft the payment order (支出命令) for the decided amount, to the organisation's current account."""

    def effect(case: GrantCase) -> None:
        if case.organization.current_bank_account() is None:
            raise CaseActionError("振込先の口座が登録されていないため、支出命令を起票できません。")

    return _transition(case_id=case_id, action="prepare_payment", actor=actor, note=note, effect=effect)


def approve_payment(*, case_id: int, actor: User, note: str = "") -> GrantCase:
    """Approve the payment order; finance only, never the person who drafted it."""
    return _transition(case_id=case_id, action="approve_payment", actor=actor, note=note)


def reject_payment(*, case_id: int, actor: User, note: str) -> GrantCase:
    """Send the payment order back to be redrafted, with the reason in ``note``."""

    def effect(case: GrantCase) -> None:
        case.payment_prepared_by = None

    return _transition(case_id=case_id, action="reject_payment", actor=actor, note=note, effect=effect)


def record_payment(*, case_id: int, actor: User, note: str = "", paid_on: dt.date | None = None) -> GrantCase:
    """Post the payment (支出) of the unpaid decided amount, dated ``paid_on`` (the transfer date; today by
    default). Called by the payment-batch approval for each of its payments."""

    def effect(case: GrantCase) -> None:
        amount = (case.decided_amount or 0) - case.paid_amount
        day = paid_on or timezone.localdate()
        try:
            post_entry(programme_year=case.programme_year, kind=EntryKind.PAYMENT, amount=amount, actor=actor,
                       case=case, entry_date=day, note=f"支出 {case.organization.name}")
        except LedgerError as exc:
            raise CaseActionError(str(exc)) from exc
        case.paid_amount += amount
        case.paid_on = day

    return _transition(case_id=case_id, action="record_paid", actor=actor, note=note, effect=effect)


def return_transfer(*, case_id: int, actor: User, payment: LedgerEntry, note: str) -> GrantCase:
    """The bank returned the transfer (組戻し・振込不能): reverse its payment entry and put the case back in
    the payment queue (支出承認済), so that it can be paid again once the account is corrected."""

    def effect(case: GrantCase) -> None:
        if payment.case_id != case.pk or payment.kind != EntryKind.PAYMENT:
            raise CaseActionError("この案件の支出の仕訳ではありません。")
        try:
            post_entry(programme_year=case.programme_year, kind=EntryKind.REVERSAL, amount=0, actor=actor,
                       reverses=payment, case_reversal=True, note=f"振込返却 {note}"[:200])
        except LedgerError as exc:
            raise CaseActionError(str(exc)) from exc
        case.paid_amount -= payment.amount
        case.paid_on = None

    return _transition(case_id=case_id, action="return_transfer", actor=actor, note=note, effect=effect)


def apply_count(case: GrantCase, households: int | None) -> None:
    """Set the case's count and its computation snapshot from the programme-year's rule (no save)."""
    case.household_count = households
    if households is None:
        case.computation, case.computed_amount = {}, None
        return
    result = compute(load_rule(case.programme_year_id), {"households": households})
    case.computation, case.computed_amount = result.as_json(), result.amount


def correct_household_count(*, case_id: int, actor: User, households: int, reason: str) -> GrantCase:
    """Correct the member households on the base date (世帯数の訂正) before submission, with a reason.

    Writes a new ``HouseholdCount`` (the old one stays as history), recomputes the amount and records who
    changed what. Raises ``CaseActionError`` for a negative count, an empty reason or a submitted case.
    """
    if isinstance(households, bool) or not isinstance(households, int) or not 0 <= households <= MAX_HOUSEHOLDS:
        raise CaseActionError(f"世帯数は0以上{MAX_HOUSEHOLDS:,}以下の整数で入力してください。")
    if not reason.strip():
        raise CaseActionError("訂正の理由を入力してください。")
    with transaction.atomic():
        case = access_case(actor, case_id, for_update=True)
        if case.programme_year.programme.lifecycle == "full":
            # Its amount comes from the budget lines: a count would break the computation (and has no use).
            raise CaseActionError("この事業の案件には、世帯数の届出はありません。")
        if not may_correct_count(case, actor):
            raise CaseActionError("提出前の申請でのみ世帯数を訂正できます。")
        before = case.household_count
        HouseholdCount.objects.create(
            organization=case.organization, base_date=case.programme_year.base_date, households=households,
            source=CountSource.CORRECTION, reason=reason, recorded_by=actor,
        )
        apply_count(case, households)
        case.save()
        record_event(actor=actor, subject=case, action="correct_household_count",
                     note=f"世帯数 {before if before is not None else '未届'} → {households}：{reason}")
    return case


def override_check(*, case_id: int, actor: User, check_code: str, justification: str) -> EligibilityOverride:
    """Pass a failed eligibility check with a recorded justification (staff only, while the application, a
    change or a 実績報告 is examined). In full-lifecycle programmes it counts only after a second person
    approves it (``approve_override``)."""
    if not justification.strip():
        raise CaseActionError("特例とする理由を入力してください。")
    with transaction.atomic():
        case = access_case(actor, case_id, for_update=True)
        full = case.programme_year.programme.lifecycle == "full"
        if full:
            from grants.councils.checks import CHECK_LABELS as FULL_LABELS
            from grants.councils.checks import OVERRIDE_STATES, base_code, valid_override_code

            if actor.role != "staff" or case.status not in OVERRIDE_STATES:
                raise CaseActionError("審査中の申請・変更承認申請・実績報告について、担当者のみが特例判断できます。")
            if not valid_override_code(case, check_code):
                raise CaseActionError("確認項目が正しくないか、その項目は要件を満たしています。")
            label = FULL_LABELS[base_code(check_code)]
        else:
            if check_code not in CHECK_LABELS:
                raise CaseActionError("確認項目が正しくありません。")
            if actor.role != "staff" or case.status != Status.SUBMITTED:
                raise CaseActionError("審査中の案件について、担当者のみが特例判断できます。")
            label = CHECK_LABELS[check_code]
        if case.overrides.filter(check_code=check_code).exists():
            raise CaseActionError("この項目はすでに特例判断されています。")
        override = EligibilityOverride.objects.create(
            case=case, check_code=check_code, justification=justification, actor=actor
        )
        shown = f"{label}（{check_code}）" if full else label
        record_event(actor=actor, subject=case, action="override_check", note=f"{shown}：{justification}")
    return override


def approve_override(*, case_id: int, override_id: int, actor: User) -> EligibilityOverride:
    """Second person's approval of an override (特例判断の承認): another staff member or an approver, never its
    author (the database refuses it too). Only then does the override count in a full-lifecycle case."""
    with transaction.atomic():
        case = access_case(actor, case_id, for_update=True)
        if actor.role not in ("staff", "approver"):
            raise CaseActionError("特例判断を承認する権限がありません。")
        override = EligibilityOverride.objects.select_for_update().filter(pk=override_id, case=case).first()
        if override is None:
            raise CaseActionError("特例判断が見つかりません。")
        if override.approved_by_id is not None:
            raise CaseActionError("この特例判断はすでに承認されています。")
        if override.actor_id == actor.pk:
            raise CaseActionError("特例判断をした方は、同じ判断を承認できません。別の職員が承認してください。")
        override.approved_by, override.approved_at = actor, timezone.now()
        override.save(update_fields=["approved_by", "approved_at"])
        record_event(actor=actor, subject=case, action="approve_override",
                     note=f"特例判断の承認（{override.check_code}）：{override.justification}")
    return override


def reject_override(*, case_id: int, override_id: int, actor: User, note: str) -> None:
    """Second person's refusal of an override not yet approved (特例判断の却下), with the reason: the override is
    removed and the check fails again; the audit trail keeps the override's reason, its author and the refusal.
    Staff or an approver other than its author; its author may also withdraw it."""
    if not (note or "").strip():
        raise CaseActionError("却下の理由を入力してください。")
    with transaction.atomic():
        case = access_case(actor, case_id, for_update=True)
        if actor.role not in ("staff", "approver"):
            raise CaseActionError("特例判断を却下する権限がありません。")
        override = EligibilityOverride.objects.select_for_update().filter(pk=override_id, case=case).first()
        if override is None:
            raise CaseActionError("特例判断が見つかりません。")
        if override.approved_by_id is not None:
            raise CaseActionError("承認済みの特例判断は却下できません。")
        what = f"{override.check_code}、判断者 {override.actor}、理由「{override.justification}」"
        record_event(actor=actor, subject=case, action="reject_override",
                     note=f"特例判断の却下（{what}）：{note.strip()}")
        override.delete()
