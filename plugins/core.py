"""Plateau's own navigation entries and API endpoints for teams, projects, environments
and the audit trail, contributed through the same hooks as any plugin's."""

from portal.accounts import permissions as perms
from portal.audit.models import AuditEvent
from portal.core.navigation import MenuItem
from portal.hookspecs import hookimpl


@hookimpl
def plateau_menu_items(user):
    items = [
        MenuItem("Dashboard", "home", group="Main", weight=10),
        MenuItem("Teams", "accounts:team_list", group="Main", weight=20),
        MenuItem("Projects", "projects:project_list", group="Main", weight=30),
        MenuItem("Environments", "projects:environment_list", group="Main", weight=40),
        MenuItem("API docs", "api-docs", group="Administration", weight=30),
        MenuItem("Plugins", "core:plugin_list", group="Administration", weight=20, staff_only=True),
        MenuItem("Django admin", "admin:index", group="Administration", weight=90, staff_only=True),
    ]
    if perms.can(user, perms.VIEW, AuditEvent):
        items.append(MenuItem("Audit log", "audit:event_list", group="Administration", weight=10))
    return items


@hookimpl
def plateau_api_routes():
    from portal.accounts.api import MembershipViewSet, TeamViewSet
    from portal.audit.api import AuditEventViewSet
    from portal.projects.api import EnvironmentViewSet, ProjectViewSet

    return [
        ("teams", TeamViewSet, "team"),
        ("memberships", MembershipViewSet, "membership"),
        ("projects", ProjectViewSet, "project"),
        ("environments", EnvironmentViewSet, "environment"),
        ("audit-events", AuditEventViewSet, "auditevent"),
    ]
