from django.urls import path

from pages.notices import views

urlpatterns = [
    path("notices/<int:pk>/pdf/", views.notice_pdf, name="notice_pdf"),
    path("years/<int:pk>/notices/print/", views.print_year_notices, name="notices_print"),
]
