"""Deployments and runs: their menu entry and API endpoints, through the same hooks as
any plugin."""

from portal.core.navigation import MenuItem
from portal.hookspecs import hookimpl


@hookimpl
def plateau_menu_items(user):
    return [MenuItem("Deployments", "deployments:deployment_list", group="Main", weight=50)]


@hookimpl
def plateau_api_routes():
    from portal.deployments.api import DeploymentViewSet, RunViewSet

    return [("deployments", DeploymentViewSet, "deployment"), ("runs", RunViewSet, "run")]
