"""URLs of the competitive programme's pages: calls (views in ``pages.competitive.calls``)."""
from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
