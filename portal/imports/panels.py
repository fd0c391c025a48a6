"""The infrastructure map on a deployment's page, drawn from the Terraform state that
Plateau stores for it (the newest version of every step's state)."""

from django.db.models import Max
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from iac.graph import build_graph, from_state, to_svg
from iac.importers import ImporterError


def deployment_resources(deployment) -> list:
    from portal.deployments.models import StateVersion
    from portal.deployments.sealed import unseal_bytes

    newest = (
        StateVersion.objects.filter(deployment=deployment)
        .values("step")
        .annotate(newest=Max("id"))
        .values_list("newest", flat=True)
    )
    resources = []
    for version in StateVersion.objects.filter(id__in=list(newest)).order_by("step"):
        if not version.state_sealed:  # an emptied state: the step was destroyed
            continue
        try:
            resources += from_state(text=unseal_bytes(version.state_sealed).decode())
        except ImporterError:
            continue  # not a state this map can read (the engine already accepted it)
    return resources


def map_panel(deployment):
    from portal.deployments.panels import Panel

    graph = build_graph(deployment_resources(deployment))
    if not graph.nodes:
        return None
    # Safe to inline: iac.graph escapes every name it writes (tests/imports/test_maps.py).
    svg = mark_safe(to_svg(graph))
    return Panel(
        title="Infrastructure map",
        html=render_to_string("imports/deployment_map.html", {"svg": svg}),
    )
