"""Carbon footprint with Cloud Carbon Footprint's method, and the greenest allowed region.

Per resource and month::

    compute kWh = vCPU x hours x (min W + utilisation x (max W - min W)) / 1000
    memory  kWh = GB x hours x 0.000392
    storage kWh = TB x replication x hours x (SSD 1.2 | HDD 0.65 Wh) / 1000
    network kWh = GB x 0.001
    operational kgCO2e = (sum) x PUE x grid factor (kgCO2e/kWh) of the region
    embodied kgCO2e = host emissions x hours / 35,040 x vCPU / host vCPU

Grid factors come from CCF's per-region tables, else from the region's country in
codecarbon's bundled energy-mix data (read where codecarbon is installed).
"""

import importlib.util
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from iac.estimate.pricing import Activity

# ISO 3166 alpha-3 codes of the 27 EU member states (residency "EU").
EU_COUNTRIES = frozenset(
    [
        "AUT",
        "BEL",
        "BGR",
        "HRV",
        "CYP",
        "CZE",
        "DNK",
        "EST",
        "FIN",
        "FRA",
        "DEU",
        "GRC",
        "HUN",
        "IRL",
        "ITA",
        "LVA",
        "LTU",
        "LUX",
        "MLT",
        "NLD",
        "POL",
        "PRT",
        "ROU",
        "SVK",
        "SVN",
        "ESP",
        "SWE",
    ]
)


class NoFactor(LookupError):
    pass


@dataclass(frozen=True)
class Host:
    vcpu: float
    memory_gb: float
    cpus: int


@dataclass(frozen=True)
class RegionFactor:
    country: str | None
    kg_per_kwh: float | None  # None: use the country's factor


@dataclass
class ProviderFactors:
    min_watts: float
    max_watts: float
    pue: float
    default_host: Host
    replication: dict[str, float] = field(default_factory=dict)
    hosts: dict[str, Host | str] = field(default_factory=dict)  # str: same host as that family
    regions: dict[str, RegionFactor] = field(default_factory=dict)
    pue_by_region: dict[str, float] = field(default_factory=dict)

    def host(self, family: str | None) -> Host:
        found = self.hosts.get(family or "", self.default_host)
        if isinstance(found, str):
            found = self.hosts.get(found, self.default_host)
        return found if isinstance(found, Host) else self.default_host

    def region_pue(self, region: str | None) -> float:
        return self.pue_by_region.get(region or "", self.pue)


@dataclass(frozen=True)
class Embodied:
    """Host manufacturing emissions (CCF coefficients, after Teads and the Dell R740 LCA)."""

    base_kg: float = 1000.0
    per_additional_cpu_kg: float = 100.0
    memory_threshold_gb: float = 16.0
    per_additional_memory_gb_kg: float = 533 / 384

    def host_kg(self, host: Host) -> float:
        extra_memory = max(0.0, host.memory_gb - self.memory_threshold_gb)
        return (
            self.base_kg
            + max(0, host.cpus - 1) * self.per_additional_cpu_kg
            + extra_memory * self.per_additional_memory_gb_kg
        )


@dataclass
class CarbonFactors:
    providers: dict[str, ProviderFactors]
    country_kg_per_kwh: dict[str, float] = field(default_factory=dict)
    memory_kwh_per_gb_hour: float = 0.000392
    ssd_wh_per_tb_hour: float = 1.2
    hdd_wh_per_tb_hour: float = 0.65
    network_kwh_per_gb: float = 0.001
    utilisation: float = 0.5
    server_lifespan_hours: float = 35040.0
    embodied: Embodied = field(default_factory=Embodied)
    source: str = ""
    date: str = ""

    def grid(self, provider: str, region: str | None) -> tuple[float, str | None, str]:
        """(kgCO2e per kWh, country, where the factor comes from)."""
        factors = self.providers.get(provider)
        if factors is None:
            raise NoFactor(f"no carbon coefficients for provider {provider!r}")
        entry = factors.regions.get(region or "")
        if entry is None:
            raise NoFactor(f"no grid factor for {provider} region {region!r}")
        if entry.kg_per_kwh is not None:
            return entry.kg_per_kwh, entry.country, "CCF region table"
        if entry.country in self.country_kg_per_kwh:
            return self.country_kg_per_kwh[entry.country], entry.country, "country (codecarbon)"
        raise NoFactor(f"no grid factor for country {entry.country!r} of {provider} {region!r}")

    def with_regions(self, provider: str, countries: dict[str, str]) -> "CarbonFactors":
        """A copy where ``provider`` also has these regions (e.g. on-prem price books)."""
        factors = self.providers[provider]
        regions = factors.regions | {r: RegionFactor(c, None) for r, c in countries.items()}
        return replace(
            self, providers=self.providers | {provider: replace(factors, regions=regions)}
        )

    @classmethod
    def merged(cls, tables: Sequence["CarbonFactors"]) -> "CarbonFactors":
        """Earlier tables win, provider by provider and country by country."""
        first = tables[0]
        providers, countries = {}, {}
        for table in reversed(tables):
            providers |= table.providers
            countries |= table.country_kg_per_kwh
        return replace(first, providers=providers, country_kg_per_kwh=countries)


