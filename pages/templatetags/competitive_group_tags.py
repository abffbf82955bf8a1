"""ホーム's box of the 市民活動団体 registration (``{% group_registration_box user %}`` in cases/home.html): a group's
representative sees the status of its registration; city users see how many wait for confirmation."""
from __future__ import annotations

from typing import Any

from django import template

from grants.accounts.models import User
from grants.competitive.groups import represented_registrations, visible_registrations
from grants.competitive.models import RegistrationStatus

register = template.Library()


@register.inclusion_tag("competitive/groups/_home_box.html")
def group_registration_box(user: User) -> dict[str, Any]:
    """{registrations: the user's groups' registrations, waiting: registrations waiting for staff (city users)}."""
    waiting = None
    if user.is_authenticated and user.is_city_user:
        waiting = visible_registrations(user).filter(status=RegistrationStatus.SUBMITTED).count()
    return {"registrations": list(represented_registrations(user)), "waiting": waiting,
            "submitted": RegistrationStatus.SUBMITTED}
