"""URLs of the 評価 section of a case page, under ``/cases/<pk>/evaluation/`` (views in
``pages.evaluation.case_section``)."""
from django.urls import path

from pages.evaluation import case_section as views

urlpatterns = [
    path("cases/<int:pk>/evaluation/targets/", views.save_targets, name="case_targets"),
    path("cases/<int:pk>/evaluation/results/", views.save_results, name="case_results"),
]
