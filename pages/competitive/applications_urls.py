"""URLs of the competitive programme's pages: applications (views in ``pages.competitive.applications``)."""
from django.urls import path

from pages.competitive import applications as views

urlpatterns = [
    path("competitive/applications/", views.start, name="competitive_applications"),
    path("competitive/applications/<int:pk>/plan/", views.save_plan, name="competitive_plan_save"),
    path("competitive/applications/<int:pk>/amount/", views.amount_preview, name="competitive_amount_preview"),
    path("competitive/applications/<int:pk>/attachments/", views.attachment_add, name="competitive_attachment_add"),
    path("competitive/applications/<int:pk>/attachments/<int:attachment_pk>/", views.attachment_download,
         name="competitive_attachment"),
    path("competitive/applications/<int:pk>/attachments/<int:attachment_pk>/delete/", views.attachment_remove,
         name="competitive_attachment_remove"),
]
