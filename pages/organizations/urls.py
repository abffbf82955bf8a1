from django.urls import path

from . import views

urlpatterns = [
    path("organizations/<int:pk>/members/", views.members, name="organization_members"),
    path("organizations/<int:pk>/members/handover/", views.handover, name="organization_handover"),
    path("organizations/<int:pk>/members/<int:term_pk>/end/", views.end_member_term, name="organization_member_end"),
    path("organizations/<int:pk>/invitations/<int:invitation_pk>/revoke/", views.revoke_invitation,
         name="organization_invitation_revoke"),
    path("invite/<str:token>/", views.accept_invitation, name="invitation_accept"),
]
