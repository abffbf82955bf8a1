"""URLs of the competitive programme's pages: the panel (審査委員), the ranking and the selection (views in
``pages.competitive.panel``)."""
from django.urls import path

from pages.competitive import panel

urlpatterns = [
    path("panel/", panel.panel_home, name="panel_home"),
    path("panel/applications/<int:case_id>/", panel.panel_application, name="panel_application"),
    path("panel/applications/<int:case_id>/declare/", panel.panel_declare, name="panel_declare"),
    path("panel/applications/<int:case_id>/scores/", panel.panel_scores, name="panel_scores"),
    path("panel/applications/<int:case_id>/files/<str:kind>/", panel.panel_file, name="panel_file"),
    path("panel/calls/", panel.panel_calls, name="panel_calls"),
    path("panel/calls/<int:call_id>/ranking/", panel.panel_ranking, name="panel_ranking"),
    path("panel/calls/<int:call_id>/selection/", panel.panel_selection, name="panel_selection"),
    path("panel/calls/<int:call_id>/selection/<str:edge>/", panel.panel_selection_act, name="panel_selection_act"),
]
