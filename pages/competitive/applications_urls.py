"""URLs of the competitive programme's pages: applications (views in ``pages.competitive.applications``)."""
from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
