"""Authentication and permission classes named in REST_FRAMEWORK settings.

Kept apart from ``portal.core.api`` because DRF imports these while it is itself being
imported: this module must not pull in views or viewsets.
"""

from rest_framework import authentication, permissions
from rest_framework.exceptions import PermissionDenied

from portal.accounts import permissions as perms
from portal.audit.context import client_address, set_actor

METHOD_ACTIONS = {
    "GET": perms.VIEW,
    "HEAD": perms.VIEW,
    "OPTIONS": perms.VIEW,
    "PUT": perms.CHANGE,
    "PATCH": perms.CHANGE,
    "DELETE": perms.DELETE,
}


class _AuditActorMixin:
    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None:
            set_actor(result[0], client_address(request))
        return result


class AuditedTokenAuthentication(_AuditActorMixin, authentication.TokenAuthentication):
    pass


class AuditedSessionAuthentication(_AuditActorMixin, authentication.SessionAuthentication):
    pass


class RolePermission(permissions.BasePermission):
    """Signed-in users only; object actions need the team role the policy sets."""

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated and request.user.is_active)

    def has_object_permission(self, request, view, obj):
        action = METHOD_ACTIONS.get(request.method, perms.CHANGE)
        if not perms.can(request.user, action, obj):
            raise PermissionDenied(perms.describe_requirement(obj, action))
        return True
