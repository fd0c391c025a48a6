import logging

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.accounts import permissions as perms
from portal.accounts.models import Team
from portal.audit.models import AuditEvent
from portal.celery import app as celery_app
from portal.plugins import loaded_plugins
from portal.projects.models import Environment, Project

logger = logging.getLogger(__name__)


@login_required
def home(request):
    user = request.user
    context = {
        "team_count": perms.scope(user, Team.objects.all()).count(),
        "project_count": perms.scope(user, Project.objects.all()).count(),
        "environment_count": perms.scope(user, Environment.objects.all()).count(),
        "projects": perms.scope(user, Project.objects.select_related("team"))[:10],
        "recent_events": perms.scope(user, AuditEvent.objects.all())[:10]
        if perms.can(user, perms.VIEW, AuditEvent)
        else None,
    }
    return render(request, "core/home.html", context)


@login_required
def plugin_list(request):
    if not request.user.is_superuser:
        raise DjangoPermissionDenied("Only administrators may list plugins.")
    return render(request, "core/plugin_list.html", {"plugins": loaded_plugins()})


class PluginSerializer(serializers.Serializer):
    name = serializers.CharField()
    module = serializers.CharField()
    version = serializers.CharField(allow_null=True)
    builtin = serializers.BooleanField()
    hooks = serializers.ListField(child=serializers.CharField())


class PluginListAPIView(APIView):
    """Loaded plugins and the hooks each implements (admins only)."""

    @extend_schema(responses=PluginSerializer(many=True))
    def get(self, request):
        if not request.user.is_superuser:
            raise PermissionDenied("Only administrators may list plugins.")
        return Response(PluginSerializer(loaded_plugins(), many=True).data)


@never_cache
def live(request):
    return JsonResponse({"status": "ok"})


@never_cache
def ready(request):
    """Ready when the database answers and the broker accepts a connection."""
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception as error:
        logger.warning("readiness: database check failed: %s", error)
        checks["database"] = f"error: {type(error).__name__}"
    try:
        with celery_app.connection_for_write() as broker:
            broker.ensure_connection(max_retries=1, timeout=2)
        checks["broker"] = "ok"
    except Exception as error:
        logger.warning("readiness: broker check failed: %s", error)
        checks["broker"] = f"error: {type(error).__name__}"
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "checks": checks},
        status=200 if healthy else 503,
    )
