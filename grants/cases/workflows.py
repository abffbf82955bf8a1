"""The workflows a grant case follows, as data (GRANTS.md §3): the programme names one (``Programme.workflow``).

- ``formula``: the simplified flow of formula grants to 自治会: 申請書兼請求書 (with the household count) →
  審査 → 交付決定 → 支出命令 → 支出の承認 → 振込予定 (its payment batch approved) → 支払済 (the bank's result
  振込完了). Its payment is one payment order for the whole amount, and the case's states follow that order step
  by step (``payment_mirror``).
- ``full``: 交付申請 (収支予算書) → 審査 (査定額) → 交付決定 → 概算払 (payment orders) → 変更承認申請 → 実績報告 →
  実績審査 → 額の確定 → 精算払 or 返還命令 → 完了, and 取消.

A workflow is a machine of ``GrantCase`` (``grants.core.workflow``) plus what the pages and the checks need to
know of it. Its edges name their effects (``grants.cases.effects``), so a new workflow is declared as data and
registered (``register_workflow``), without code of its own; the system check verifies it at start-up.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from grants.accounts.models import Role, User
from grants.core import workflow
from grants.core.workflow import SYSTEM, Activity, Edge, Machine, Supplies
from grants.organizations.members import BY_ANY_MEMBER, BY_HEAD, BY_HEAD_OR_TREASURER

from .models import GrantCase, GrantCaseQuerySet, Status


class CaseActionError(workflow.ActionRefused):
    """The act is not allowed now or by this user; the message is for the user, in Japanese."""


@dataclass(frozen=True)
class Workflow:
    """A workflow of grant cases: its machine, and what it says about a case in each state.

    ``decided`` are the states in which a decision is in force (交付決定済), ``refused`` the 不交付決定.
    ``takes_count``: the application states a household count (a formula grant's 申請書兼請求書);
    ``budget_lines``: the application is a 収支予算書 of lines (the full lifecycle). ``payment_mirror`` maps an
    edge of a payment order to the case edge that takes it, for a workflow whose case states follow its payment.
    ``check_stage`` says which lines the checks judge in a state (``application``, ``change``, ``report``;
    ``decided`` otherwise); ``overrides_need_approval``: a staff override counts once a second person approves
    it. ``sections`` are the parts of the case page (templates under ``cases/sections/``) above its acts and
    ``sections_after`` those below; ``checks_shown_to_applicant``: the applicant sees the checks too (a
    council corrects its own lines); ``queues`` the
    states whose cases wait for each role's act (ホーム); ``closed`` the states of a case done with;
    ``awaiting_report`` the states in which the 実績報告 is still to come (its deadline is watched).
    ``supplies``: the inputs the flow gives the rule engine (published through ``grants.core.workflow``, so that
    a rule needing another is refused when it is saved)."""

    machine: Machine[GrantCase]
    decided: frozenset[str]
    refused: frozenset[str] = frozenset()
    takes_count: bool = False
    budget_lines: bool = False
    payment_mirror: Mapping[str, str] = field(default_factory=dict)
    check_stage: Mapping[str, str] = field(default_factory=dict)
    overrides_need_approval: bool = False
    sections: tuple[str, ...] = ()
    sections_after: tuple[str, ...] = ()
    checks_shown_to_applicant: bool = False
    queues: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    closed: frozenset[str] = frozenset()
    awaiting_report: frozenset[str] = frozenset()
    supplies: Supplies = Supplies()

    @property
    def code(self) -> str:
        return self.machine.variant

    @property
    def label(self) -> str:
        return self.machine.label

    def stage(self, state: str) -> str:
        return self.check_stage.get(state, "decided")

    def state_label(self, state: str) -> str:
        return self.machine.state_label(state)


WORKFLOWS: dict[str, Workflow] = {}


def register_workflow(flow: Workflow) -> Workflow:
    """Make ``flow`` a workflow programmes may name; its machine joins the ones the system check verifies."""
    known = WORKFLOWS.get(flow.code)
    if known is not None and known is not flow:
        raise ValueError(f"workflow {flow.code!r} registered twice")
    WORKFLOWS[flow.code] = flow
    workflow.register(flow.machine)
    workflow.declare_supplies(flow.machine, flow.supplies)
    return flow


def unregister_workflow(code: str) -> None:
    """Remove a workflow (a test that declared one of its own)."""
    flow = WORKFLOWS.pop(code, None)
    if flow is not None:
        workflow.unregister(flow.machine.name)
        workflow.SUPPLIES.pop((flow.machine.model, flow.machine.variant), None)


def workflow_of(case: GrantCase) -> Workflow:
    """The workflow ``case`` follows: its programme's."""
    return WORKFLOWS[case.programme_year.programme.workflow]


def workflow_for_case(case_id: int) -> Workflow:
    """The workflow of case ``case_id`` (read before the case is locked); ``GrantCase.DoesNotExist`` if none."""
    code = GrantCase.objects.values_list("programme_year__programme__workflow", flat=True).get(pk=case_id)
    return WORKFLOWS[code]


def visible_cases(user: User) -> GrantCaseQuerySet:
    return GrantCase.objects.visible_to(user)


HEAD, STAFF, APPROVER, FINANCE = Role.ASSOCIATION_HEAD, Role.STAFF, Role.APPROVER, Role.FINANCE
HEAD_OR_STAFF = frozenset({HEAD, STAFF})

# Which user field of the case each separation rule names, in words for the refusal.
SEPARATION = {
    "submitted_by": "申請書を代理で提出した方は、同じ案件の審査を行えません。",
    "verified_by": "審査した方は、同じ案件の決裁を行えません。",
    "payment_prepared_by": "支出命令を起票した方は、同じ支出を承認・差戻しできません。",
    "change_requested_by": "変更承認申請を代理で提出した方は、同じ申請の審査・決裁を行えません。",
    "change_checked_by": "変更承認申請を審査した方は、同じ申請の決裁を行えません。",
    "reported_by": "実績報告書を代理で提出した方は、同じ報告の審査を行えません。",
    "report_verified_by": "実績報告を審査した方は、同じ案件の額の確定の決裁を行えません。",
}

# What every machine of grant cases shares, for the workflows declared here and any declared as data elsewhere.
CASE_MACHINE: dict[str, Any] = {
    "model": "cases.GrantCase",
    "visible": visible_cases,
    "separation": SEPARATION,
    "related": ("programme_year__programme", "organization"),
    "error": CaseActionError,
    "role_refusal": "この操作を行う権限がありません。",
    "state_refusal": "この案件は「{state}」のため、この操作はできません。",
}


def _s(*states: str) -> frozenset[str]:
    return frozenset(states)


# The edges both built-in workflows share (the full one renames the submission).
SUBMIT = Edge("submit", "申請書兼請求書を提出する", _s(Status.DRAFT), Status.SUBMITTED, HEAD_OR_STAFF,
              org_roles=BY_HEAD, records="submitted_by",
              effects=("require_count", "within_application_window", "stamp_submitted"),
              done="申請書兼請求書の提出")
RETURN = Edge("return_to_applicant", "申請者へ差し戻す", _s(Status.SUBMITTED, Status.VERIFIED), Status.DRAFT,
              frozenset({STAFF}), note_required=True, tone="secondary")
VERIFY = Edge("verify", "審査済にする（決裁へ回す）", _s(Status.SUBMITTED), Status.VERIFIED, frozenset({STAFF}),
              ("submitted_by",), records="verified_by", effects=("require_checks",))
DECIDE = Edge("decide", "交付決定する", _s(Status.VERIFIED), Status.DECIDED, frozenset({APPROVER}), ("verified_by",),
              records="decided_by", effects=("decide_at_computed", "commit_decision"),
              then=("schedule_whole_payment", "notice:decision"))
REFUSE = Edge("refuse", "不交付決定する", _s(Status.VERIFIED), Status.NOT_GRANTED, frozenset({APPROVER}),
              ("verified_by",), note_required=True, records="decided_by", tone="danger",
              effects=("refuse_decision",), then=("notice:refusal",))

FORMULA = Workflow(
    machine=Machine(
        name="case.formula", variant="formula", label="簡易（申請書兼請求書 → 審査 → 交付決定 → 支払）",
        states={s.value: s.label for s in (Status.DRAFT, Status.SUBMITTED, Status.VERIFIED, Status.DECIDED,
                                            Status.NOT_GRANTED, Status.PAYMENT_PREPARED, Status.PAYMENT_APPROVED,
                                            Status.TRANSFER_SENT, Status.PAID)},
        edges=(
            SUBMIT, RETURN, VERIFY, DECIDE, REFUSE,
            Edge("prepare_payment", "支出命令を起票する", _s(Status.DECIDED), Status.PAYMENT_PREPARED,
                 frozenset({STAFF, FINANCE}), records="payment_prepared_by", effects=("prepare_whole_payment",)),
            Edge("approve_payment", "支出を承認する", _s(Status.PAYMENT_PREPARED), Status.PAYMENT_APPROVED,
                 frozenset({FINANCE}), ("payment_prepared_by",), records="payment_approved_by",
                 effects=("approve_whole_payment",)),
            Edge("reject_payment", "支出命令を差し戻す", _s(Status.PAYMENT_PREPARED), Status.DECIDED,
                 frozenset({FINANCE}), ("payment_prepared_by",), note_required=True, tone="secondary",
                 effects=("reject_whole_payment",)),
            # The batch's approval posts the payment, dated the transfer date: 振込予定 until the bank's result,
            # which either confirms it (振込完了: 支払済) or returns it to the queue (返却).
            Edge("record_paid", "振込を実行する（振込バッチの承認）", _s(Status.PAYMENT_APPROVED), Status.TRANSFER_SENT,
                 frozenset({FINANCE, SYSTEM}), page="", effects=("pay_whole_payment",), needs=("paid_on",),
                 needs_refusal="支払日を指定してください。"),
            Edge("confirm_transfer", "振込完了を記録する", _s(Status.TRANSFER_SENT), Status.PAID,
                 frozenset({FINANCE, SYSTEM}), page="", effects=("confirm_whole_payment",)),
            Edge("return_transfer", "振込の返却を記録する", _s(Status.TRANSFER_SENT), Status.PAYMENT_APPROVED,
                 frozenset({FINANCE, SYSTEM}), note_required=True, page="", effects=("return_whole_payment",),
                 needs=("payment",), needs_refusal="返却された振込の支出の仕訳を指定してください。"),
        ),
        activities=(
            Activity("correct_count", _s(Status.DRAFT), HEAD_OR_STAFF, "提出前の申請でのみ世帯数を訂正できます。",
                     org_roles=BY_ANY_MEMBER),
            Activity("override", _s(Status.SUBMITTED), frozenset({STAFF}),
                     "審査中の案件について、担当者のみが特例判断できます。"),
            Activity("approve_override", _s(), frozenset({STAFF, APPROVER}), "特例判断を承認する権限がありません。"),
            Activity("whole_payment", _s(Status.DECIDED), frozenset({STAFF, FINANCE}),
                     "交付決定の後にのみ支出命令を起票できます。"),
        ),
        **CASE_MACHINE,
    ),
    decided=_s(Status.DECIDED, Status.PAYMENT_PREPARED, Status.PAYMENT_APPROVED, Status.TRANSFER_SENT, Status.PAID),
    refused=_s(Status.NOT_GRANTED),
    takes_count=True,
    # The 申請書兼請求書 states the households; the other figures (人口, 面積 …) are on file (figures.py).
    supplies=Supplies(frozenset({"households"}), measures=True),
    payment_mirror={"prepare_order": "prepare_payment", "approve_order": "approve_payment",
                    "reject_order": "reject_payment", "record_order_paid": "record_paid",
                    "confirm_order_transfer": "confirm_transfer", "return_order_transfer": "return_transfer"},
    check_stage={s: "application" for s in Status.values},
    sections=("computation", "count", "checks"),
    sections_after=("notices",),
    queues={HEAD: (Status.DRAFT,), STAFF: (Status.SUBMITTED, Status.DECIDED), APPROVER: (Status.VERIFIED,),
            FINANCE: (Status.PAYMENT_PREPARED, Status.PAYMENT_APPROVED, Status.TRANSFER_SENT)},
)

DECIDED_FULL = _s(Status.DECIDED, Status.CHANGE_REQUESTED, Status.CHANGE_CHECKED, Status.REPORTED,
                  Status.REPORT_VERIFIED, Status.CONFIRMED, Status.CANCELLED, Status.CLOSED)
CANCELLABLE = _s(Status.DECIDED, Status.CHANGE_REQUESTED, Status.CHANGE_CHECKED, Status.REPORTED,
                 Status.REPORT_VERIFIED)

FULL_STATES = {s.value: s.label for s in (Status.DRAFT, Status.SUBMITTED, Status.VERIFIED, Status.DECIDED,
                                          Status.NOT_GRANTED, Status.CHANGE_REQUESTED, Status.CHANGE_CHECKED,
                                          Status.REPORTED, Status.REPORT_VERIFIED, Status.CONFIRMED,
                                          Status.CANCELLED, Status.CLOSED)}

FULL = Workflow(
    machine=Machine(
        name="case.full", variant="full",
        label="通常（交付申請 → 交付決定 → 概算払 → 変更 → 実績報告 → 額の確定 → 精算・返還）",
        states=FULL_STATES,
        edges=(
            Edge("submit", "交付申請書を提出する", _s(Status.DRAFT), Status.SUBMITTED, HEAD_OR_STAFF,
                 org_roles=BY_HEAD, records="submitted_by", done="交付申請書の提出",
                 effects=("within_application_window", "require_project", "fix_applied_amount", "stamp_submitted")),
            RETURN,
            Edge("verify", "審査済にする（決裁へ回す）", _s(Status.SUBMITTED), Status.VERIFIED, frozenset({STAFF}),
                 ("submitted_by",), records="verified_by", page="form", effects=("require_checks", "assess"),
                 needs=("assessed_amount",),
                 needs_refusal="この案件の審査は、査定額・交付の条件・完了期限を入力する審査欄から行ってください。"),
            Edge("decide", "交付決定する", _s(Status.VERIFIED), Status.DECIDED, frozenset({APPROVER}), ("verified_by",),
                 records="decided_by", effects=("before_decision", "decide_at_assessed", "commit_decision"),
                 then=("schedule_instalments", "notice:decision")),
            REFUSE,
            Edge("request_change", "変更承認申請を提出する", _s(Status.DECIDED), Status.CHANGE_REQUESTED,
                 HEAD_OR_STAFF, org_roles=BY_HEAD, records="change_requested_by", page="form",
                 effects=("submit_change",)),
            Edge("check_change", "変更承認申請を審査済にする（決裁へ回す）", _s(Status.CHANGE_REQUESTED),
                 Status.CHANGE_CHECKED, frozenset({STAFF}), ("change_requested_by",), records="change_checked_by",
                 page="form", effects=("check_change",), needs=("assessed_amount",),
                 needs_refusal="変更の審査は、変更後の査定額を入力する審査欄から行ってください。"),
            Edge("approve_change", "変更を承認する（変更交付決定）", _s(Status.CHANGE_CHECKED), Status.DECIDED,
                 frozenset({APPROVER}), ("change_checked_by", "change_requested_by"), effects=("approve_change",),
                 then=("reschedule_advances", "notice:change_decision")),
            Edge("reject_change", "変更を承認しない", _s(Status.CHANGE_REQUESTED, Status.CHANGE_CHECKED),
                 Status.DECIDED, frozenset({STAFF, APPROVER}), ("change_requested_by",), note_required=True,
                 tone="secondary", effects=("reject_change",)),
            Edge("submit_report", "実績報告書を提出する", _s(Status.DECIDED), Status.REPORTED, HEAD_OR_STAFF,
                 org_roles=BY_HEAD, records="reported_by", effects=("submit_report",)),
            Edge("return_report", "実績報告を差し戻す", _s(Status.REPORTED, Status.REPORT_VERIFIED), Status.DECIDED,
                 frozenset({STAFF}), note_required=True, tone="secondary", effects=("return_report",)),
            Edge("verify_report", "実績報告を審査済にする（額の確定の決裁へ回す）", _s(Status.REPORTED),
                 Status.REPORT_VERIFIED, frozenset({STAFF}), ("reported_by",), records="report_verified_by",
                 effects=("verify_report",)),
            Edge("confirm", "額を確定する", _s(Status.REPORT_VERIFIED), Status.CONFIRMED, frozenset({APPROVER}),
                 ("report_verified_by",), records="confirmed_by", effects=("confirm_amount",),
                 then=("notice:confirmation", "settle_after_confirmation")),
            Edge("cancel", "交付決定を取り消す（返還を命じる）", CANCELLABLE, Status.CANCELLED,
                 frozenset({APPROVER}), note_required=True, tone="danger", page="form", needs=("kept_amount",),
                 needs_refusal="交付決定の取消は、取消後に残す額を入力する取消の欄から行ってください。",
                 effects=("cancel_decision",), then=("settle_after_cancellation",)),
            Edge("close", "完了にする（精算・返還の済んだ案件）", _s(Status.CONFIRMED, Status.CANCELLED), Status.CLOSED,
                 frozenset({STAFF, FINANCE, SYSTEM}), guards=("settled",), effects=("stamp_closed_on",)),
        ),
        activities=(
            Activity("edit_application", _s(Status.DRAFT), HEAD_OR_STAFF,
                     "提出前の申請でのみ、申請者または担当者が入力できます。", org_roles=BY_ANY_MEMBER),
            Activity("start_change", _s(Status.DECIDED), HEAD_OR_STAFF,
                     "交付決定後（実績報告の前）に、申請者または担当者が変更承認申請を作成できます。",
                     org_roles=BY_ANY_MEMBER),
            Activity("write_report", _s(Status.DECIDED), HEAD_OR_STAFF,
                     "交付決定後、実績報告の提出前に、申請者または担当者が入力できます。", org_roles=BY_ANY_MEMBER),
            # The money of the 実績報告 (its 収支決算 lines and the copies of receipts): the head and the 会計.
            Activity("enter_receipts", _s(Status.DECIDED), HEAD_OR_STAFF,
                     "交付決定後、実績報告の提出前に、申請者または担当者が入力できます。",
                     org_roles=BY_HEAD_OR_TREASURER),
            Activity("override", _s(Status.SUBMITTED, Status.CHANGE_REQUESTED, Status.REPORTED), frozenset({STAFF}),
                     "審査中の申請・変更承認申請・実績報告について、担当者のみが特例判断できます。"),
            Activity("approve_override", frozenset(FULL_STATES), frozenset({STAFF, APPROVER}),
                     "特例判断を承認する権限がありません。"),
            Activity("record_refund", _s(Status.CONFIRMED, Status.CANCELLED, Status.CLOSED), frozenset({FINANCE}),
                     "返還金の納付は会計課の職員のみが記録できます。"),
            Activity("advance_payment", _s(Status.DECIDED, Status.CHANGE_REQUESTED, Status.CHANGE_CHECKED),
                     frozenset({STAFF, FINANCE}), "概算払は、交付決定後、実績報告の提出前にのみ起票できます。"),
            Activity("settlement_payment", _s(Status.CONFIRMED, Status.CANCELLED), frozenset({STAFF, FINANCE}),
                     "精算払は、額の確定後にのみ起票できます。"),
        ),
        **CASE_MACHINE,
    ),
    decided=DECIDED_FULL,
    refused=_s(Status.NOT_GRANTED),
    budget_lines=True,
    # From the budget lines and the case (budget.inputs_for): the 地域's households, no other figure.
    supplies=Supplies(frozenset({"staff_costs", "running_costs", "eligible_cost", "income", "households", "year_no"})),
    check_stage={Status.DRAFT: "application", Status.SUBMITTED: "application", Status.VERIFIED: "application",
                 Status.CHANGE_REQUESTED: "change", Status.CHANGE_CHECKED: "change", Status.REPORTED: "report",
                 Status.REPORT_VERIFIED: "report", Status.CONFIRMED: "report", Status.CLOSED: "report"},
    overrides_need_approval=True,
    sections=("application", "budget", "checks_full", "review", "decision", "orders", "change", "report",
              "confirmation"),
    checks_shown_to_applicant=True,
    queues={HEAD: (Status.DRAFT,), STAFF: (Status.SUBMITTED, Status.DECIDED, Status.CHANGE_REQUESTED,
                                         Status.REPORTED),
            APPROVER: (Status.VERIFIED, Status.CHANGE_CHECKED, Status.REPORT_VERIFIED)},
    closed=_s(Status.CLOSED),
    awaiting_report=_s(Status.DECIDED, Status.CHANGE_REQUESTED, Status.CHANGE_CHECKED),
)

register_workflow(FORMULA)
register_workflow(FULL)
