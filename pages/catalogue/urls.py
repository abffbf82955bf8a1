from django.urls import URLPattern, URLResolver, path

from . import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("programmes/", views.catalogue_list, name="catalogue"),
    path("programmes/city/<int:pk>/", views.city_programme, name="catalogue_city"),
    path("programmes/other/<int:pk>/", views.other_programme, name="catalogue_other"),
]
