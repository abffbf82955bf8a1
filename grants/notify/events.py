"""The kinds of message the system sends (お知らせ): each with its Japanese label, whether it is official (always
mailed: the user cannot turn it off), the area whose staff oversee its mail (grants or insurance) and the roles of
the users who receive it (``audience``: the mail settings page lists to each user only their kinds)."""
from dataclasses import dataclass


@dataclass(frozen=True)
class Event:
    """One kind of message. ``official``: a message of an act with legal weight or a deadline the city enforces
    (a decision, a return, a transfer), mailed whatever the user chose; the others the user may turn off (they
    still appear on ホーム). ``area``: ``grants`` or ``insurance``, whose staff see the mail log of it."""

    name: str
    label: str
    official: bool
    area: str
    audience: frozenset[str] = frozenset({"association_head"})  # the roles (User.role) it is written to


GRANTS = "grants"
INSURANCE = "insurance"
AREAS = {GRANTS: "補助金・交付金", INSURANCE: "コミュニティ活動保険"}


def _events(*events: Event) -> dict[str, Event]:
    return {e.name: e for e in events}


EVENTS: dict[str, Event] = _events(
    Event("application_returned", "申請の差戻し", True, GRANTS),
    Event("decision", "交付決定・不交付・額の確定", True, GRANTS),
    Event("payment_transferred", "補助金の振込", True, GRANTS),
    Event("change_decided", "変更申請の承認・却下", True, GRANTS),
    Event("panel_assignment", "審査の割当て", False, GRANTS, frozenset({"panel"})),
    Event("evaluation_assignment", "評価の割当て", False, GRANTS, frozenset({"evaluator"})),
    Event("invitation", "団体への招待", True, GRANTS, frozenset()),  # to an address: no account yet
    Event("report_due", "報告の期限のお知らせ", False, GRANTS),
    Event("report_overdue", "報告の期限超過", True, GRANTS),
    Event("claim_fileable", "保険金請求の手続のお知らせ", False, INSURANCE),
    Event("claim_reminder", "保険金請求の督促", True, INSURANCE),
    Event("insurer_no_answer", "保険会社からの回答待ち", False, INSURANCE, frozenset({"insurance"})),
    Event("tax_report_due", "税務の届出期限のお知らせ", False, GRANTS),
)


def event(name: str) -> Event:
    """The event ``name``; ``KeyError`` for a name the system does not send (a typo in a caller)."""
    return EVENTS[name]


def events_for(role: str) -> list[Event]:
    """The kinds of message a user of ``role`` receives, in the table's order."""
    return [e for e in EVENTS.values() if role in e.audience]
