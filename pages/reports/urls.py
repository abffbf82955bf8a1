from django.urls import path

from pages.reports import views

urlpatterns = [
    path("years/<int:pk>/exports/", views.request_programme_year_export, name="request_programme_year_export"),
    path("exports/fiscal-year/<int:fiscal_year>/", views.request_fiscal_year_export, name="request_fiscal_year_export"),
]
