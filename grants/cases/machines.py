"""The machines of a case's parts and of the annual run (``grants.core.workflow``): a 変更承認申請, a 返還命令
and the 年次一括作成. The payment orders' and payment batches' machines are in ``orders`` and ``batches``.

A change request moves with its case (submitting, approving, refusing or dropping it is an act of the
case's workflow, recorded by that act's audit row), except that its applicant or the staff may withdraw a draft
(取下げ), which leaves the case as it is; a refund order is settled when its last payment is
recorded; a run is done when its last chunk is created.
"""
from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from grants.accounts.models import Role
from grants.core.workflow import SYSTEM, Edge, Machine, register
from grants.organizations.members import BY_HEAD

from .models import AnnualRun, ChangeRequest, ChangeStatus, GrantCase, RefundOrder, RefundStatus, RunStatus
from .workflows import CaseActionError


def _of_visible_cases(model: Any) -> Any:
    def visible(user: Any) -> QuerySet[Any]:
        return model.objects.filter(case__in=GrantCase.objects.visible_to(user))

    return visible


def _city(user: Any) -> QuerySet[AnnualRun]:
    return AnnualRun.objects.all() if getattr(user, "is_city_user", False) else AnnualRun.objects.none()


def _s(*states: str) -> frozenset[str]:
    return frozenset(states)


SYSTEM_ONLY = frozenset({SYSTEM})

CHANGE_REQUEST: Machine[ChangeRequest] = register(Machine(
    name="change_request", label="変更承認申請", model="cases.ChangeRequest",
    states=dict(ChangeStatus.choices),
    edges=(
        Edge("submit_change", "提出", _s(ChangeStatus.DRAFT), ChangeStatus.PENDING, SYSTEM_ONLY, page=""),
        Edge("approve_change", "承認", _s(ChangeStatus.PENDING), ChangeStatus.APPROVED, SYSTEM_ONLY,
             records="decided_by", stamps="decided_at", page=""),
        Edge("reject_change", "不承認", _s(ChangeStatus.PENDING), ChangeStatus.REJECTED, SYSTEM_ONLY,
             records="decided_by", stamps="decided_at", page=""),
        Edge("drop_change", "取消による終了", _s(ChangeStatus.DRAFT, ChangeStatus.PENDING), ChangeStatus.REJECTED,
             SYSTEM_ONLY, page=""),
        Edge("withdraw_change", "作成中の変更承認申請を取り下げる", _s(ChangeStatus.DRAFT), ChangeStatus.WITHDRAWN,
             frozenset({Role.ASSOCIATION_HEAD, Role.STAFF}), org_roles=BY_HEAD, page="form", tone="secondary",
             state_refusal="提出した変更承認申請は取り下げられません。決裁を受けてください。",
             role_refusal="変更承認申請は、申請者または担当者のみが取り下げられます。"),
    ),
    visible=_of_visible_cases(ChangeRequest), parent="case", error=CaseActionError,
    subject=lambda change: change.case,
))

REFUND_ORDER: Machine[RefundOrder] = register(Machine(
    name="refund_order", label="返還命令", model="cases.RefundOrder",
    states=dict(RefundStatus.choices),
    edges=(
        Edge("settle_refund", "納付の完了", _s(RefundStatus.ORDERED), RefundStatus.SETTLED,
             frozenset({Role.FINANCE, SYSTEM}), page=""),
    ),
    visible=_of_visible_cases(RefundOrder), parent="case", error=CaseActionError,
    subject=lambda order: order.case,
    note=lambda order, note: note or f"返還命令 {order.principal:,}円の納付が完了",
))

ANNUAL_RUN: Machine[AnnualRun] = register(Machine(
    name="annual_run", label="年次一括作成", model="cases.AnnualRun",
    states=dict(RunStatus.choices),
    edges=(
        Edge("finish_annual_run", "一括作成の完了", _s(RunStatus.RUNNING), RunStatus.DONE,
             frozenset({Role.STAFF, SYSTEM}), stamps="finished_at", page=""),
    ),
    visible=_city, error=CaseActionError,
    role_refusal="年次一括作成は協働推進課の担当者のみが実行できます。",
))
