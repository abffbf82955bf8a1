"""URLs of the competitive programme's pages: tax (views in ``pages.competitive.tax``)."""
from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
