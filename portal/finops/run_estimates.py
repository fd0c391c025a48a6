"""A run's estimate: read from what its plan produced (Terraform plan JSON, Helm
manifests) and the environment's hosts, with a diff against what the deployment has now
(the estimate of its last successful apply)."""

import logging
from decimal import Decimal

from django.db import transaction

from iac.estimate import InputError, read_manifests, read_plan
from portal.finops.estimates import estimate_projects
from portal.finops.inputs import hosts_project, stack_usage
from portal.finops.models import RunEstimate
from portal.finops.price_books import location_of

logger = logging.getLogger(__name__)

TERRAFORM_ENGINES = ("terraform", "opentofu")
# Nothing deployed yet: every resource of the first deploy shows as added.
NOTHING_DEPLOYED = {"totalMonthlyCost": "0", "projects": []}


def deployed_estimate(deployment, *, excluding=None) -> dict:
    """The estimate of what ``deployment`` runs now: its last successful apply's."""
    from portal.deployments.models import Run

    applied = (
        RunEstimate.objects.filter(
            run__deployment=deployment,
            run__kind=Run.Kind.APPLY,
            run__status=Run.Status.SUCCEEDED,
        )
        .exclude(run=excluding)
        .order_by("-run__created", "-run_id")
        .first()
    )
    return applied.estimate if applied is not None else NOTHING_DEPLOYED


def estimate_run(run) -> dict:
    """``Estimate.to_dict()`` of what ``run`` planned, diffed against what is deployed."""
    deployment = run.deployment
    environment = deployment.environment
    projects, hosts_counted = [], False
    for step in run.steps.order_by("index"):
        where = f"run {run.pk} step {step.name}"
        if step.engine in TERRAFORM_ENGINES and step.plan_json:
            projects.append(read_plan(step.plan_json, name=step.name))
        elif step.engine == "helm" and step.manifests:
            projects.append(
                read_manifests(
                    step.manifests,
                    source=where,
                    location=location_of(environment),
                    name=step.name,
                )
            )
        elif step.engine == "ansible" and not hosts_counted and not step.engine_destroy:
            hosts_counted = True
            projects.append(hosts_project(environment, step.name))
    usage = stack_usage(deployment.stack_version.load())
    previous = deployed_estimate(deployment, excluding=run)

    def build(against):
        return estimate_projects(
            projects, environment=environment, previous=against, usage=usage
        ).to_dict()

    try:
        return build(previous)
    except ValueError:
        # The price book changed currency since the deploy: no diff rather than a wrong one.
        logger.warning("run %s: previous estimate in another currency, no diff", run.pk)
        return build(None)


def record_run_estimate(run) -> RunEstimate | None:
    """Estimate ``run`` and store it; a step output that cannot be read is logged and
    leaves the run without an estimate (it never fails the run)."""
    try:
        result = estimate_run(run)
    except InputError as error:
        logger.warning("run %s: no estimate: %s", run.pk, error)
        return None
    with transaction.atomic():
        stored, _ = RunEstimate.objects.update_or_create(
            run=run,
            defaults={
                "estimate": result,
                "currency": result["currency"],
                "monthly_cost": Decimal(result["totalMonthlyCost"]),
                "monthly_kgco2e": (result.get("carbon") or {}).get("totalMonthlyKgCO2e", 0.0),
            },
        )
    return stored
