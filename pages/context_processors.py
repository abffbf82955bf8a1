"""Template context shared by every page."""
from django.http import HttpRequest

from grants.organizations.models import Organization


def demo_notice(request: HttpRequest) -> dict[str, bool]:
    """Tell the base template whether generated (demo) organisations exist, so every page says so."""
    return {"has_demo_data": Organization.objects.filter(is_demo=True).exists()}
