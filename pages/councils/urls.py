"""URLs of the 地域づくり計画, a council's 事務局員 and the 実績報告 deadlines."""
from django.urls import path

from pages.councils import views

urlpatterns = [
    path("councils/plans/", views.plan_list, name="plan_list"),
    path("councils/plans/new/", views.plan_create, name="plan_create"),
    path("councils/plans/<int:pk>/", views.plan_detail, name="plan_detail"),
    path("councils/plans/<int:pk>/items/", views.plan_add_item, name="plan_add_item"),
    path("councils/plans/<int:pk>/items/<int:item_pk>/delete/", views.plan_delete_item, name="plan_delete_item"),
    path("councils/plans/<int:pk>/attachments/", views.plan_add_attachment, name="plan_add_attachment"),
    path("councils/plans/<int:pk>/attachments/<int:attachment_pk>/", views.plan_attachment,
         name="plan_attachment"),
    path("councils/plans/<int:pk>/submit/", views.plan_submit, name="plan_submit"),
    path("councils/plans/<int:pk>/return/", views.plan_return, name="plan_return"),
    path("councils/plans/<int:pk>/approve/", views.plan_approve, name="plan_approve"),
    path("councils/plans/<int:pk>/revise/", views.plan_revise, name="plan_revise"),
    path("councils/<int:pk>/staff/", views.council_staff, name="council_staff"),
    path("councils/<int:pk>/staff/<int:staff_pk>/end/", views.council_staff_end, name="council_staff_end"),
    path("councils/reports/overdue/", views.overdue_reports, name="overdue_reports"),
]
