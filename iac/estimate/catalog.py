"""Price catalogs: the data model, file loader and look-ups the estimator prices with.

A catalog holds one provider's prices as ``service -> region -> sku -> Price``; every
price carries the URL and date it was read from, so an estimate can cite its sources.
Several catalogs may cover one provider: the first one that knows a price wins, which
lets an operator's freshly loaded official price list shadow the shipped catalog.
"""

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from pathlib import Path

from iac.estimate.errors import InputError


@dataclass(frozen=True)
class Price:
    amount: Decimal
    unit: str
    currency: str
    source: str
    date: str


@dataclass(frozen=True)
class Machine:
    """Size of an instance type: what carbon needs, and what on-prem sizing compares."""

    vcpu: Decimal
    memory_gb: Decimal
    # e2-micro style shared cores: the fraction of the vCPUs actually sold (and drawn).
    billed_vcpu: Decimal | None = None

    @property
    def effective_vcpu(self) -> Decimal:
        return self.billed_vcpu if self.billed_vcpu is not None else self.vcpu


@dataclass
class Catalog:
    provider: str
    currency: str
    source: str
    date: str
    name: str = ""
    prices: dict[str, dict[str, dict[str, Price]]] = field(default_factory=dict)
    machines: dict[str, Machine] = field(default_factory=dict)
    extra: dict = field(default_factory=dict)  # provider specifics, e.g. Azure disk tiers

    def lookup(self, service: str, region: str | None, sku: str) -> Price | None:
        return self.prices.get(service, {}).get(region or "", {}).get(sku)

    def add(self, service: str, region: str, sku: str, price: Price) -> None:
        self.prices.setdefault(service, {}).setdefault(region, {})[sku] = price

    def label(self) -> str:
        return f"{self.name or self.provider} ({self.date})"


class NoPrice(LookupError):
    """Why a price is missing; the message is shown to users as is."""


@dataclass(frozen=True)
class FxRates:
    """Fixed exchange rates, so mixed-currency estimates are reproducible."""

    rates: Mapping[tuple[str, str], Decimal]
    date: str = ""
    source: str = ""

    def convert(self, amount: Decimal, from_currency: str, to_currency: str) -> Decimal:
        if from_currency == to_currency:
            return amount
        if (from_currency, to_currency) in self.rates:
            return amount * self.rates[(from_currency, to_currency)]
        if (to_currency, from_currency) in self.rates:
            return amount / self.rates[(to_currency, from_currency)]
        raise NoPrice(f"no exchange rate {from_currency}/{to_currency} in the rate table")


class CatalogSet:
    """Look-ups across catalogs, in precedence order, with reasons when nothing matches."""

    def __init__(self, catalogs: Iterable[Catalog]):
        self.catalogs = list(catalogs)
        self._by_provider: dict[str, list[Catalog]] = {}
        for catalog in self.catalogs:
            self._by_provider.setdefault(catalog.provider, []).append(catalog)

    def providers(self) -> set[str]:
        return set(self._by_provider)

    def price(self, provider: str, service: str, region: str | None, sku: str) -> Price:
        catalogs = self._by_provider.get(provider)
        if not catalogs:
            raise NoPrice(f"no price catalog for provider {provider!r}")
        if not region:
            raise NoPrice("region unknown (set it on the resource or the provider)")
        for catalog in catalogs:
            price = catalog.lookup(service, region, sku)
            if price is not None:
                return price
        raise NoPrice(self._why_missing(catalogs, service, region, sku))

    @staticmethod
    def _why_missing(catalogs: list[Catalog], service: str, region: str, sku: str) -> str:
        names = ", ".join(catalog.label() for catalog in catalogs)
        regions = {r for c in catalogs for r in c.prices.get(service, {})}
        if not regions:
            return f"no {service} prices in catalog {names}"
        if region not in regions:
            return f"region {region!r} has no {service} prices in catalog {names}"
        return f"{sku!r} has no {service} price in {region} in catalog {names}"

    def machine(self, provider: str, sku: str) -> Machine | None:
        for catalog in self._by_provider.get(provider, ()):
            if sku in catalog.machines:
                return catalog.machines[sku]
        return None

    def extra(self, provider: str, key: str):
        for catalog in self._by_provider.get(provider, ()):
            if key in catalog.extra:
                return catalog.extra[key]
        return None


def decimal(value, where: str) -> Decimal:
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise InputError(f"not a number: {value!r}", file=where) from None


