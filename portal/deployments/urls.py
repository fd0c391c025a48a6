from django.urls import path, re_path

from portal.deployments import state, state_views, views

app_name = "deployments"

urlpatterns = [
    path("deployments/", views.DeploymentListView.as_view(), name="deployment_list"),
    path("deployments/add/", views.DeploymentAddView.as_view(), name="deployment_add"),
    path("deployments/<int:pk>/", views.DeploymentDetailView.as_view(), name="deployment_detail"),
    re_path(
        r"^deployments/(?P<pk>[0-9]+)/(?P<kind>plan|apply|destroy|drift)/$",
        views.deployment_action,
        name="deployment_action",
    ),
    path("deployments/<int:pk>/outputs/reveal/", views.reveal_outputs, name="reveal_outputs"),
    path("runs/<int:pk>/", views.RunDetailView.as_view(), name="run_detail"),
    path("runs/<int:pk>/log/", views.run_log, name="run_log"),
    path("runs/<int:pk>/log/earlier/", views.run_log_earlier, name="run_log_earlier"),
    path("runs/<int:pk>/log.txt", views.run_log_download, name="run_log_download"),
    re_path(
        r"^runs/(?P<pk>[0-9]+)/(?P<action>approve|reject|cancel)/$",
        views.run_action,
        name="run_action",
    ),
    path("state/<int:deployment_id>/<slug:step>", state.state_view, name="state"),
    path("deployments/<int:pk>/state/", state_views.state_history_page, name="state_history"),
    path("deployments/<int:pk>/state/compare/", state_views.state_compare, name="state_compare"),
    path("deployments/<int:pk>/state/unlock/", state_views.state_unlock, name="state_unlock"),
    path(
        "deployments/<int:pk>/state/<int:version_id>/download/",
        state_views.state_download,
        name="state_download",
    ),
    path(
        "deployments/<int:pk>/state/<int:version_id>/rollback/",
        state_views.state_rollback,
        name="state_rollback",
    ),
]
