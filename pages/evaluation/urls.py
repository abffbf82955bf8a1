"""URLs of the evaluation pages: the 評価委員's own (``pages.evaluation.views``) and the city's page of a case's
evaluation (``pages.evaluation.staff``)."""
from django.urls import path

from pages.evaluation import staff, views

urlpatterns = [
    path("evaluation/", views.evaluation_home, name="evaluation_home"),
    path("evaluation/<int:pk>/", views.evaluation_assignment, name="evaluation_assignment"),
    path("evaluation/<int:pk>/declare/", views.evaluation_declare, name="evaluation_declare"),
    path("evaluation/<int:pk>/scores/", views.evaluation_scores, name="evaluation_scores"),
    path("cases/<int:pk>/evaluation/", staff.case_evaluation, name="case_evaluation"),
    path("cases/<int:pk>/evaluation/assign/", staff.case_evaluation_assign, name="case_evaluation_assign"),
    path("cases/<int:pk>/evaluation/<int:assignment_pk>/withdraw/", staff.case_evaluation_withdraw,
         name="case_evaluation_withdraw"),
    path("cases/<int:pk>/evaluation/publication/", staff.case_evaluation_publication,
         name="case_evaluation_publication"),
]
