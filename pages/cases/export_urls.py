"""URLs of the case list's exports (views in ``pages.cases.exports``); the list's query string is their filter."""
from django.urls import path

from pages.cases import exports

urlpatterns = [
    path("cases/export/xlsx/", exports.case_list_xlsx, name="case_list_xlsx"),
    path("cases/export/csv/", exports.case_list_csv, name="case_list_csv"),
]
