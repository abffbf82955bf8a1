"""URLs of the competitive programme's pages: panel (views in ``pages.competitive.panel``)."""
from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
