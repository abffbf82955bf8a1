"""Every URL of the pages (the admin is added by ``config.urls``)."""
from django.urls import include, path

urlpatterns = [
    path("", include("pages.accounts.urls")),
    path("", include("pages.cases.urls")),
    path("", include("pages.cases.full_urls")),
    path("", include("pages.cases.export_urls")),
    path("", include("pages.councils.urls")),
    path("", include("pages.jobs.urls")),
    path("", include("pages.payments.urls")),
    path("", include("pages.ledger.urls")),
    path("", include("pages.notices.urls")),
    path("", include("pages.dashboard.urls")),
    path("", include("pages.reports.urls")),
    path("insurance/", include("pages.insurance.urls")),
    path("", include("pages.competitive.urls")),
    path("", include("pages.notify.urls")),
    path("", include("pages.organizations.urls")),
    path("", include("pages.catalogue.urls")),
    path("", include("pages.opendata.urls")),
    path("", include("pages.evaluation.urls")),
    path("", include("pages.evaluation.case_urls")),
    path("api/", include("pages.api.urls")),
]
