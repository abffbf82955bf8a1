"""URLs of the council pages: plans, secretariat staff and the overdue list (``urls_plans``), and the
full-lifecycle parts of a case (``urls_cases``)."""
from django.urls import include, path

urlpatterns = [
    path("", include("grants.councils.urls_plans")),
    path("", include("grants.councils.urls_cases")),
]
