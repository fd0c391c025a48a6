"""Cost and carbon in the portal, contributed through the same hooks as any plugin's:
the cost report's and the price book's menu entries and APIs, stack-version estimates in
the API, and the estimate panels on deployment and run pages."""

from portal.core.navigation import MenuItem
from portal.hookspecs import hookimpl


@hookimpl
def plateau_menu_items(user):
    from portal.finops.access import may_view_book

    if not may_view_book(user):
        return []
    return [
        MenuItem("Cost and carbon", "finops:cost_report", group="Reports", weight=40),
        MenuItem("Price book", "finops:price_book", group="Reports", weight=50),
    ]


@hookimpl
def plateau_api_routes():
    from portal.finops.api import (
        CostReportViewSet,
        PriceBookOverrideViewSet,
        PriceBookViewSet,
        RunEstimateViewSet,
        StackVersionEstimateViewSet,
    )

    return [
        ("price-books", PriceBookViewSet, "pricebook"),
        ("price-book-overrides", PriceBookOverrideViewSet, "pricebookoverride"),
        ("stack-versions", StackVersionEstimateViewSet, "stackversion-estimate"),
        ("run-estimates", RunEstimateViewSet, "runestimate"),
        ("cost-report", CostReportViewSet, "cost-report"),
    ]


@hookimpl
def plateau_deployment_panels(deployment, user):
    from portal.finops.panels import estimate_panel

    return [estimate_panel(deployment)]


@hookimpl
def plateau_run_panels(run, user):
    from portal.finops.panels import run_estimate_panel

    return [run_estimate_panel(run)]


@hookimpl
def plateau_approval_reasons(run):
    from portal.finops.budgets import approval_reasons

    return approval_reasons(run)
