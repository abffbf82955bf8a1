"""The acts on the rail that send a message, as data: (machine, edge) → a function building the message from the
act (``Message``: its event, recipients, subject, body and page), or None when the act sends none.

The applicant's events go to the organisation's members (``members``); the user who took the act does not get a
message of their own act. No mail carries personal data: never an injured person's name, never a bank account;
a message says what happened (the organisation, the case's number and programme as the pages show them, an
amount) and links to the page where the rest is shown after login."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.urls import NoReverseMatch, reverse

from grants.cases.models import GrantCase
from grants.core.money import yen
from grants.core.workflow import Act
from grants.organizations.models import Organization

from .services import members, notify


@dataclass(frozen=True)
class Message:
    event: str
    recipients: list[Any]
    subject: str
    body: str
    url: str


Builder = Callable[[Act[Any]], "Message | None"]
RAIL: dict[tuple[str, str], Builder] = {}

# The workflows of grant cases whose acts send messages (a workflow registered elsewhere adds its name here).
CASE_MACHINES = ("case.formula", "case.full", "case.competitive")


def on(machines: Iterable[str], *edges: str) -> Callable[[Builder], Builder]:
    """Register ``builder`` for each edge of each machine named."""

    def add(builder: Builder) -> Builder:
        for machine in machines:
            for edge in edges:
                RAIL[(machine, edge)] = builder
        return builder

    return add


def on_act(act: Act[Any]) -> None:
    """The listener of every act (``workflow.listen``): the act's message, written in its transaction (rolled back
    with it; the mail waits for the commit)."""
    build = RAIL.get((act.machine.name, act.edge.name))
    if build is None:
        return
    message = build(act)
    if message is None:
        return
    actor_pk = getattr(act.actor, "pk", None)
    recipients = [r for r in message.recipients if isinstance(r, str) or actor_pk is None or r.pk != actor_pk]
    if recipients:
        notify(event=message.event, recipients=recipients, subject=message.subject, body=message.body,
               url=message.url)


def page(name: str, *args: Any) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def case_words(case: GrantCase) -> str:
    """The case as the pages name it: 「令和8年度 自治会等自治振興交付金（案件番号 令和8年度 自治振興 第42号）」."""
    title = f"「{case.project_title}」" if case.project_title else ""
    return f"{case.programme_year}{title}（案件番号 {case.reference}）"


def _greeting(org: Organization) -> str:
    return f"{org.name} 御中\n\n"


def _reason(note: str) -> str:
    note = note.strip()
    return f"\n理由: {note}" if note else ""


def _case_message(act: Act[Any], event: str, what: str, *, reason: bool = False, extra: str = "",
                  closing: str = "") -> Message:
    case: GrantCase = act.obj
    org = case.organization
    body = f"{_greeting(org)}{case_words(case)}について、{what}。"
    if extra:
        body += f"\n{extra}"
    if reason:
        body += _reason(act.note)
    if closing:
        body += f"\n{closing}"
    return Message(event, members(org), f"【{what}】{case.reference}", body, page("case_detail", case.pk))


@on(CASE_MACHINES, "return_to_applicant")
def _returned(act: Act[Any]) -> Message:
    return _case_message(act, "application_returned", "申請が差し戻されました", reason=True,
                         closing="内容をご確認のうえ、直して、もう一度提出してください。")


@on(CASE_MACHINES, "return_report")
def _report_returned(act: Act[Any]) -> Message:
    return _case_message(act, "application_returned", "実績報告が差し戻されました", reason=True,
                         closing="内容をご確認のうえ、直して、もう一度提出してください。")


@on(CASE_MACHINES, "decide")
def _decided(act: Act[Any]) -> Message:
    return _case_message(act, "decision", "交付が決定しました", extra=f"交付決定額: {yen(act.obj.decided_amount)}",
                         closing="交付決定通知書はページからご覧いただけます。")


@on(CASE_MACHINES, "refuse")
def _refused(act: Act[Any]) -> Message:
    return _case_message(act, "decision", "不交付と決定しました", reason=True,
                         closing="不交付決定通知書はページからご覧いただけます。")


@on(CASE_MACHINES, "confirm")
def _confirmed(act: Act[Any]) -> Message:
    return _case_message(act, "decision", "補助金の額が確定しました", extra=f"確定額: {yen(act.obj.confirmed_amount)}",
                         closing="額の確定通知書はページからご覧いただけます。")


@on(CASE_MACHINES, "cancel")
def _cancelled(act: Act[Any]) -> Message:
    return _case_message(act, "decision", "交付決定が取り消されました", reason=True,
                         closing="返還についてはページをご覧ください。")


@on(CASE_MACHINES, "select")
def _selected(act: Act[Any]) -> Message:
    return _case_message(act, "decision", "採択と決まりました",
                         closing="交付決定に向けた審査を行います。決定の際に改めてお知らせします。")


@on(CASE_MACHINES, "not_select")
def _not_selected(act: Act[Any]) -> Message:
    return _case_message(act, "decision", "不採択と決まりました", closing="詳しくはページをご覧ください。")


@on(CASE_MACHINES, "approve_change")
def _change_approved(act: Act[Any]) -> Message:
    return _case_message(act, "change_decided", "変更承認申請が承認されました",
                         extra=f"変更後の交付決定額: {yen(act.obj.decided_amount)}")


@on(CASE_MACHINES, "reject_change")
def _change_rejected(act: Act[Any]) -> Message:
    return _case_message(act, "change_decided", "変更承認申請は承認されませんでした", reason=True)


@on(["batch_item"], "record_transfer_done")
def _transferred(act: Act[Any]) -> Message:
    """The bank confirmed the transfer (振込完了): the money has left. The amount and the day, never the account."""
    item = act.obj
    case = GrantCase.objects.select_related("programme_year__programme", "organization").get(pk=item.case_id)
    org = case.organization
    body = (f"{_greeting(org)}{case_words(case)}について、{yen(item.amount)}を振り込みました"
            f"（振込日: {item.batch.transfer_date:%Y年%m月%d日}）。\n支払通知書はページからご覧いただけます。")
    return Message("payment_transferred", members(org), f"【振込のお知らせ】{case.reference}", body,
                   page("case_detail", case.pk))


@on(["batch_item"], "record_transfer_returned")
def _transfer_returned(act: Act[Any]) -> Message:
    """The bank returned the transfer (振込不能・組戻し): the group must check the account the city has on file
    before it is paid again. Neither the account nor the bank's reason (which may quote the account) is written."""
    item = act.obj
    case = GrantCase.objects.select_related("programme_year__programme", "organization").get(pk=item.case_id)
    org = case.organization
    body = (f"{_greeting(org)}{case_words(case)}の{yen(item.amount)}は、金融機関から返却され、振り込めませんでした。"
            "\n市に届け出ている口座（金融機関・支店・口座番号・名義）をご確認のうえ、変わっている場合は担当課へ"
            "お知らせください。確認ができしだい、あらためて振り込みます。")
    return Message("payment_transferred", members(org), f"【振込できませんでした】{case.reference}", body,
                   page("case_detail", case.pk))


