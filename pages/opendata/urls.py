"""The open data's public URLs (no login): the page, each 年度's files and the data dictionary."""
from django.urls import URLPattern, URLResolver, path

from . import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("opendata/", views.index, name="opendata_index"),
    path("opendata/dictionary/", views.dictionary, name="opendata_dictionary"),
    path("opendata/dictionary.csv", views.dictionary_csv, name="opendata_dictionary_csv"),
    path("opendata/<int:fiscal_year>/awards.csv", views.awards_csv, name="opendata_awards_csv"),
    path("opendata/<int:fiscal_year>/awards-sjis.csv", views.awards_sjis_csv, name="opendata_awards_sjis_csv"),
    path("opendata/<int:fiscal_year>/awards.json", views.awards_json, name="opendata_awards_json"),
    path("opendata/<int:fiscal_year>/evaluations.csv", views.evaluations_csv, name="opendata_evaluations_csv"),
    path("opendata/<int:fiscal_year>/evaluations-sjis.csv", views.evaluations_sjis_csv,
         name="opendata_evaluations_sjis_csv"),
    path("opendata/<int:fiscal_year>/evaluations.json", views.evaluations_json, name="opendata_evaluations_json"),
]
