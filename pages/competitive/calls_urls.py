"""URLs of the competitive programme's pages: calls (views in ``pages.competitive.calls``): the staff pages under
``competitive/calls/`` and the public ones under ``koubo/`` (no login)."""
from django.urls import path

from pages.competitive import calls

urlpatterns = [
    path("competitive/calls/", calls.call_list, name="call_list"),
    path("competitive/calls/new/", calls.call_create, name="call_create"),
    path("competitive/calls/<int:pk>/", calls.call_detail, name="call_detail"),
    path("competitive/calls/<int:pk>/edit/", calls.call_edit, name="call_edit"),
    path("competitive/calls/<int:pk>/act/<slug:edge>/", calls.call_act, name="call_act"),
    path("competitive/calls/<int:pk>/rule/", calls.call_rule, name="call_rule"),
    path("competitive/calls/<int:pk>/rule/expenses/", calls.call_expenses, name="call_expenses"),
    path("competitive/calls/<int:pk>/panel/", calls.call_panel, name="call_panel"),
    path("koubo/", calls.public_call_list, name="public_call_list"),
    path("koubo/<int:pk>/", calls.public_call_detail, name="public_call_detail"),
]
