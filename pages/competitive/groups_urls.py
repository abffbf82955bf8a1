"""URLs of the competitive programme's pages: groups (views in ``pages.competitive.groups``)."""
from django.urls import path

from pages.competitive import groups

urlpatterns = [
    path("dantai/touroku/", groups.register, name="group_register"),
    path("dantai/", groups.registration_list, name="group_list"),
    path("dantai/<int:pk>/", groups.registration_detail, name="group_detail"),
    path("dantai/<int:pk>/edit/", groups.registration_edit, name="group_edit"),
    path("dantai/<int:pk>/files/<str:kind>/", groups.registration_file, name="group_file"),
    path("dantai/<int:pk>/<str:edge>/", groups.registration_act, name="group_act"),
]
