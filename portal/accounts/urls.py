from django.urls import path

from portal.accounts import views

app_name = "accounts"

urlpatterns = [
    path("teams/", views.TeamListView.as_view(), name="team_list"),
    path("teams/add/", views.TeamEditView.as_view(), name="team_add"),
    path("teams/<int:pk>/", views.TeamDetailView.as_view(), name="team_detail"),
    path("teams/<int:pk>/edit/", views.TeamEditView.as_view(), name="team_edit"),
    path("teams/<int:pk>/delete/", views.TeamDeleteView.as_view(), name="team_delete"),
    path("memberships/add/", views.MembershipEditView.as_view(), name="membership_add"),
    path("memberships/<int:pk>/edit/", views.MembershipEditView.as_view(), name="membership_edit"),
    path(
        "memberships/<int:pk>/delete/",
        views.MembershipDeleteView.as_view(),
        name="membership_delete",
    ),
    path("account/", views.profile, name="profile"),
]
