"""ホーム's box of the 消費税仕入控除税額 reports (``{% tax_report_box user %}`` in cases/home.html): a group's
representative sees its own reports with their due dates; city users see how many are overdue or coming, with the
link to the list."""
from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.utils import timezone

from grants.accounts.models import User
from grants.competitive import tax
from grants.competitive.models import TaxReportStatus

register = template.Library()


@register.inclusion_tag("competitive/tax/_home_box.html")
def tax_report_box(user: User) -> dict[str, Any]:
    """{reports: the group's own reports (a representative), counts: overdue and coming (city users), today}."""
    today = timezone.localdate()
    if not user.is_authenticated:
        return {"reports": [], "counts": None}
    if user.is_city_user:
        due = tax.visible_tax_reports(user).filter(status=TaxReportStatus.DUE)
        return {"reports": [], "today": today, "coming_days": tax.COMING_DAYS, "counts": {
            "overdue": due.filter(due_on__lt=today).count(),
            "coming": due.filter(due_on__gte=today, due_on__lte=today + dt.timedelta(days=tax.COMING_DAYS)).count(),
        }}
    reports = list(tax.visible_tax_reports(user).select_related("case__organization", "case__programme_year"))
    return {"reports": reports, "counts": None, "today": today}
