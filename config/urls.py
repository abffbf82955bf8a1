from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("grants.cases.urls")),
    path("", include("grants.councils.urls")),
    path("", include("grants.jobs.urls")),
    path("", include("grants.ledger.urls")),
    path("", include("grants.notices.urls")),
    path("", include("grants.dashboard.urls")),
    path("", include("reports.urls")),
    path("insurance/", include("grants.insurance.urls")),
]
