"""The header's 「who is logged in」: the user's name, and their role once — left out when the name already says
it (「協働推進課 担当（デモ）」 was followed by 「（協働推進課 担当）」)."""
from __future__ import annotations

from django import template

from grants.accounts.models import User

register = template.Library()


def role_short(user: User) -> str:
    """The role's label without its explanation: 「団体の利用者（代表者・会計・担当者）」 → 「団体の利用者」."""
    return str(user.get_role_display()).split("（", 1)[0].strip()


@register.filter
def signed_in_as(user: User) -> str:
    """「山田 花子（決裁者）」, or the name alone when it already names the role (「協働推進課 担当（デモ）」)."""
    name = str(user)
    role = role_short(user)
    if not role or role in name or role.replace(" ", "") in name.replace(" ", ""):
        return name
    return f"{name}（{role}）"
