"""ホーム's box of the 評価委員 (``{% evaluation_box user %}`` in cases/home.html): how many assignments wait for their
declaration or their evaluation, with the link to their list (評価)."""
from __future__ import annotations

from typing import Any

from django import template

from grants.accounts.models import User
from grants.evaluation.assignments import my_assignments
from grants.evaluation.models import AssignmentStatus

register = template.Library()


@register.inclusion_tag("evaluation/_home_box.html")
def evaluation_box(user: User) -> dict[str, Any]:
    """{shown: whether the user is a 評価委員, waiting: their assignments waiting for them (評価待ち)}."""
    mine = my_assignments(user)
    return {"shown": user.is_authenticated and user.role == "evaluator",
            "waiting": mine.filter(status=AssignmentStatus.ASSIGNED).count() if user.is_authenticated else 0}
