"""Issuing notices (通知書の発行) with a 文書番号 that never repeats or skips (GRANTS.md §3, §7).

``issue_notice`` is meant to be called inside the transaction of the act it reports (交付決定, 不交付決定,
額の確定, 支払の記録): the sequence row stays locked until that transaction ends, and if it rolls back the
number goes back with it, so the sequence has no gap. Take it last in that transaction (after the case row
and the budget account), so that every path locks in the same order: case → account → sequence.

Setting ``NOTICE_DEFAULT_PREFIX`` (default 「山協」) is the prefix of a programme's first sequence; later years
carry the previous year's prefix over. Staff change it in the admin.
"""
import datetime as dt
from typing import Any

import zengin_code
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from grants.accounts.models import Role, User
from grants.cases.models import GrantCase, RefundOrder, RefundReason
from grants.cases.workflows import workflow_of
from grants.competitive.models import SelectionLine
from grants.core.models import AuditEvent, record_event
from grants.core.workflow import ActionRefused
from grants.ledger.models import BatchItem, ItemResult
from grants.organizations.models import AccountType
from grants.programmes.models import Programme

from .models import DEFAULT_PREFIX, DocumentSequence, Notice, NoticeKind, format_document_number

# Roles that issue notices: the ones that take the acts notices report (AUDITOR only reads).
ISSUING_ROLES = frozenset({Role.STAFF, Role.APPROVER, Role.FINANCE})


class NoticeError(ActionRefused):
    """The notice cannot be issued now or by this user; the message is for the user, in Japanese."""


def mask_account_number(number: str) -> str:
    """Show only the last 3 digits of an account number: "1234567" → "****567" (shorter ones: all masked)."""
    if len(number) <= 3:
        return "*" * len(number)
    return "*" * (len(number) - 3) + number[-3:]


def _sequence_prefix(programme: Programme, fiscal_year: int) -> str:
    """Prefix of a new sequence: the programme's latest earlier one, else ``NOTICE_DEFAULT_PREFIX`` (山協);
    when another programme already uses it this year, the programme's id is appended (山協2) so that no two
    programmes print the same 文書番号 — staff can change it in the admin before the first notice."""
    previous = (
        DocumentSequence.objects.filter(programme=programme, fiscal_year__lt=fiscal_year)
        .order_by("-fiscal_year").values_list("prefix", flat=True).first()
    )
    default: str = getattr(settings, "NOTICE_DEFAULT_PREFIX", DEFAULT_PREFIX)
    base = previous or default
    if not DocumentSequence.objects.filter(fiscal_year=fiscal_year, prefix=base).exclude(programme=programme).exists():
        return base
    return f"{base}{programme.pk}"


def locked_sequence(programme: Programme, fiscal_year: int) -> DocumentSequence:
    """The sequence row of ``programme`` in ``fiscal_year``, created if missing and locked FOR UPDATE until the
    surrounding transaction ends (call inside ``transaction.atomic``).

    Race-safe: the row is inserted with ON CONFLICT DO NOTHING (``ignore_conflicts``), which waits for a
    concurrent insert of the same row and then does nothing, and is then read with SELECT … FOR UPDATE."""
    qs = DocumentSequence.objects.select_for_update()
    for _ in range(3):
        try:
            return qs.get(programme=programme, fiscal_year=fiscal_year)
        except DocumentSequence.DoesNotExist:
            prefix = _sequence_prefix(programme, fiscal_year)
            DocumentSequence.objects.bulk_create(
                [DocumentSequence(programme=programme, fiscal_year=fiscal_year, prefix=prefix)], ignore_conflicts=True
            )
        # If the insert was ignored because another programme took ``prefix`` meanwhile, the next round picks
        # another prefix.
    return qs.get(programme=programme, fiscal_year=fiscal_year)


def _refusal_reason(case: GrantCase) -> str:
    """The note of the latest 不交付決定 in the case's audit trail ("" when none yet)."""
    event = AuditEvent.objects.for_object(case).filter(action="refuse").order_by("-at", "-pk").first()
    return event.note if event else ""


def _refund_order(case: GrantCase, subject_key: str) -> RefundOrder | None:
    """The 返還命令 a 返還命令書 is about: the one whose ``notice_key`` is ``subject_key`` (the 額の確定's or
    取消's for "", the 消費税仕入控除税額's for its key)."""
    return next((o for o in case.refund_orders.all() if o.notice_key == subject_key), None)


