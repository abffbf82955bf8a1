"""URLs of the 消費税仕入控除税額 report's pages (views in ``pages.competitive.tax``)."""
from django.urls import URLPattern, path

from . import tax

urlpatterns: list[URLPattern] = [
    path("tax-reports/", tax.tax_report_list, name="tax_report_list"),
    path("tax-reports/<int:pk>/", tax.tax_report_detail, name="tax_report_detail"),
    path("tax-reports/<int:pk>/submit/", tax.tax_report_submit, name="tax_report_submit"),
    path("tax-reports/<int:pk>/act/<str:edge>/", tax.tax_report_act, name="tax_report_act"),
    path("tax-reports/<int:pk>/evidence/", tax.tax_report_evidence, name="tax_report_evidence"),
]
