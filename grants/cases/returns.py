"""A case sent back to its applicant and not yet sent again (差戻し): when, why, and what to send again — read from
the audit trail (the latest return after the latest submission), so that the applicant's ホーム and the case page
can say it at the top instead of leaving the reason in the history.

Each return edge of a case machine (``return_to_applicant``, ``return_report``) is paired with the edge that sends
the case again (``submit``, ``submit_report``); the return stands while the case is still in the state the return
left it in and no sending again came after it.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Model
from django.utils import timezone

from grants.core.fiscal import wareki
from grants.core.models import AuditEvent

from .models import GrantCase

#: Each return edge of a case, with the edge that sends it again and what was sent back, in words.
RETURNS: dict[str, tuple[str, str]] = {
    "return_to_applicant": ("submit", "申請"),
    "return_report": ("submit_report", "実績報告"),
}


@dataclass(frozen=True)
class Returned:
    """A return that stands: its day, the reason staff wrote and what was sent back (申請, 実績報告)."""

    on: dt.date
    reason: str
    what: str

    @property
    def text(self) -> str:
        """「差し戻されました（令和8年12月4日）：添付の見積書が古いため。直して、もう一度提出してください。」"""
        reason = self.reason.strip().rstrip("。")
        subject = "" if self.what in ("申請", "計画") else f"{self.what}が"
        why = f"：{reason}" if reason else ""
        return f"{subject}差し戻されました（{wareki(self.on)}）{why}。直して、もう一度提出してください。"


def pending_returns(cases: Iterable[Any], returns: dict[str, tuple[str, str]] | None = None,
                    model: type[Model] = GrantCase) -> dict[int, Returned]:
    """The returns that stand, by id, for ``cases`` — in one query whatever their number. Another kind of
    object with a status (a 地域づくり計画) names its ``model`` and its ``returns`` (edge: (edge sending it again,
    what was sent back))."""
    returns = RETURNS if returns is None else returns
    by_id = {case.pk: case for case in cases}
    if not by_id:
        return {}
    resends = {again for again, _ in returns.values()}
    events = (AuditEvent.objects
              .filter(content_type=ContentType.objects.get_for_model(model), object_id__in=by_id,
                      action__in=[*returns, *resends])
              .order_by("object_id", "at", "pk")
              .values_list("object_id", "action", "to_state", "at", "note"))
    latest: dict[int, tuple[str, str, dt.datetime, str]] = {}
    for object_id, action, to_state, at, note in events:
        latest[object_id] = (action, to_state, at, note)
    found: dict[int, Returned] = {}
    for case_id, (action, to_state, at, note) in latest.items():
        if action in returns and by_id[case_id].status == to_state:
            found[case_id] = Returned(timezone.localtime(at).date(), note, returns[action][1])
    return found


def pending_return(case: GrantCase) -> Returned | None:
    """The return of ``case`` that stands, or None."""
    return pending_returns([case]).get(case.pk)