def _check_state(case: GrantCase, kind: str, confirmed_amount: int | None,
                 payment_item: BatchItem | None = None, subject_key: str = "") -> int:
    """The amount (whole yen) the notice states, or ``NoticeError`` when the case is not in a state that has
    such a notice. Rule source: GRANTS.md §3 (decision, refusal, 額の確定 with confirmed ≤ decided, payment)."""
    decided = case.decided_amount
    flow = workflow_of(case)
    in_force = case.status in flow.decided
    if kind == NoticeKind.DECISION:
        if not in_force or decided is None:
            raise NoticeError("交付決定の済んでいない案件には交付決定通知書を発行できません。")
        return decided
    if kind == NoticeKind.REFUSAL:
        if case.status not in flow.refused:
            raise NoticeError("不交付決定の済んでいない案件には不交付決定通知書を発行できません。")
        return 0
    if kind == NoticeKind.CONFIRMATION:
        if not in_force or decided is None:
            raise NoticeError("交付決定の済んでいない案件の額は確定できません。")
        amount = decided if confirmed_amount is None else confirmed_amount
        if isinstance(amount, bool) or not isinstance(amount, int) or not 0 <= amount <= decided:
            raise NoticeError(f"確定額は0円以上、交付決定額（{decided:,}円）以下の整数にしてください。")
        return amount
    if kind == NoticeKind.PAYMENT and payment_item is not None:
        if payment_item.payment_entry_id is None or payment_item.case_id != case.pk:
            raise NoticeError("支払の記録されていない支出命令には支払通知書を発行できません。")
        return payment_item.amount
    if kind == NoticeKind.PAYMENT:
        if not in_force or not case.paid_amount or case.paid_on is None:
            raise NoticeError("支払の記録されていない案件には支払通知書を発行できません。")
        return case.paid_amount
    if kind == NoticeKind.CHANGE_DECISION:
        if not in_force or decided is None:
            raise NoticeError("交付決定の済んでいない案件には変更交付決定通知書を発行できません。")
        return decided
    if kind in (NoticeKind.SELECTION, NoticeKind.NON_SELECTION):
        line = SelectionLine.objects.filter(case=case).first()
        if line is None or line.selected != (kind == NoticeKind.SELECTION):
            raise NoticeError("採択・不採択の決まっていない申請には、この通知書を発行できません。")
        return line.amount
    if kind == NoticeKind.REFUND_ORDER:
        order = _refund_order(case, subject_key)
        if order is None:
            raise NoticeError("返還命令のない案件には返還命令書を発行できません。")
        return order.principal
    raise NoticeError("通知書の種類が正しくありません。")


def _details(
    case: GrantCase, kind: str, amount: int, issued_on: dt.date, reason: str, payment_item: BatchItem | None = None,
    subject_key: str = "",
) -> dict[str, object]:
    """Snapshot of what the notice says, as of ``issued_on`` (JSON: dates as ISO strings, amounts in yen)."""
    org = case.organization
    head = org.current_representative(issued_on)
    details: dict[str, object] = {
        "organization": org.name,
        "head_title": head.title if head else "代表者",
        "head_name": head.name if head else "",
        "programme_year_label": str(case.programme_year),
        "programme_name": case.programme_year.programme.name,
        "fiscal_year_label": case.programme_year.fiscal_year_label,
        "submitted_on": timezone.localtime(case.submitted_at).date().isoformat() if case.submitted_at else None,
        "decided_on": case.decided_on.isoformat() if case.decided_on else None,
        "decided_amount": case.decided_amount,
        "household_count": case.household_count,
        "base_date": case.programme_year.base_date.isoformat(),
        "computation_lines": list((case.computation or {}).get("lines", [])),
    }
    if workflow_of(case).budget_lines:
        details.update({
            "project_title": case.project_title,
            "conditions": case.decision_conditions,
            "completion_deadline": case.completion_deadline.isoformat() if case.completion_deadline else None,
            "applied_amount": case.applied_amount,
            "plan": str(case.plan) if case.plan_id else "",
            "advances": [
                {"label": o.label, "amount": o.amount, "pay_on": o.pay_on.isoformat()}
                for o in case.payment_orders.exclude(status="cancelled").order_by("number")
            ],
            "paid_amount": case.paid_amount,
            "refunded_amount": case.refunded_amount,
            "justified_amount": case.justified_amount,
        })
    if kind == NoticeKind.REFUSAL:
        details["reason"] = reason or _refusal_reason(case)
    if kind == NoticeKind.CONFIRMATION:
        details["confirmed_amount"] = amount
    if kind == NoticeKind.CHANGE_DECISION:
        change = case.change_requests.filter(status="approved").order_by("-pk").first()
        details["previous_amount"] = change.previous_amount if change else None
        details["change_reason"] = change.reason if change else ""
    if kind in (NoticeKind.SELECTION, NoticeKind.NON_SELECTION):
        line = SelectionLine.objects.select_related("selection__call").get(case=case)
        details.update({"call_title": line.selection.call.title, "project_title": case.project_title,
                        "selected_amount": line.amount, "reason": line.reason,
                        "applied_amount": case.applied_amount})
    if kind == NoticeKind.REFUND_ORDER:
        order = _refund_order(case, subject_key)
        assert order is not None, "_check_state refused a 返還命令書 without its order"
        details.update({
            "tax_credit": order.reason == RefundReason.TAX_CREDIT,
            "confirmed_amount": case.confirmed_amount, "principal": order.principal,
            "ordered_on": order.ordered_on.isoformat(), "due_on": order.due_on.isoformat(),
            "surcharge_rate": str(order.surcharge_rate), "late_rate": str(order.late_rate),
        })
    if kind == NoticeKind.PAYMENT and payment_item is not None:
        details["paid_amount"] = amount
        details["paid_on"] = payment_item.batch.transfer_date.isoformat()
        details["order_label"] = payment_item.payment_order.label
        details["account"] = _item_account(payment_item)
        return details
    if kind == NoticeKind.PAYMENT:
        details["paid_amount"] = amount
        details["paid_on"] = case.paid_on.isoformat() if case.paid_on else None
        details["account"] = _paid_account(case)
    return details


