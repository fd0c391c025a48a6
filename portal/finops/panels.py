"""The estimate panel on a deployment's page: what it costs and emits as deployed, what
its latest run would change, and what its runs drew themselves."""

from django.db.models import Sum
from django.template.loader import render_to_string

from portal.deployments.panels import Panel
from portal.finops.models import RunEmission, RunEstimate
from portal.finops.preview import summarise
from portal.finops.run_estimates import deployed_estimate


def estimate_panel(deployment) -> Panel:
    latest = (
        RunEstimate.objects.filter(run__deployment=deployment)
        .select_related("run")
        .order_by("-run__created", "-run_id")
        .first()
    )
    deployed = deployed_estimate(deployment)
    measured = RunEmission.objects.filter(run__deployment=deployment).aggregate(
        energy=Sum("energy_kwh"), kg=Sum("emissions_kg"), seconds=Sum("duration_s")
    )
    context = {
        "deployed": summarise(deployed) if deployed.get("projects") else None,
        "latest": latest,
        "latest_summary": summarise(latest.estimate) if latest else None,
        "measured": measured if measured["energy"] is not None else None,
    }
    return Panel(
        title="Cost and carbon",
        html=render_to_string("finops/deployment_panel.html", context),
    )