@dataclass
class Footprint:
    energy_kwh: float  # PUE included
    operational_kg: float
    embodied_kg: float
    grid_kg_per_kwh: float
    pue: float
    country: str | None
    basis: str
    it_kwh: float  # before PUE, so another region can be tried

    @property
    def total_kg(self) -> float:
        return self.operational_kg + self.embodied_kg


def footprint(
    factors: CarbonFactors, provider: str, region: str | None, activity: Activity
) -> Footprint:
    provider_factors = factors.providers.get(provider)
    if provider_factors is None:
        raise NoFactor(f"no carbon coefficients for provider {provider!r}")
    if activity.hours is None:
        raise NoFactor("running time depends on usage")
    grid, country, basis = factors.grid(provider, region)
    hours = float(activity.hours)
    vcpu = float(activity.vcpu)
    utilisation = (
        float(activity.utilisation) if activity.utilisation is not None else factors.utilisation
    )
    watts = provider_factors.min_watts + utilisation * (
        provider_factors.max_watts - provider_factors.min_watts
    )
    replication = provider_factors.replication.get(activity.replication or "", 1)
    it_kwh = (
        vcpu * hours * watts / 1000
        + float(activity.memory_gb) * hours * factors.memory_kwh_per_gb_hour
        + float(activity.ssd_gb) / 1000 * replication * hours * factors.ssd_wh_per_tb_hour / 1000
        + float(activity.hdd_gb) / 1000 * replication * hours * factors.hdd_wh_per_tb_hour / 1000
        + float(activity.network_gb) * factors.network_kwh_per_gb
    )
    pue = provider_factors.region_pue(region)
    embodied = 0.0
    if activity.host_family is not None and vcpu:
        host = provider_factors.host(activity.host_family)
        embodied = (
            factors.embodied.host_kg(host)
            * hours
            / factors.server_lifespan_hours
            * min(1.0, vcpu / host.vcpu)
        )
    energy = it_kwh * pue
    return Footprint(energy, energy * grid, embodied, grid, pue, country, basis, it_kwh)


def residency_filter(residency: str | Iterable[str] | None) -> Callable[[str, str | None], bool]:
    """``"EU"``, or a set of ISO alpha-3 countries and/or region names, or None (any)."""
    if residency is None:
        return lambda region, country: True
    allowed = {residency} if isinstance(residency, str) else set(residency)
    countries = {a.upper() for a in allowed if len(a) == 3 and a.isalpha()}
    if any(a.upper() == "EU" for a in allowed):
        countries |= EU_COUNTRIES
    return lambda region, country: region in allowed or (country or "") in countries


