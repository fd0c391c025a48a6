from django.urls import path

from portal.projects import views

app_name = "projects"

urlpatterns = [
    path("projects/", views.ProjectListView.as_view(), name="project_list"),
    path("projects/add/", views.ProjectEditView.as_view(), name="project_add"),
    path("projects/<int:pk>/", views.ProjectDetailView.as_view(), name="project_detail"),
    path("projects/<int:pk>/edit/", views.ProjectEditView.as_view(), name="project_edit"),
    path("projects/<int:pk>/delete/", views.ProjectDeleteView.as_view(), name="project_delete"),
    path("environments/", views.EnvironmentListView.as_view(), name="environment_list"),
    path("environments/add/", views.EnvironmentEditView.as_view(), name="environment_add"),
    path(
        "environments/<int:pk>/", views.EnvironmentDetailView.as_view(), name="environment_detail"
    ),
    path(
        "environments/<int:pk>/edit/",
        views.EnvironmentEditView.as_view(),
        name="environment_edit",
    ),
    path(
        "environments/<int:pk>/delete/",
        views.EnvironmentDeleteView.as_view(),
        name="environment_delete",
    ),
]