def _paid_account(case: GrantCase) -> str:
    """The account the money went to: the one in the transfer file (the batch item's snapshot), else the
    account on file; the number masked to its last 3 digits."""
    item = BatchItem.objects.filter(case=case).exclude(result=ItemResult.RETURNED).order_by("-pk").first()
    if item is None:
        account = case.organization.current_bank_account()
        if account is None:
            return ""
        return (f"{account.bank_name} {account.branch_name} {account.get_account_type_display()} "
                f"{mask_account_number(account.account_number)}")
    return _item_account(item)


def _item_account(item: BatchItem) -> str:
    """The account of a batch item's transfer, masked to its last 3 digits."""
    bank = zengin_code.Bank.all.get(item.bank_code)
    branch = bank.branches.get(item.branch_code) if bank else None
    return (f"{bank.name if bank else item.bank_code} {branch.name if branch else item.branch_code} "
            f"{AccountType(item.account_type).label} {mask_account_number(item.account_number)}")


def issue_notice(
    *, case: GrantCase, kind: str, actor: User, confirmed_amount: int | None = None, reason: str = "",
    subject_key: str = "", payment_item: BatchItem | None = None,
) -> Notice:
    """Issue the ``kind`` notice of ``case`` (a ``NoticeKind`` value) and return it.

    Call it inside the transaction of the act it reports, after the case was saved; ``case`` is read as given.
    Locks the programme-year's ``DocumentSequence`` row (SELECT … FOR UPDATE, created on first use), takes the
    next number, stores the notice with a snapshot of its content (amount in whole yen: 交付決定額, 0 for a
    refusal, the confirmed amount — ``confirmed_amount`` or else the decided amount, never above it — or the
    amount paid) and writes an audit row on the case. The number is part of the caller's transaction: a
    rollback returns it, so the sequence never skips.

    Idempotent: if the case already has a notice of this kind (and ``subject_key``: the change request or the
    payment order a notice is about, when a case has several), that notice is returned and no number is used.
    ``payment_item`` is the batch item of a payment order's 支払通知書.
    ``reason`` is the 不交付 reason (default: the note of the case's latest ``refuse`` audit event).

    Raises ``NoticeError`` (Japanese message) for an unknown kind, a user who may not issue notices, a case not
    in a state that has this notice, or a confirmed amount outside 0 … decided.
    """
    if kind not in NoticeKind.values:
        raise NoticeError("通知書の種類が正しくありません。")
    if actor.role not in ISSUING_ROLES:
        raise NoticeError("通知書を発行する権限がありません。")
    existing = Notice.objects.filter(case=case, kind=kind, subject_key=subject_key).first()
    if existing is not None:
        return existing
    amount = _check_state(case, kind, confirmed_amount, payment_item, subject_key)
    programme_year = case.programme_year
    with transaction.atomic():
        sequence = locked_sequence(programme_year.programme, programme_year.fiscal_year)
        # Checked again under the lock: a concurrent call for the same case and kind has committed by now.
        existing = Notice.objects.filter(case=case, kind=kind, subject_key=subject_key).first()
        if existing is not None:
            return existing
        number = sequence.last_number + 1
        document_number = format_document_number(sequence.prefix, sequence.fiscal_year, number)
        if Notice.objects.filter(document_number=document_number).exists():
            raise NoticeError(
                f"文書番号「{document_number}」はすでに使われています。管理画面で文書記号を確認してください。"
            )
        sequence.last_number = number
        sequence.save(update_fields=["last_number"])
        issued_on = timezone.localdate()
        notice = Notice.objects.create(
            case=case, sequence=sequence, kind=kind, fiscal_year=sequence.fiscal_year, number=number,
            document_number=document_number, issued_on=issued_on, issued_by=actor, amount=amount,
            details=_details(case, kind, amount, issued_on, reason, payment_item, subject_key),
            subject_key=subject_key,
        )
        record_event(actor=actor, subject=case, action="issue_notice",
                     note=f"{notice.get_kind_display()} {document_number}")
    return notice


def issue_for_act(subject: GrantCase, kind: str, actor: User, **details: Any) -> Notice:
    """The rail's notice issuer (``grants.core.workflow.issue_notice``): the notice an act names
    (``notice:<kind>``), issued in the act's transaction."""
    return issue_notice(case=subject, kind=kind, actor=actor, **details)