@on(["community_plan"], "return_plan")
def _plan_returned(act: Act[Any]) -> Message:
    plan = act.obj
    org = plan.organization
    body = (f"{_greeting(org)}地域づくり計画「{plan.title}」（{plan.term_label}）が差し戻されました。"
            f"{_reason(act.note)}\n内容をご確認のうえ、直して、もう一度提出してください。")
    return Message("application_returned", members(org), "【計画が差し戻されました】地域づくり計画", body,
                   page("plan_detail", plan.pk))


@on(["group_registration"], "return_group")
def _group_returned(act: Act[Any]) -> Message:
    registration = act.obj
    org = registration.organization
    body = (f"{_greeting(org)}市民活動団体の登録申請が差し戻されました。{_reason(act.note)}\n"
            "内容をご確認のうえ、直して、登録を申請し直してください。")
    return Message("application_returned", members(org), "【団体登録が差し戻されました】", body,
                   page("group_detail", registration.pk))


def panel_assigned(member: Any, actor: Any) -> None:
    """A 審査委員 assigned to a call's panel (``grants.competitive.panel.assign``, not a rail act): their message."""
    call = member.call
    body = (f"{member.user} 様\n\n{call}の審査委員に委嘱されました。"
            "審査するページで、各申請について利害関係の有無を申告のうえ、採点してください。")
    notify(event="panel_assignment", recipients=[member.user], subject=f"【審査の依頼】{call}", body=body,
           url=page("panel_home"))


def evaluation_assigned(assignment: Any, actor: Any) -> None:
    """A 評価委員 assigned to evaluate a closed case (``grants.evaluation.assignments.assign``, not a rail act):
    their message, mailed after the commit."""
    case = assignment.case
    body = (f"{assignment.evaluator} 様\n\n{case.reference}（{case.organization}）の{assignment.get_kind_display()}を"
            "お願いします。評価のページで、この団体との利益相反の有無を申告のうえ、評価を入力して提出してください。")
    notify(event="evaluation_assignment", recipients=[assignment.evaluator], subject=f"【評価の依頼】{case.reference}",
           body=body, url=page("evaluation_assignment", assignment.pk))
