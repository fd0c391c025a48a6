from django.urls import path

from portal.core import views

app_name = "core"

urlpatterns = [
    path("system/plugins/", views.plugin_list, name="plugin_list"),
    path("healthz/live", views.live, name="live"),
    path("healthz/ready", views.ready, name="ready"),
]
