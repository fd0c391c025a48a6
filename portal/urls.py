from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.authtoken.views import obtain_auth_token
from rest_framework.routers import DefaultRouter

from portal.core import views as core_views
from portal.plugins import hook

APPS_WITH_PAGES = [
    "core",
    "accounts",
    "projects",
    "audit",
    "catalog",
    "deployments",
    "credentials",
    "finops",
    "imports",
]


def build_api_router() -> DefaultRouter:
    """Every endpoint under /api/v1/, Plateau's own included, comes from plugins."""
    router = DefaultRouter()
    for routes in reversed(hook().plateau_api_routes()):  # built-ins first
        for prefix, viewset, basename in routes or []:
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
        *[path("", include(f"portal.{app}.urls")) for app in APPS_WITH_PAGES],
        path("plugins/", include(plugin_urls)),
        path("admin/", admin.site.urls),
        path("api/v1/auth/token/", obtain_auth_token, name="api-token"),
        path("api/v1/plugins/", core_views.PluginListAPIView.as_view(), name="api-plugins"),
        path("api/v1/", include(build_api_router().urls)),
        path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
        path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    ]


urlpatterns = build_urlpatterns()
