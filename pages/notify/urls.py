from django.urls import path

from pages.notify import views

urlpatterns = [
    path("notifications/", views.notification_list, name="notification_list"),
    path("notifications/<int:pk>/", views.notification_open, name="notification_open"),
    path("account/mail/", views.mail_settings, name="mail_settings"),
    path("mail/log/", views.mail_log, name="mail_log"),
]
