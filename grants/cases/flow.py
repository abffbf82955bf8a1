"""The lifecycles of a grant case, as data (GRANTS.md §3): the simplified flow of formula grants to 自治会
(``simple``) and the full flow of block and competitive grants (``full``: change, report, 額の確定, closing;
its payments are ``PaymentOrder`` rows, not case states). ``Edge.lifecycles`` says which flow has the edge.

Each ``Edge`` names a django-fsm transition of ``GrantCase.status``, who may take it, whom the actor must not
be (separation of duties), whether a reason is required, and which case field records the actor. The system
check ``check_flow`` verifies at start-up that the data and the model's transitions agree.
"""
import dataclasses
import functools
from dataclasses import dataclass

from django.core import checks

from grants.accounts.models import Role


@dataclass(frozen=True)
class Edge:
    action: str
    label: str
    roles: frozenset[str]
    differs_from: tuple[str, ...] = ()
    note_required: bool = False
    records: str = ""
    tone: str = "primary"
    via_batch: bool = False  # taken by the payment-batch services, not from the case page
    lifecycles: frozenset[str] = frozenset({"simple", "full"})
    via_form: bool = False  # taken from its own form on the case page (it needs more than a note)
    full_label: str = ""  # the label in the full lifecycle, when it differs

    def for_lifecycle(self, lifecycle: str) -> "Edge":
        """This edge as shown to a case of ``lifecycle`` (its label may differ)."""
        if lifecycle == "full" and self.full_label:
            return dataclasses.replace(self, label=self.full_label)
        return self


SIMPLE = frozenset({"simple"})
FULL = frozenset({"full"})
HEAD_OR_STAFF = frozenset({Role.ASSOCIATION_HEAD, Role.STAFF})


FLOW: dict[str, Edge] = {
    edge.action: edge
    for edge in (
        Edge("submit", "申請書兼請求書を提出する", frozenset({Role.ASSOCIATION_HEAD, Role.STAFF}),
             records="submitted_by", full_label="交付申請書を提出する"),
        Edge("return_to_applicant", "申請者へ差し戻す", frozenset({Role.STAFF}), note_required=True, tone="secondary"),
        Edge("verify", "審査済にする（決裁へ回す）", frozenset({Role.STAFF}), ("submitted_by",),
             records="verified_by"),
        Edge("decide", "交付決定する", frozenset({Role.APPROVER}), ("verified_by",), records="decided_by"),
        Edge("refuse", "不交付決定する", frozenset({Role.APPROVER}), ("verified_by",), True, "decided_by", "danger"),
        Edge("prepare_payment", "支出命令を起票する", frozenset({Role.STAFF, Role.FINANCE}),
             records="payment_prepared_by", lifecycles=SIMPLE),
        Edge("approve_payment", "支出を承認する", frozenset({Role.FINANCE}), ("payment_prepared_by",),
             records="payment_approved_by", lifecycles=SIMPLE),
        Edge("reject_payment", "支出命令を差し戻す", frozenset({Role.FINANCE}), ("payment_prepared_by",), True,
             tone="secondary", lifecycles=SIMPLE),
        Edge("record_paid", "振込を実行する（振込バッチの承認）", frozenset({Role.FINANCE}), via_batch=True,
             lifecycles=SIMPLE),
        Edge("return_transfer", "振込の返却を記録する", frozenset({Role.FINANCE}), note_required=True,
             via_batch=True, lifecycles=SIMPLE),
        # Full lifecycle (GRANTS.md §3 steps 4–7).
        Edge("request_change", "変更承認申請を提出する", HEAD_OR_STAFF, records="change_requested_by",
             lifecycles=FULL, via_form=True),
        Edge("check_change", "変更承認申請を審査済にする（決裁へ回す）", frozenset({Role.STAFF}),
             ("change_requested_by",), records="change_checked_by", lifecycles=FULL, via_form=True),
        Edge("approve_change", "変更を承認する（変更交付決定）", frozenset({Role.APPROVER}), ("change_checked_by",),
             lifecycles=FULL),
        Edge("reject_change", "変更を承認しない", frozenset({Role.STAFF, Role.APPROVER}), ("change_requested_by",),
             True, tone="secondary", lifecycles=FULL),
        Edge("submit_report", "実績報告書を提出する", HEAD_OR_STAFF, records="reported_by", lifecycles=FULL),
        Edge("return_report", "実績報告を差し戻す", frozenset({Role.STAFF}), note_required=True, tone="secondary",
             lifecycles=FULL),
        Edge("verify_report", "実績報告を審査済にする（額の確定の決裁へ回す）", frozenset({Role.STAFF}),
             ("reported_by",), records="report_verified_by", lifecycles=FULL),
        Edge("confirm", "額を確定する", frozenset({Role.APPROVER}), ("report_verified_by",), records="confirmed_by",
             lifecycles=FULL),
        Edge("cancel", "交付決定を取り消す（返還を命じる）", frozenset({Role.APPROVER}), note_required=True,
             tone="danger", lifecycles=FULL, via_form=True),
        Edge("close", "完了にする（精算・返還の済んだ案件）", frozenset({Role.STAFF, Role.FINANCE}), lifecycles=FULL),
    )
}

# Which user-field of the case each separation rule names, in words for the refusal message.
SEPARATION_WORDS = {
    "submitted_by": "申請書を代理で提出した方は、同じ案件の審査を行えません。",
    "verified_by": "審査した方は、同じ案件の決裁を行えません。",
    "payment_prepared_by": "支出命令を起票した方は、同じ支出を承認・差戻しできません。",
    "change_requested_by": "変更承認申請を代理で提出した方は、同じ申請の審査・決裁を行えません。",
    "change_checked_by": "変更承認申請を審査した方は、同じ申請の決裁を行えません。",
    "reported_by": "実績報告書を代理で提出した方は、同じ報告の審査を行えません。",
    "report_verified_by": "実績報告を審査した方は、同じ案件の額の確定の決裁を行えません。",
}


@functools.cache
def sources_of(action: str) -> frozenset[str]:
    """The states from which the django-fsm transition ``action`` may be taken (read once from the model)."""
    from django_fsm import get_all_FIELD_transitions

    from .models import GrantCase

    field = GrantCase._meta.get_field("status")
    return frozenset(t.source for t in get_all_FIELD_transitions(GrantCase(), field=field) if t.name == action)


@checks.register()
def check_flow(app_configs: object = None, **kwargs: object) -> list[checks.CheckMessage]:
    """Every edge is a transition of GrantCase.status and every transition has an edge."""
    from django_fsm import get_all_FIELD_transitions

    from .models import GrantCase

    field = GrantCase._meta.get_field("status")
    names = {t.name for t in get_all_FIELD_transitions(GrantCase(), field=field)}
    errors: list[checks.CheckMessage] = []
    for action in set(FLOW) - names:
        errors.append(checks.Error(f"flow edge {action!r} is not a transition of GrantCase.status", id="cases.E001"))
    for action in names - set(FLOW):
        errors.append(checks.Error(f"transition {action!r} has no edge in FLOW", id="cases.E002"))
    for edge in FLOW.values():
        for name in (*edge.differs_from, edge.records):
            if name and not hasattr(GrantCase, name):
                errors.append(checks.Error(f"edge {edge.action!r} names unknown field {name!r}", id="cases.E003"))
        for name in edge.differs_from:
            if name not in SEPARATION_WORDS:
                errors.append(checks.Error(f"no message for separation {name!r}", id="cases.E004"))
    return errors
