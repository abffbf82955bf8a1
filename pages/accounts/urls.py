from django.contrib.auth import views as auth_views
from django.urls import path

from pages.accounts import views

urlpatterns = [
    path("login/", views.GrantsLoginView.as_view(), name="login"),
    path("login/code/", views.two_factor, name="two_factor"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
]