def greenest_regions(
    factors: CarbonFactors,
    located: Iterable[tuple[str, str | None, Footprint]],
    residency: str | Iterable[str] | None = None,
) -> list[dict]:
    """Per provider: the allowed region with the lowest operational emissions for the same
    resources, and the saving against where they are now (embodied emissions stay)."""
    allowed = residency_filter(residency)
    by_provider: dict[str, list[tuple[str | None, Footprint]]] = {}
    for provider, region, fp in located:
        by_provider.setdefault(provider, []).append((region, fp))
    results = []
    for provider, items in sorted(by_provider.items()):
        provider_factors = factors.providers.get(provider)
        if provider == "onprem" or provider_factors is None:
            continue  # owned capacity does not move
        it_kwh = sum(fp.it_kwh for _, fp in items)
        current_total = sum(fp.total_kg for _, fp in items)
        current_operational = sum(fp.operational_kg for _, fp in items)
        best = None
        for region in provider_factors.regions:
            try:
                grid, country, _ = factors.grid(provider, region)
            except NoFactor:
                continue
            if not allowed(region, country):
                continue
            kg = it_kwh * provider_factors.region_pue(region) * grid
            if best is None or kg < best[1]:
                best = (region, kg, country)
        if best is None:
            results.append(
                {
                    "provider": provider,
                    "region": None,
                    "reason": "no region satisfies the residency",
                }
            )
            continue
        saving = max(0.0, current_operational - best[1])
        results.append(
            {
                "provider": provider,
                "currentRegions": sorted({r or "?" for r, _ in items}),
                "region": best[0],
                "country": best[2],
                "monthlyKgCO2e": _round(current_total - saving),
                "savingKgCO2e": _round(saving),
                "savingPercent": _round(100 * saving / current_total if current_total else 0.0, 2),
            }
        )
    return results


def _round(value: float, digits: int = 6) -> float:
    return round(value, digits)


def codecarbon_country_intensity() -> dict[str, float]:
    """kgCO2e/kWh per ISO alpha-3 country, from the codecarbon package installed here.

    Located through the import system without importing codecarbon (its import is slow)."""
    spec = importlib.util.find_spec("codecarbon")
    if spec is None or not spec.submodule_search_locations:
        return {}
    path = Path(next(iter(spec.submodule_search_locations)))
    data = json.loads((path / "data" / "private_infra" / "global_energy_mix.json").read_text())
    return {
        iso: row["carbon_intensity"] / 1000
        for iso, row in data.items()
        if isinstance(row, dict) and row.get("carbon_intensity") is not None
    }


def carbon_factors_from_dict(data: dict, country_kg_per_kwh: dict[str, float]) -> CarbonFactors:
    common = data.get("common", {})
    embodied = common.get("embodied", {})
    providers = {}
    for name, body in data["providers"].items():
        hosts = {
            family: spec if isinstance(spec, str) else Host(**spec)
            for family, spec in body.get("hosts", {}).items()
        }
        providers[name] = ProviderFactors(
            min_watts=body["min_watts"],
            max_watts=body["max_watts"],
            pue=body["pue"],
            default_host=Host(**body["default_host"]),
            replication=body.get("replication", {}),
            hosts=hosts,
            regions={
                region: RegionFactor(entry.get("country"), entry.get("kgco2e_per_kwh"))
                for region, entry in body.get("regions", {}).items()
            },
            pue_by_region=body.get("pue_by_region", {}),
        )
    defaults = Embodied()
    return CarbonFactors(
        providers=providers,
        country_kg_per_kwh=country_kg_per_kwh,
        memory_kwh_per_gb_hour=common.get("memory_kwh_per_gb_hour", 0.000392),
        ssd_wh_per_tb_hour=common.get("ssd_wh_per_tb_hour", 1.2),
        hdd_wh_per_tb_hour=common.get("hdd_wh_per_tb_hour", 0.65),
        network_kwh_per_gb=common.get("network_kwh_per_gb", 0.001),
        utilisation=common.get("utilisation", 0.5),
        server_lifespan_hours=common.get("server_lifespan_hours", 35040),
        embodied=Embodied(
            embodied.get("base_kgco2e", defaults.base_kg),
            embodied.get("per_additional_cpu_kgco2e", defaults.per_additional_cpu_kg),
            embodied.get("memory_threshold_gb", defaults.memory_threshold_gb),
            embodied.get("per_additional_memory_gb_kgco2e", defaults.per_additional_memory_gb_kg),
        ),
        source=data.get("source", ""),
        date=data.get("date", ""),
    )


def load_carbon_factors(
    path: str | Path, country_kg_per_kwh: dict[str, float] | None = None
) -> CarbonFactors:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    if country_kg_per_kwh is None:
        country_kg_per_kwh = codecarbon_country_intensity()
    return carbon_factors_from_dict(data, country_kg_per_kwh)
