"""The Credentials menu entry and the /api/v1/credentials/ endpoint."""

from portal.accounts import permissions as perms
from portal.core.navigation import MenuItem
from portal.hookspecs import hookimpl


@hookimpl
def plateau_menu_items(user):
    from portal.credentials.models import Credential

    if not perms.can(user, perms.VIEW, Credential):
        return []
    return [MenuItem("Credentials", "credentials:credential_list", group="Operations", weight=40)]


@hookimpl
def plateau_api_routes():
    from portal.credentials.api import CredentialViewSet

    return [("credentials", CredentialViewSet, "credential")]
