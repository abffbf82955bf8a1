from django.urls import path

from pages.ledger import views

urlpatterns = [
    path("ledger/", views.ledger, name="ledger"),
]
