from django.urls import path

from portal.credentials import views

app_name = "credentials"

urlpatterns = [
    path("credentials/", views.CredentialListView.as_view(), name="credential_list"),
    path("credentials/add/", views.CredentialEditView.as_view(), name="credential_add"),
    path("credentials/fields/", views.CredentialFieldsView.as_view(), name="credential_fields"),
    path("credentials/<int:pk>/", views.CredentialDetailView.as_view(), name="credential_detail"),
    path("credentials/<int:pk>/edit/", views.CredentialEditView.as_view(), name="credential_edit"),
    path(
        "credentials/<int:pk>/delete/",
        views.CredentialDeleteView.as_view(),
        name="credential_delete",
    ),
    path(
        "credentials/<int:pk>/environments/",
        views.CredentialBindView.as_view(),
        name="credential_bind",
    ),
]
