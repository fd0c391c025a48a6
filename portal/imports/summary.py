"""What the job page shows of an estimate (the Infracost-shaped dict the estimator writes)."""

from decimal import Decimal, InvalidOperation


def _decimal(value) -> Decimal | None:
    try:
        return Decimal(str(value)) if value is not None else None
    except InvalidOperation:
        return None


def estimate_summary(estimate: dict) -> dict | None:
    if not estimate:
        return None
    resources = [
        {
            "name": resource["name"],
            "type": resource.get("resourceType", ""),
            "monthly_cost": _decimal(resource.get("monthlyCost")),
            "monthly_kg": (resource.get("carbon") or {}).get("monthlyKgCO2e"),
        }
        for project in estimate.get("projects", [])
        for resource in project.get("breakdown", {}).get("resources", [])
    ]
    summary = estimate.get("summary") or {}
    return {
        "currency": estimate.get("currency", ""),
        "monthly_cost": _decimal(estimate.get("totalMonthlyCost")),
        "monthly_kg": (estimate.get("carbon") or {}).get("totalMonthlyKgCO2e"),
        "resources": sorted(resources, key=lambda r: -(r["monthly_cost"] or 0)),
        "free": summary.get("totalFreeResources", 0),
        "unsupported": summary.get("unsupportedResourceCounts") or {},
    }
