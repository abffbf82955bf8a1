"""URLs of the competitive programme's pages: groups (views in ``pages.competitive.groups``)."""
from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
