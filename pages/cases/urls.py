from django.urls import path

from pages.cases import bulk, views

urlpatterns = [
    path("", views.home, name="home"),
    path("cases/", views.case_list, name="case_list"),
    path("cases/bulk/", bulk.case_bulk, name="case_bulk"),
    path("cases/bulk/<int:pk>/", bulk.case_bulk_result, name="case_bulk_result"),
    path("cases/<int:pk>/", views.case_detail, name="case_detail"),
    path("cases/<int:pk>/act/<slug:action>/", views.case_action, name="case_action"),
    path("cases/<int:pk>/count/", views.correct_count, name="correct_count"),
    path("cases/<int:pk>/figures/<slug:code>/", views.correct_figure, name="correct_figure"),
    path("cases/<int:pk>/override/", views.override_check, name="override_check"),
    path("years/<int:pk>/", views.programme_year_detail, name="programme_year"),
    path("years/<int:pk>/run/", views.annual_run_start, name="annual_run_start"),
    path("runs/<int:pk>/", views.annual_run, name="annual_run"),
    path("runs/<int:pk>/step/", views.annual_run_step, name="annual_run_step"),
    path("organizations/<int:pk>/", views.organization_detail, name="organization_detail"),
]
