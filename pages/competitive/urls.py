"""Every URL of the 市民活動交流事業補助金 pages: calls (staff and public), groups, applications, the panel and the
selection, the 消費税仕入控除税額 reports. Each part has its own URL module."""
from django.urls import include, path

urlpatterns = [
    path("", include("pages.competitive.calls_urls")),
    path("", include("pages.competitive.groups_urls")),
    path("", include("pages.competitive.applications_urls")),
    path("", include("pages.competitive.panel_urls")),
    path("", include("pages.competitive.tax_urls")),
]
