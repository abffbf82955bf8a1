from django.urls import path

from pages.dashboard import views

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/councils/<int:pk>/", views.council_history_page, name="dashboard_council_history"),
]
