"""Plateau's own navigation entries, contributed through the same hook as any plugin's."""

from portal.core.navigation import MenuItem
from portal.hookspecs import hookimpl


@hookimpl
def plateau_menu_items(user):
    return [
        MenuItem("Dashboard", "home", group="Main", weight=10),
        MenuItem("Teams", "accounts:team_list", group="Main", weight=20),
        MenuItem("Projects", "projects:project_list", group="Main", weight=30),
        MenuItem("Environments", "projects:environment_list", group="Main", weight=40),
        MenuItem("Audit log", "audit:event_list", group="Administration", weight=10),
        MenuItem("Plugins", "core:plugin_list", group="Administration", weight=20),
        MenuItem("API docs", "api-docs", group="Administration", weight=30),
        MenuItem("Django admin", "admin:index", group="Administration", weight=90, staff_only=True),
    ]
