"""Estimate output: Infracost-shaped JSON (plus Plateau's carbon section) and a text table."""

from collections import Counter
from datetime import UTC, datetime
from decimal import Decimal

from iac.estimate.carbon import greenest_regions
from iac.estimate.pricing import HOURS_PER_MONTH

FORMAT_VERSION = "0.2"
USAGE_NOTE = "cost depends on usage: set {key} in the usage file"
PLACES = Decimal("1e-10")


def money(value: Decimal | None) -> str | None:
    """Decimal string as Infracost writes it: no exponent, no trailing zeros."""
    if value is None:
        return None
    text = format(value.quantize(PLACES).normalize(), "f")
    return "0" if text in ("-0", "0E-10") else text


def _quantity(value: Decimal | None) -> str | None:
    return money(value)


def _line_dict(line) -> dict:
    entry = {
        "name": line.name,
        "unit": line.unit,
        "hourlyQuantity": _quantity(line.hourly_quantity),
        "monthlyQuantity": _quantity(line.monthly_quantity),
        "price": money(line.price),
        "hourlyCost": money(line.hourly_cost),
        "monthlyCost": money(line.monthly_cost),
        "priceSource": line.source,
        "priceDate": line.date,
    }
    if line.usage_key:
        entry["usageBased"] = True
        if line.monthly_quantity is None:
            entry["note"] = USAGE_NOTE.format(key=line.usage_key)
    return entry


def _resource_dict(result) -> dict:
    resource = result.resource
    entry = {
        "name": resource.address,
        "resourceType": resource.type,
        "metadata": {"provider": resource.provider, "region": resource.region},
        "hourlyCost": money(result.hourly_cost),
        "monthlyCost": money(result.monthly_cost),
        "costComponents": [_line_dict(line) for line in result.lines],
        "subresources": [],
    }
    if result.reasons:
        entry["unpricedReasons"] = result.reasons
    if result.footprint is not None:
        entry["carbon"] = {"monthlyKgCO2e": round(result.footprint.total_kg, 6)}
    return entry


def _summary(projects) -> dict:
    results = [r for p in projects for r in p.resources]
    status = Counter(r.status for r in results)
    return {
        "totalDetectedResources": len(results),
        "totalSupportedResources": status["priced"] + status["unpriced"],
        "totalUnsupportedResources": status["unsupported"],
        "totalFreeResources": status["free"],
        "totalNoPriceResources": status["unpriced"],
        "totalUsageBasedResources": sum(1 for r in results if r.usage_based),
        "unsupportedResourceCounts": dict(
            Counter(r.resource.type for r in results if r.status == "unsupported")
        ),
        "freeResourceCounts": dict(Counter(r.resource.type for r in results if r.status == "free")),
        "noPriceResourceCounts": dict(
            Counter(r.resource.type for r in results if r.status == "unpriced")
        ),
    }


def _previous_costs(previous: dict | None) -> tuple[Decimal | None, dict[str, dict[str, Decimal]]]:
    if not previous:
        return None, {}
    per_project = {}
    for project in previous.get("projects", []):
        resources = project.get("breakdown", {}).get("resources", [])
        per_project[project.get("name")] = {
            r["name"]: Decimal(r.get("monthlyCost") or "0") for r in resources
        }
    return Decimal(previous.get("totalMonthlyCost") or "0"), per_project


def _diff(current: dict[str, Decimal], past: dict[str, Decimal]) -> list[dict]:
    changes = []
    for name in sorted(set(current) | set(past)):
        now, before = current.get(name, Decimal(0)), past.get(name, Decimal(0))
        if now != before or (name in current) != (name in past):
            change = (
                "added" if name not in past else "removed" if name not in current else "changed"
            )
            changes.append(
                {
                    "name": name,
                    "change": change,
                    "pastMonthlyCost": money(before) if name in past else None,
                    "monthlyCost": money(now) if name in current else None,
                    "diffMonthlyCost": money(now - before),
                }
            )
    return changes


