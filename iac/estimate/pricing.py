"""The per-resource pricing context pricers write into, and what it collects."""

from dataclasses import dataclass, field
from decimal import Decimal

from iac.estimate.catalog import CatalogSet, Machine, NoPrice, Price
from iac.estimate.resources import Resource, Unresolved
from iac.estimate.usage import Usage

HOURS_PER_MONTH = Decimal(730)


@dataclass
class Component:
    name: str
    unit: str
    price: Price  # in the catalog's own currency; converted when the estimate is assembled
    hourly_quantity: Decimal | None
    monthly_quantity: Decimal | None
    usage_key: str | None = None  # set when the quantity comes (or would come) from usage


@dataclass
class Activity:
    """What a resource does in a month, in the terms the carbon method needs."""

    vcpu: Decimal = Decimal(0)  # average vCPUs running
    memory_gb: Decimal = Decimal(0)
    hours: Decimal | None = HOURS_PER_MONTH  # None: running time depends on usage
    ssd_gb: Decimal = Decimal(0)  # stored GB, replication included
    hdd_gb: Decimal = Decimal(0)
    network_gb: Decimal = Decimal(0)
    host_family: str | None = None  # for the embodied share; None: no embodied emissions
    replication: str | None = None  # key of the provider's storage replication factor
    utilisation: Decimal | None = None


class UnresolvedValue(LookupError):
    pass


@dataclass
class PricingContext:
    resource: Resource
    prices: CatalogSet
    usage: dict
    components: list[Component] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    activity: Activity = field(default_factory=Activity)
    free_reason: str | None = None  # set when this configuration of the type costs nothing

    @property
    def provider(self) -> str:
        return self.resource.provider

    @property
    def region(self) -> str | None:
        return self.resource.region

    def get(self, *path, default=None):
        """A value by path (``get("root_block_device", 0, "volume_size")``); raises when the
        HCL reader could not resolve it, so no price is made from a guess."""
        node = self.resource.values
        for part in path:
            if isinstance(node, list) and isinstance(part, int):
                node = node[part] if part < len(node) else None
            elif isinstance(node, dict):
                node = node.get(part)
            else:
                node = None
            if node is None:
                return default
        if isinstance(node, Unresolved):
            name = ".".join(str(p) for p in path)
            raise UnresolvedValue(f"{name} could not be resolved ({node.expression})")
        return node

    def number(self, *path, default=None) -> Decimal | None:
        value = self.get(*path, default=default)
        return None if value is None else Decimal(str(value))

    def used(self, key: str) -> Decimal | None:
        return Usage.value(self.usage, key)

    def machine(self, sku: str) -> Machine | None:
        return self.prices.machine(self.provider, sku)

    def _price(self, name: str, service: str, sku: str) -> Price | None:
        try:
            return self.prices.price(self.provider, service, self.region, sku)
        except NoPrice as reason:
            self.problems.append(f"{name}: {reason}")
            return None

    def hourly(self, name: str, service: str, sku: str, quantity=1, unit: str | None = None):
        """A component billed per unit-hour (instances, gateways, clusters)."""
        price = self._price(name, service, sku)
        if price is not None:
            quantity = Decimal(quantity)
            self.components.append(
                Component(name, unit or price.unit, price, quantity, quantity * HOURS_PER_MONTH)
            )

    def monthly(self, name: str, service: str, sku: str, quantity, unit: str | None = None):
        """A component billed per unit-month (GB of storage, a fixed monthly fee)."""
        price = self._price(name, service, sku)
        if price is not None:
            quantity = Decimal(quantity)
            self.components.append(
                Component(name, unit or price.unit, price, quantity / HOURS_PER_MONTH, quantity)
            )

    def usage_based(
        self, name: str, service: str, sku: str, usage_key: str, scale=1
    ) -> Decimal | None:
        """A component whose monthly quantity is usage; without usage its quantity stays
        unknown (null), the unit price is still shown. Returns the monthly quantity."""
        price = self._price(name, service, sku)
        if price is None:
            return None
        amount = self.used(usage_key)
        monthly = None if amount is None else amount * Decimal(scale)
        hourly = None if monthly is None else monthly / HOURS_PER_MONTH
        self.components.append(Component(name, price.unit, price, hourly, monthly, usage_key))
        return monthly

    def compute(self, machine: Machine | None, family: str | None, count=1) -> None:
        """Record running capacity for carbon."""
        if machine is not None:
            self.activity.vcpu += machine.effective_vcpu * Decimal(count)
            self.activity.memory_gb += machine.memory_gb * Decimal(count)
            self.activity.host_family = family
