"""The built-in importers (AWS, Terraform state), the "Import" menu entry, the import API
and the infrastructure map on deployment pages, contributed through the same hooks as any
plugin's."""

from portal.hookspecs import hookimpl


@hookimpl
def plateau_importers():
    from iac.importers import IMPORTERS

    return dict(IMPORTERS)


@hookimpl
def plateau_menu_items(user):
    from portal.core.navigation import MenuItem

    return [MenuItem("Import", "imports:job_list", group="Operations", weight=50)]


@hookimpl
def plateau_api_routes():
    from portal.imports.api import ImportJobViewSet

    return [("imports", ImportJobViewSet, "importjob")]


@hookimpl
def plateau_deployment_panels(deployment, user):
    from portal.imports.panels import map_panel

    panel = map_panel(deployment)
    return [panel] if panel is not None else []
