"""The competitive workflow (``competitive``), as data: the full lifecycle of ``grants.cases.workflows.FULL`` with
the call and the panel in front of it (GRANTS.md §3 step 2).

申請 (the group's own, in an open call) → 受付 (審査会に付す) → 審査 (panel scores, not a state) → 採択 / 不採択
(taken for every application of a call at once when the selection is decided, ``grants.competitive.selection``)
→ the shared full lifecycle from its 審査: the selected application is the 交付申請, staff assess it (査定額,
possibly lower than applied for, with conditions), an approver decides it, and 概算払, 変更承認申請, 実績報告, 額の確定,
返還 and closing are FULL's own edges — never a copy.
"""
from __future__ import annotations

import dataclasses

from django.db import models

from grants.accounts.models import Role
from grants.cases.workflows import FULL, FULL_STATES, register_workflow
from grants.core.workflow import SYSTEM, Edge
from grants.organizations.members import BY_HEAD

HEAD, STAFF, APPROVER = Role.ASSOCIATION_HEAD, Role.STAFF, Role.APPROVER


class CompetitiveStatus(models.TextChoices):
    """The states of an application that the full lifecycle does not have."""

    SCREENING = "screening", "審査中（審査会）"
    SELECTED = "selected", "採択（交付決定の審査待ち）"
    NOT_SELECTED = "not_selected", "不採択"


DRAFT, SUBMITTED, VERIFIED = "draft", "submitted", "verified"
SCREENING = CompetitiveStatus.SCREENING
SELECTED = CompetitiveStatus.SELECTED
NOT_SELECTED = CompetitiveStatus.NOT_SELECTED

_full = FULL.machine
_states = {DRAFT: FULL_STATES[DRAFT], SUBMITTED: "申請済（受付待ち）", SCREENING: SCREENING.label,
           SELECTED: SELECTED.label, NOT_SELECTED: NOT_SELECTED.label}
_states.update({k: v for k, v in FULL_STATES.items() if k not in _states})

SUBMIT = Edge("submit", "申請書を提出する", frozenset({DRAFT}), SUBMITTED, frozenset({HEAD}),
              org_roles=BY_HEAD, records="submitted_by", done="申請書の提出", guards=("call_window_open",),
              effects=("within_call_window", "require_confirmed_group", "require_project", "require_project_plan",
                       "fix_repeat_year", "fix_applied_amount", "stamp_submitted"),
              role_refusal="申請書は団体の代表者が提出します。")
RETURN = Edge("return_to_applicant", "申請者へ差し戻す", frozenset({SUBMITTED}), DRAFT, frozenset({STAFF}),
              note_required=True, tone="secondary", guards=("call_still_open",))
ACCEPT = Edge("accept_for_screening", "受け付ける（審査会に付す）", frozenset({SUBMITTED}), SCREENING,
              frozenset({STAFF}), ("submitted_by",), guards=("selection_not_sent",),
              effects=("selection_not_sent", "require_group_checks"))
SELECT = Edge("select", "採択する", frozenset({SCREENING}), SELECTED, frozenset({SYSTEM}), page="",
              then=("notice:selection",))
NOT_SELECT = Edge("not_select", "不採択とする", frozenset({SCREENING}), NOT_SELECTED, frozenset({SYSTEM}), page="",
                  note_required=True, then=("notice:non_selection",))
# The selected application is the 交付申請: its 審査 (査定額, conditions, deadline) is FULL's, from 採択, with two
# differences. A line of an excluded 費目 does not stop it: the group can no longer change its lines, and the
# line simply does not count (``assess`` judges the eligible lines only); the group must still meet the call
# (``require_group_checks``). And its 査定額 stays within the 採択額 (``within_selected_amount``).
VERIFY = dataclasses.replace(
    _full.edge("verify"), sources=frozenset({SELECTED}),
    effects=tuple("require_group_checks" if e == "require_checks" else e for e in _full.edge("verify").effects)
    + ("within_selected_amount",))
# 額の確定 schedules the 消費税仕入控除税額 report where the call requires it (grants.competitive.tax).
CONFIRM = dataclasses.replace(_full.edge("confirm"), then=(*_full.edge("confirm").then, "schedule_tax_report"))

# FULL's 審査 starts from 採択 here, so staff who judge a failed line eligible after all (特例判断: the line then
# counts) may override it there too, approved by another; every other activity is FULL's own.
_ACTIVITIES = tuple(dataclasses.replace(a, states=a.states | {SELECTED.value})
                    if a.name in ("override", "approve_override") else a for a in _full.activities)

COMPETITIVE = register_workflow(dataclasses.replace(
    FULL,
    machine=_full.with_edges(
        SUBMIT, RETURN, ACCEPT, SELECT, NOT_SELECT, VERIFY, CONFIRM,
        name="case.competitive", variant="competitive",
        label="公募（申請 → 審査会 → 採択 → 交付決定 → 概算払 → 変更 → 実績報告 → 額の確定 → 精算・返還）",
        states=_states, activities=_ACTIVITIES,
    ),
    refused=FULL.refused | {NOT_SELECTED},
    check_stage={**FULL.check_stage, SCREENING: "application", SELECTED: "application"},
    sections=("project_plan", *FULL.sections[:3], "screening", *FULL.sections[3:]),
    queues={HEAD: (DRAFT,), STAFF: (SUBMITTED, SELECTED, "decided", "change_requested", "reported"),
            APPROVER: (VERIFIED, "change_checked", "report_verified")},
))
