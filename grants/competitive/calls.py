"""Calls for proposals (募集): staff draft a call for a programme-year (window, budget, documents, group
eligibility, screening criteria) and publish it; a published call is listed on the public page.

Errors: ``CallError`` (Japanese, names the field); ``Call.DoesNotExist`` for a call the user may not see.
"""
from __future__ import annotations

from django.db.models import QuerySet

from grants.accounts.models import Role, User
from grants.core import workflow
from grants.core.workflow import Act, Edge, Machine

from .models import Call, CallStatus


class CallError(workflow.ActionRefused):
    """The act on a call is not allowed, or its input is wrong; the message is for the user, in Japanese."""


def visible_calls(user: User) -> QuerySet[Call]:
    """Calls ``user`` may open as staff: every call for city users; none for others (the public sees published
    calls through ``published_calls``)."""
    if not user.is_authenticated or not user.is_city_user:
        return Call.objects.none()
    return Call.objects.all()


def published_calls() -> QuerySet[Call]:
    """Calls anyone may see (no login): the published ones, newest first."""
    return Call.objects.filter(status=CallStatus.PUBLISHED).select_related("programme_year__programme")


CALL: Machine[Call] = workflow.register(Machine(
    name="call", label="募集", model="competitive.Call",
    states=dict(CallStatus.choices),
    edges=(
        Edge("publish_call", "公開する", frozenset({CallStatus.DRAFT}), CallStatus.PUBLISHED, frozenset({Role.STAFF}),
             records="published_by", stamps="published_at", effects=("require_call_complete",),
             role_refusal="募集の公開は担当職員のみが行えます。", state_refusal="準備中の募集だけを公開できます。"),
        Edge("unpublish_call", "非公開に戻す", frozenset({CallStatus.PUBLISHED}), CallStatus.DRAFT,
             frozenset({Role.STAFF}), note_required=True, tone="secondary", effects=("no_applications_yet",),
             role_refusal="募集の公開の取りやめは担当職員のみが行えます。",
             note_refusal="非公開に戻す理由を入力してください。"),
    ),
    visible=lambda user: visible_calls(user), related=("programme_year__programme",), error=CallError,
    activities=(
        workflow.Activity("edit_call", frozenset({CallStatus.DRAFT}), frozenset({Role.STAFF}),
                          "公開中の募集は変更できません。非公開に戻してから変更してください。"),
        workflow.Activity("assign_panel", frozenset(CallStatus.values), frozenset({Role.STAFF}),
                          "審査委員の委嘱は担当職員のみが行えます。"),
    ),
))


@workflow.effect("require_call_complete")
def _require_complete(act: Act[Call]) -> None:
    """A call is published only with its criteria and a rule that computes amounts from costs."""
    call = act.obj
    if not call.criteria.exists():
        raise CallError("審査項目を1つ以上登録してから公開してください。")
    if call.programme_year.amount_basis != "cost":
        raise CallError("この募集の年度別の交付基準は、対象経費に補助率を掛ける算定方法にしてください。")
    if not call.programme_year.expense_rules.exists():
        raise CallError("この年度の費目の取扱い（対象・対象外・条件付き）を登録してから公開してください。")


@workflow.effect("no_applications_yet")
def _no_applications(act: Act[Call]) -> None:
    if act.obj.applications.exclude(case__status="draft").exists():
        raise CallError("提出された申請があるため、非公開に戻せません。")
