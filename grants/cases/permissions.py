"""Who may see a case and who may take an edge of its flow."""
from grants.accounts.models import Role, User

from .flow import SEPARATION_WORDS, Edge
from .models import GrantCase


def access_case(user: User, pk: int, *, for_update: bool = False) -> GrantCase:
    """The case ``pk`` if ``user`` may see it; ``GrantCase.DoesNotExist`` both when it is missing and when it
    is not theirs (views answer 404 for both). ``for_update`` locks the row (call inside a transaction)."""
    qs = GrantCase.objects.visible_to(user)
    if for_update:
        # Lock only the case row: visibility is checked first, then the row is locked on its own.
        GrantCase.objects.filter(pk__in=qs.values("pk")).get(pk=pk)
        return GrantCase.objects.select_for_update().select_related("programme_year__programme", "organization").get(
            pk=pk
        )
    return qs.select_related("programme_year__programme", "organization__area").get(pk=pk)


def refusal(edge: Edge, case: GrantCase, user: User) -> str | None:
    """Why ``user`` may not take ``edge`` on ``case`` (Japanese), or None when they may."""
    if case.programme_year.programme.lifecycle not in edge.lifecycles:
        return "この事業の案件には、この手続はありません。"
    if user.role not in edge.roles:
        return "この操作を行う権限がありません。"
    for field in edge.differs_from:
        if getattr(case, f"{field}_id") == user.pk:
            return SEPARATION_WORDS[field]
    return None


def may_correct_count(case: GrantCase, user: User) -> bool:
    """Heads (of their own cases, already scoped by ``access_case``) and staff may correct the count of a
    case not yet submitted."""
    return case.status == "draft" and user.role in (Role.ASSOCIATION_HEAD, Role.STAFF)
