"""Template context shared by every page."""
from django.http import HttpRequest

from grants.accounts.models import Role
from grants.organizations.models import Organization, OrganizationKind, Representative


def demo_notice(request: HttpRequest) -> dict[str, bool]:
    """Tell the base template whether generated (demo) organisations exist, so every page says so. Asked once a
    request (a page that renders a form or a table builds its context more than once)."""
    if not hasattr(request, "has_demo_data"):
        request.has_demo_data = Organization.objects.filter(is_demo=True).exists()  # type: ignore[attr-defined]
    return {"has_demo_data": request.has_demo_data}  # type: ignore[attr-defined]


def applicant_menus(request: HttpRequest) -> dict[str, bool]:
    """Which applicant menus apply to the logged-in applicant: 地域づくり計画 only to one who acts for a 地域づくり
    協議会 today (a 自治会長 found an empty list there). One query, for applicants only; city users see it always."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or user.role != Role.ASSOCIATION_HEAD:
        return {"acts_for_council": False}
    return {"acts_for_council": Representative.objects.current().filter(
        user=user, organization__kind=OrganizationKind.KYOGIKAI).exists()}
