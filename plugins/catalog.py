"""The stack catalog's navigation entries and API endpoints, through the same hooks as
any plugin's."""

from portal.core.navigation import MenuItem
from portal.hookspecs import hookimpl


@hookimpl
def plateau_menu_items(user):
    from portal.catalog.visibility import is_curator

    items = [MenuItem("Catalog", "catalog:catalog", group="Catalog", weight=10)]
    if is_curator(user):
        items.append(MenuItem("Stack sources", "catalog:source_list", group="Catalog", weight=20))
    return items


@hookimpl
def plateau_api_routes():
    from portal.catalog.api import StackSourceViewSet, StackVersionViewSet, StackViewSet

    return [
        ("stacks", StackViewSet, "stack"),
        ("stack-versions", StackVersionViewSet, "stackversion"),
        ("stack-sources", StackSourceViewSet, "stacksource"),
    ]