def catalog_from_dict(data: dict, where: str = "<catalog>") -> Catalog:
    """Build a catalog from the JSON shape of ``plugins/pricing/catalogs/*.json``."""
    try:
        provider, currency, date = data["provider"], data["currency"], data["date"]
    except KeyError as missing:
        raise InputError(f"catalog misses the key {missing}", file=where) from None
    catalog = Catalog(
        provider=provider,
        currency=currency,
        source=data.get("source", ""),
        date=date,
        name=data.get("name", provider),
        machines={
            sku: Machine(
                vcpu=decimal(spec["vcpu"], where),
                memory_gb=decimal(spec["memory_gb"], where),
                billed_vcpu=decimal(spec["shared_core_vcpu"], where)
                if "shared_core_vcpu" in spec
                else None,
            )
            for sku, spec in data.get("machines", {}).items()
        },
        extra={k: v for k, v in data.items() if k.endswith("_tiers_gib")},
    )
    for service, section in data.get("services", {}).items():
        source = section.get("source", catalog.source)
        date = section.get("date", catalog.date)
        for region, skus in section["prices"].items():
            for sku, amount in skus.items():
                price = Price(decimal(amount, where), section["unit"], currency, source, date)
                catalog.add(service, region, sku, price)
    return catalog


def catalog_to_dict(catalog: Catalog) -> dict:
    """The inverse of :func:`catalog_from_dict`, to store a loaded price list. A service
    keeps one unit and source; its date is the newest of its prices'."""
    services: dict[str, dict] = {}
    for service, regions in catalog.prices.items():
        every = [price for skus in regions.values() for price in skus.values()]
        services[service] = {
            "unit": every[0].unit,
            "source": every[0].source,
            "date": max(price.date for price in every),
            "prices": {
                region: {sku: str(price.amount) for sku, price in skus.items()}
                for region, skus in regions.items()
            },
        }
    machines = {}
    for sku, machine in catalog.machines.items():
        spec = {"vcpu": str(machine.vcpu), "memory_gb": str(machine.memory_gb)}
        if machine.billed_vcpu is not None:
            spec["shared_core_vcpu"] = str(machine.billed_vcpu)
        machines[sku] = spec
    return {
        "provider": catalog.provider,
        "currency": catalog.currency,
        "source": catalog.source,
        "date": catalog.date,
        "name": catalog.name,
        "machines": machines,
        "services": services,
        **catalog.extra,
    }


def load_catalog(path: str | Path) -> Catalog:
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise InputError(error.msg, file=str(path), line=error.lineno, column=error.colno) from None
    return catalog_from_dict(data, str(path))


def load_fx_rates(path: str | Path) -> FxRates:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    rates = {}
    for pair, rate in data["rates"].items():
        base, quote = pair.split("/")
        rates[(base, quote)] = decimal(rate, str(path))
    return FxRates(rates, data.get("date", ""), data.get("source", ""))


@dataclass(frozen=True)
class PriceBook:
    """What owned capacity costs: the on-premises price book a platform team sets."""

    currency: str
    vcpu_hour: Decimal
    memory_gb_hour: Decimal
    storage_gb_month: Decimal
    country: str  # ISO 3166 alpha-3, for the grid factor
    name: str = "default"
    storage_media: str = "ssd"
    source: str = "on-premises price book"
    date: str = ""

    def for_environment(self, name: str, overrides: Mapping[str, object]) -> "PriceBook":
        changes = {
            key: decimal(value, f"price book {name}")
            if key.endswith(("_hour", "_month"))
            else value
            for key, value in overrides.items()
        }
        return replace(self, name=name, **changes)

    def catalog(self) -> Catalog:
        """The book as a catalog: on-prem resources are priced like any other."""
        catalog = Catalog("onprem", self.currency, self.source, self.date, f"onprem:{self.name}")
        for sku, amount, unit in (
            ("vcpu", self.vcpu_hour, "vCPU-hours"),
            ("memory", self.memory_gb_hour, "GB-hours"),
            ("storage", self.storage_gb_month, "GB"),
        ):
            catalog.add(
                "capacity",
                self.name,
                sku,
                Price(amount, unit, self.currency, self.source, self.date),
            )
        return catalog


def load_price_books(path: str | Path) -> dict[str, PriceBook]:
    """The default book and one per environment override, keyed by name."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    base = data["default"]
    default = PriceBook(
        currency=base["currency"],
        vcpu_hour=decimal(base["vcpu_hour"], str(path)),
        memory_gb_hour=decimal(base["memory_gb_hour"], str(path)),
        storage_gb_month=decimal(base["storage_gb_month"], str(path)),
        country=base["country"],
        storage_media=base.get("storage_media", "ssd"),
        source=f"{Path(path).name}: {data.get('note', 'on-premises price book')}",
        date=data.get("date", ""),
    )
    books = {"default": default}
    for env, overrides in data.get("environments", {}).items():
        books[env] = default.for_environment(env, overrides)
    return books
