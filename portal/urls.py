from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.authtoken.views import obtain_auth_token
from rest_framework.routers import DefaultRouter

from portal.accounts.api import MembershipViewSet, TeamViewSet
from portal.audit.api import AuditEventViewSet
from portal.core import views as core_views
from portal.plugins import hook
from portal.projects.api import EnvironmentViewSet, ProjectViewSet

BUILTIN_API_ROUTES = [
    ("teams", TeamViewSet, "team"),
    ("memberships", MembershipViewSet, "membership"),
    ("projects", ProjectViewSet, "project"),
    ("environments", EnvironmentViewSet, "environment"),
    ("audit-events", AuditEventViewSet, "auditevent"),
]


def build_api_router() -> DefaultRouter:
    router = DefaultRouter()
    plugin_routes = [route for routes in hook().plateau_api_routes() for route in routes or []]
    for prefix, viewset, basename in BUILTIN_API_ROUTES + plugin_routes:
        router.register(prefix, viewset, basename=basename)
    return router


def build_urlpatterns() -> list:
    plugin_urls = [pattern for patterns in hook().plateau_urls() for pattern in patterns or []]
    return [
        path("", core_views.home, name="home"),
        path(
            "login/",
            auth_views.LoginView.as_view(template_name="accounts/login.html"),
            name="login",
        ),
        path("logout/", auth_views.LogoutView.as_view(), name="logout"),
        path("", include("portal.core.urls")),
        path("", include("portal.accounts.urls")),
        path("", include("portal.projects.urls")),
        path("", include("portal.audit.urls")),
        path("plugins/", include(plugin_urls)),
        path("admin/", admin.site.urls),
        path("api/v1/auth/token/", obtain_auth_token, name="api-token"),
        path("api/v1/plugins/", core_views.PluginListAPIView.as_view(), name="api-plugins"),
        path("api/v1/", include(build_api_router().urls)),
        path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
        path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    ]


urlpatterns = build_urlpatterns()
