"""Estimate panels. On a deployment's page: what it costs and emits as deployed, what its
latest run would change, and what its runs drew themselves. On a run's page: what that
run's plan will cost and emit, against what is deployed, for the approver to weigh."""

from django.db.models import Sum
from django.template.loader import render_to_string

from portal.deployments.panels import Panel
from portal.finops.budgets import budget_outlook
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


RUN_PANEL_TITLE = "Cost and carbon of this run"


def run_estimate_panel(run) -> Panel:
    return Panel(title=RUN_PANEL_TITLE, html=render_run_estimate(run))


def render_run_estimate(run) -> str:
    """The estimate of ``run`` once recorded (after its plan, when the worker hands the run
    over for approval or ends it); until then, a fragment that polls for it."""
    estimate = RunEstimate.objects.filter(run=run).first()
    context = {"run": run, "summary": None}
    if estimate is not None:
        context["summary"] = summarise(estimate.estimate)
        context["outlook"] = budget_outlook(
            run.deployment.environment,
            monthly_cost=estimate.monthly_cost,
            currency=estimate.currency,
            replacing=run.deployment,
        )
    return render_to_string("finops/run_panel.html", context)