def to_infracost_dict(estimate) -> dict:
    past_total, past_projects = _previous_costs(estimate.previous)
    if (
        past_total is not None
        and estimate.previous.get("currency", estimate.currency) != estimate.currency
    ):
        raise ValueError(
            f"previous estimate is in {estimate.previous.get('currency')}, "
            f"this one in {estimate.currency}"
        )
    projects = []
    for result in estimate.projects:
        project = result.project
        current = {
            r.resource.address: r.monthly_cost for r in result.with_status("priced", "unpriced")
        }
        past = past_projects.get(project.name, {})
        past_monthly = sum(past.values(), Decimal(0))
        entry = {
            "name": project.name,
            "metadata": project.metadata
            | ({"warnings": project.warnings} if project.warnings else {}),
            "breakdown": {
                "resources": [_resource_dict(r) for r in result.with_status("priced", "unpriced")],
                "totalHourlyCost": money(result.hourly_cost),
                "totalMonthlyCost": money(result.monthly_cost),
                "freeResources": [
                    {"name": r.resource.address, "resourceType": r.resource.type}
                    for r in result.with_status("free")
                ],
                "unsupportedResources": [
                    {
                        "name": r.resource.address,
                        "resourceType": r.resource.type,
                        "reason": r.reasons[0],
                    }
                    for r in result.with_status("unsupported")
                ],
                "unpricedResources": [
                    {
                        "name": r.resource.address,
                        "resourceType": r.resource.type,
                        "reasons": r.reasons,
                    }
                    for r in result.with_status("unpriced")
                ],
            },
            "summary": _summary([result]),
        }
        if past_total is not None:
            entry["pastBreakdown"] = {
                "totalMonthlyCost": money(past_monthly),
                "totalHourlyCost": money(past_monthly / HOURS_PER_MONTH),
            }
            entry["diff"] = {
                "resources": _diff(current, past),
                "totalMonthlyCost": money(result.monthly_cost - past_monthly),
                "totalHourlyCost": money((result.monthly_cost - past_monthly) / HOURS_PER_MONTH),
            }
        projects.append(entry)
    total = estimate.monthly_cost
    output = {
        "version": FORMAT_VERSION,
        "currency": estimate.currency,
        "projects": projects,
        "totalHourlyCost": money(estimate.hourly_cost),
        "totalMonthlyCost": money(total),
        "pastTotalHourlyCost": money(past_total / HOURS_PER_MONTH)
        if past_total is not None
        else None,
        "pastTotalMonthlyCost": money(past_total),
        "diffTotalHourlyCost": money((total - past_total) / HOURS_PER_MONTH)
        if past_total is not None
        else None,
        "diffTotalMonthlyCost": money(total - past_total) if past_total is not None else None,
        "timeGenerated": datetime.now(UTC).isoformat(timespec="seconds"),
        "summary": _summary(estimate.projects),
        "sources": estimate.sources,
        "hoursPerMonth": int(HOURS_PER_MONTH),
    }
    if estimate.fx is not None:
        output["exchangeRates"] = {
            "rates": {f"{a}/{b}": str(rate) for (a, b), rate in estimate.fx.rates.items()},
            "date": estimate.fx.date,
            "source": estimate.fx.source,
        }
    if estimate.carbon_factors is not None:
        output["carbon"] = _carbon_dict(estimate)
    return output


def _carbon_dict(estimate) -> dict:
    factors = estimate.carbon_factors
    measured, unestimated = [], []
    for project in estimate.projects:
        for result in project.with_status("priced", "unpriced"):
            if result.footprint is None:
                unestimated.append(
                    {"name": result.resource.address, "reason": result.carbon_reason}
                )
            else:
                measured.append(result)
    rows = []
    for result in measured:
        fp = result.footprint
        rows.append(
            {
                "name": result.resource.address,
                "provider": result.resource.provider,
                "region": result.resource.region,
                "country": fp.country,
                "gridKgCO2ePerKWh": fp.grid_kg_per_kwh,
                "gridFactorBasis": fp.basis,
                "pue": fp.pue,
                "energyKWh": round(fp.energy_kwh, 6),
                "operationalKgCO2e": round(fp.operational_kg, 6),
                "embodiedKgCO2e": round(fp.embodied_kg, 6),
                "monthlyKgCO2e": round(fp.total_kg, 6),
            }
        )
    located = [(r.resource.provider, r.resource.region, r.footprint) for r in measured]
    return {
        "unit": "kgCO2e per month",
        "method": "Cloud Carbon Footprint (https://www.cloudcarbonfootprint.org/docs/methodology)",
        "factorsSource": factors.source,
        "factorsDate": factors.date,
        "utilisation": factors.utilisation,
        "energyMonthlyKWh": round(sum(r.footprint.energy_kwh for r in measured), 6),
        "operationalMonthlyKgCO2e": round(sum(r.footprint.operational_kg for r in measured), 6),
        "embodiedMonthlyKgCO2e": round(sum(r.footprint.embodied_kg for r in measured), 6),
        "totalMonthlyKgCO2e": round(sum(r.footprint.total_kg for r in measured), 6),
        "resources": rows,
        "unestimatedResources": unestimated,
        "residency": _residency_label(estimate.residency),
        "greenestRegions": greenest_regions(factors, located, estimate.residency),
    }


