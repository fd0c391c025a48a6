"""The deploy form's live estimate: the form's fields in (read by the catalog's own
DeployForm, plus ``version``), what the fragment shows out."""

from decimal import Decimal

from portal.accounts import permissions as perms
from portal.catalog.forms import ENVIRONMENT_FIELD, DeployForm
from portal.catalog.visibility import visible_versions
from portal.finops.budgets import budget_outlook
from portal.finops.stack_estimates import (
    StackEstimateError,
    check_estimable,
    estimate_stack_version,
)
from portal.projects.models import Environment


def preview_context(request) -> dict:
    data = request.POST
    environments = perms.scope(request.user, Environment.objects.select_related("project"))
    version = _visible(visible_versions(request.user), data.get("version"))
    environment = _visible(environments, data.get(ENVIRONMENT_FIELD))
    if version is None or environment is None:
        return {"waiting": "Choose a stack version and an environment to see the estimate."}
    try:
        check_estimable(version)
        values, unreadable = DeployForm(version.load(), environments, data).typed_values()
        if unreadable:
            raise StackEstimateError(
                {f"values.{name}": [error] for name, error in unreadable.items()}
            )
        estimate = estimate_stack_version(version, values, environment)
    except StackEstimateError as error:
        return {"errors": error.errors}
    summary = summarise(estimate)
    outlook = budget_outlook(
        environment, monthly_cost=summary["monthly_cost"], currency=summary["currency"]
    )
    return {"summary": summary, "environment": environment, "outlook": outlook}


def _visible(queryset, pk):
    try:
        return queryset.filter(pk=int(pk)).first()
    except (TypeError, ValueError):
        return None


def summarise(estimate: dict) -> dict:
    """The figures a person reads first, from an ``Estimate.to_dict()``."""
    carbon = estimate.get("carbon") or {}
    kg_by_resource = {row["name"]: row["monthlyKgCO2e"] for row in carbon.get("resources", [])}
    resources, unpriced, unsupported = [], [], []
    for project in estimate["projects"]:
        breakdown = project["breakdown"]
        for resource in breakdown["resources"]:
            resources.append(
                {
                    "name": resource["name"],
                    "type": resource["resourceType"],
                    "monthly_cost": resource["monthlyCost"],
                    "kg": kg_by_resource.get(resource["name"]),
                }
            )
        unpriced += breakdown["unpricedResources"]
        unsupported += breakdown["unsupportedResources"]
    greenest = [
        best
        for best in carbon.get("greenestRegions", [])
        if best.get("region") and best.get("savingKgCO2e", 0) > 0
    ]
    diff = estimate.get("diffTotalMonthlyCost")
    residency = carbon.get("residency")
    return {
        "estimate": estimate,
        "currency": estimate["currency"],
        "monthly_cost": Decimal(estimate["totalMonthlyCost"]),
        "diff": Decimal(diff) if diff is not None else None,
        "kg": carbon.get("totalMonthlyKgCO2e"),
        "residency": ", ".join(residency) if isinstance(residency, list) else residency,
        "resources": resources,
        "unpriced": unpriced,
        "unsupported": unsupported,
        "greenest": greenest,
        "not_priced_count": len(unpriced) + len(unsupported),
        "free_count": estimate["summary"]["totalFreeResources"],
    }
