"""URLs of the full-lifecycle parts of a case page, under ``/cases/<pk>/`` (views in ``pages.cases.full``)."""
from django.urls import path

from pages.cases import full as views

urlpatterns = [
    path("cases/<int:pk>/application/", views.save_application, name="case_application"),
    path("cases/<int:pk>/lines/<slug:where>/add/", views.add_line, name="case_line_add"),
    path("cases/<int:pk>/lines/<slug:where>/<int:line_pk>/delete/", views.delete_line, name="case_line_delete"),
    path("cases/<int:pk>/staff-lines/", views.add_staff_lines, name="case_staff_lines"),
    path("cases/<int:pk>/review/", views.verify, name="case_review"),
    path("cases/<int:pk>/overrides/<int:override_pk>/approve/", views.approve_override,
         name="case_override_approve"),
    path("cases/<int:pk>/overrides/<int:override_pk>/reject/", views.reject_override,
         name="case_override_reject"),
    path("cases/<int:pk>/orders/<int:order_pk>/<slug:act>/", views.order_action, name="case_order_action"),
    path("cases/<int:pk>/change/start/", views.start_change, name="case_change_start"),
    path("cases/<int:pk>/change/submit/", views.submit_change, name="case_change_submit"),
    path("cases/<int:pk>/change/check/", views.check_change, name="case_change_check"),
    path("cases/<int:pk>/change/withdraw/", views.withdraw_change, name="case_change_withdraw"),
    path("cases/<int:pk>/report/", views.save_report, name="case_report"),
    path("cases/<int:pk>/report/receipts/", views.add_receipt, name="case_receipt_add"),
    path("cases/<int:pk>/report/receipts/<int:receipt_pk>/", views.receipt_download, name="case_receipt"),
    path("cases/<int:pk>/refund/receipts/", views.record_refund, name="case_refund_receipt"),
    path("cases/<int:pk>/cancel/", views.cancel, name="case_cancel"),
]
