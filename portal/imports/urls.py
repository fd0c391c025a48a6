from django.urls import path

from portal.imports import views

app_name = "imports"

urlpatterns = [
    path("imports/", views.ImportJobListView.as_view(), name="job_list"),
    path("imports/new/", views.start, name="start"),
    path("imports/new/<slug:importer>/", views.start, name="start_with"),
    path("imports/<int:pk>/", views.job_detail, name="job_detail"),
    path("imports/<int:pk>/progress/", views.job_progress, name="job_progress"),
    path("imports/<int:pk>/terraform.zip", views.download_zip, name="download_zip"),
    path("imports/<int:pk>/map.<slug:fmt>", views.download_map, name="download_map"),
    path("imports/<int:pk>/draft/", views.make_draft, name="make_draft"),
    path("imports/<int:pk>/publish/", views.publish, name="publish"),
]
