"""The budget dashboard (予算ダッシュボード): per programme-year, per 地域 and per 地域づくり協議会 (管理費割合),
and each council's grant history (交付の推移), for city staff only."""
import re

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from grants.core.fiscal import fiscal_year_label, fiscal_year_of
from grants.councils.stats import council_history, council_shares
from grants.organizations.models import Organization, OrganizationKind
from pages.http import AuthedRequest, city_user_required
from reports.dashboard import (
    area_totals,
    call_totals,
    evaluation_totals,
    fiscal_years,
    programme_totals,
    sum_area_rows,
    sum_programme_rows,
)


def selected_fiscal_year(raw: str | None, choices: list[int], default: int) -> int:
    """The year asked for in ``?fiscal_year=`` when it is one of ``choices``; otherwise ``default``."""
    if raw and re.fullmatch(r"[0-9]{4}", raw) and int(raw) in choices:
        return int(raw)
    return default


@city_user_required
def dashboard(request: AuthedRequest) -> HttpResponse:
    """Tables of budget, 交付決定額, 支出済額, 返還額 and 執行可能額 per programme-year and per 地域 for one
    年度 (GET ``fiscal_year``, default this 年度), a bar chart per 地域 drawn in the browser by Chart.js
    from the ``json_script`` data (yen amounts as integers), and the councils' 管理費割合 of that 年度, highest
    first (``grants.councils.stats.council_shares``, one query), and for a competitive programme each call's
    (募集) budget against its decided 採択 (``reports.dashboard.call_totals``, one query), and the evaluation (評価) of
    each programme-year that has criteria (``reports.dashboard.evaluation_totals``, seven queries)."""
    current = fiscal_year_of(timezone.localdate())
    years = sorted({current, *fiscal_years()}, reverse=True)
    fiscal_year = selected_fiscal_year(request.GET.get("fiscal_year"), years, current)
    programmes = programme_totals(fiscal_year)
    areas = area_totals(fiscal_year)
    chart = {
        "labels": [a.name for a in areas],
        "series": [
            {"key": "committed", "label": "交付決定額", "data": [a.committed for a in areas]},
            {"key": "made", "label": "振込済額", "data": [a.made for a in areas]},
            {"key": "pending", "label": "振込予定額", "data": [a.pending for a in areas]},
        ],
        "unit": "円",
    }
    context = {
        "fiscal_year": fiscal_year,
        "fiscal_year_label": fiscal_year_label(fiscal_year),
        "year_choices": [(y, fiscal_year_label(y)) for y in years],
        "programmes": programmes,
        "programme_sum": sum_programme_rows(programmes),
        "areas": areas,
        "area_sum": sum_area_rows(areas),
        "chart": chart,
        "councils": council_shares(fiscal_year),
        "calls": call_totals(fiscal_year),
        "evaluations": evaluation_totals(fiscal_year),
    }
    return render(request, "dashboard/dashboard.html", context)


@city_user_required
def council_history_page(request: AuthedRequest, pk: int) -> HttpResponse:
    """The grant history (交付の推移) of council ``pk``: 運営支援, 活動支援, 合計 and 管理費割合 per 年度, oldest
    first. 404 when ``pk`` is not a 地域づくり協議会. Two queries besides the session's."""
    council = get_object_or_404(
        Organization.objects.select_related("area"), pk=pk, kind=OrganizationKind.KYOGIKAI
    )
    return render(request, "dashboard/council_history.html", {
        "council": council,
        "rows": council_history(council.pk),
    })