def _residency_label(residency):
    if residency is None or isinstance(residency, str):
        return residency
    return sorted(residency)


def to_text(estimate) -> str:
    data = estimate.to_dict()
    currency = data["currency"]
    lines = []
    for project in data["projects"]:
        lines += [f"Project: {project['name']}", ""]
        lines.append(_row("Name", "Monthly qty", "Unit", f"Monthly cost ({currency})"))
        for resource in project["breakdown"]["resources"]:
            lines += ["", f" {resource['name']}"]
            components = resource["costComponents"]
            for index, component in enumerate(components):
                branch = "└─" if index == len(components) - 1 else "├─"
                cost = component["monthlyCost"]
                cost = _fixed(cost) if cost is not None else f"usage ({component['price']}/unit)"
                name = f"{branch} {component['name']}"
                lines.append(
                    _row(name, component["monthlyQuantity"] or "?", component["unit"], cost)
                )
            lines += [
                f"    ! not priced: {reason}" for reason in resource.get("unpricedReasons", [])
            ]
        total = _fixed(project["breakdown"]["totalMonthlyCost"])
        lines += ["", _row("Project total", "", "", total), ""]
    lines.append(
        _row(f"OVERALL TOTAL ({currency}/month)", "", "", _fixed(data["totalMonthlyCost"]))
    )
    if data.get("diffTotalMonthlyCost") is not None:
        change = _signed(data["diffTotalMonthlyCost"])
        lines.append(f" Change against the previous estimate: {change} {currency}/month")
    summary = data["summary"]
    lines += [
        "",
        f" {summary['totalDetectedResources']} resources: "
        f"{summary['totalSupportedResources']} supported "
        f"({summary['totalNoPriceResources']} with missing prices), "
        f"{summary['totalFreeResources']} free, "
        f"{summary['totalUnsupportedResources']} unsupported, "
        f"{summary['totalUsageBasedResources']} usage-based.",
    ]
    for project in data["projects"]:
        for item in project["breakdown"]["unsupportedResources"]:
            lines.append(f"   unsupported {item['name']}: {item['reason']}")
        for item in project["breakdown"]["unpricedResources"]:
            lines.append(f"   not priced {item['name']}: {'; '.join(item['reasons'])}")
    if data.get("carbon"):
        lines += ["", *_carbon_text(data["carbon"])]
    return "\n".join(lines) + "\n"


def _row(name: str, quantity: str, unit: str, cost: str) -> str:
    return f" {name[:58]:<58} {quantity:>12}  {unit:<12} {cost:>20}"


def _carbon_text(carbon: dict) -> list[str]:
    lines = [
        f" Carbon: {carbon['totalMonthlyKgCO2e']:.3f} kgCO2e/month "
        f"({carbon['operationalMonthlyKgCO2e']:.3f} operational, "
        f"{carbon['embodiedMonthlyKgCO2e']:.3f} embodied; {carbon['energyMonthlyKWh']:.3f} kWh)"
    ]
    within = f" within {carbon['residency']}" if carbon["residency"] else ""
    for best in carbon["greenestRegions"]:
        if best.get("region"):
            lines.append(
                f"   greenest {best['provider']} region{within}: {best['region']} "
                f"({best['country']}), saves {best['savingKgCO2e']:.3f} kgCO2e/month "
                f"({best['savingPercent']}%)"
            )
    return lines


def _fixed(value: str) -> str:
    return f"{Decimal(value):,.2f}"


def _signed(value: str) -> str:
    number = Decimal(value)
    return f"{'+' if number >= 0 else ''}{number:,.2f}"
