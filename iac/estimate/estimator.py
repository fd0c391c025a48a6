"""Estimate cost and carbon for projects of resources, with the catalogs and factors given.

The estimator never loads data itself: callers (the portal through its pluggy hooks, the
tests, the benchmark) pass catalogs, price books and carbon factor tables in.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from iac.estimate.carbon import CarbonFactors, Footprint, NoFactor, footprint
from iac.estimate.catalog import Catalog, CatalogSet, FxRates, NoPrice, PriceBook
from iac.estimate.pricers import PRICERS, UNSUPPORTED_REASONS, is_free
from iac.estimate.pricing import Component, PricingContext, UnresolvedValue
from iac.estimate.resources import Project, Resource
from iac.estimate.usage import Usage


@dataclass
class CostLine:
    """A cost component with its price in the estimate's currency."""

    name: str
    unit: str
    price: Decimal
    hourly_quantity: Decimal | None
    monthly_quantity: Decimal | None
    usage_key: str | None
    source: str
    date: str

    @property
    def monthly_cost(self) -> Decimal | None:
        return None if self.monthly_quantity is None else self.price * self.monthly_quantity

    @property
    def hourly_cost(self) -> Decimal | None:
        return None if self.hourly_quantity is None else self.price * self.hourly_quantity


@dataclass
class ResourceEstimate:
    resource: Resource
    status: str  # "priced", "free", "unsupported", or "unpriced" (some price is missing)
    lines: list[CostLine] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    footprint: Footprint | None = None
    carbon_reason: str | None = None

    @property
    def monthly_cost(self) -> Decimal:
        return sum((line.monthly_cost or Decimal(0) for line in self.lines), Decimal(0))

    @property
    def hourly_cost(self) -> Decimal:
        return sum((line.hourly_cost or Decimal(0) for line in self.lines), Decimal(0))

    @property
    def usage_based(self) -> bool:
        return any(line.usage_key for line in self.lines)


@dataclass
class ProjectEstimate:
    project: Project
    resources: list[ResourceEstimate]

    def with_status(self, *statuses: str) -> list[ResourceEstimate]:
        return [r for r in self.resources if r.status in statuses]

    @property
    def monthly_cost(self) -> Decimal:
        return sum((r.monthly_cost for r in self.resources), Decimal(0))

    @property
    def hourly_cost(self) -> Decimal:
        return sum((r.hourly_cost for r in self.resources), Decimal(0))


@dataclass
class Estimate:
    currency: str
    projects: list[ProjectEstimate]
    carbon_factors: CarbonFactors | None
    residency: object = None
    previous: Mapping | None = None
    fx: FxRates | None = None
    sources: list[dict] = field(default_factory=list)

    @property
    def monthly_cost(self) -> Decimal:
        return sum((p.monthly_cost for p in self.projects), Decimal(0))

    @property
    def hourly_cost(self) -> Decimal:
        return sum((p.hourly_cost for p in self.projects), Decimal(0))

    def to_dict(self) -> dict:
        from iac.estimate.report import to_infracost_dict

        return to_infracost_dict(self)

    def to_text(self) -> str:
        from iac.estimate.report import to_text

        return to_text(self)


def estimate(
    projects: Project | Iterable[Project],
    *,
    catalogs: Sequence[Catalog],
    carbon: CarbonFactors | Sequence[CarbonFactors] | None = None,
    price_books: Sequence[PriceBook] = (),
    fx: FxRates | None = None,
    usage: Usage | Mapping | None = None,
    currency: str | None = None,
    previous: Mapping | None = None,
    residency: str | Iterable[str] | None = None,
) -> Estimate:
    """Price and footprint every resource of ``projects``.

    ``catalogs`` are searched in order (first match wins); ``price_books`` price
    on-premises resources whose region is the book's name. ``currency`` defaults to the one
    currency all used prices share, else to the first catalog's; prices in another currency
    are converted with ``fx``. ``previous`` is an earlier estimate's :meth:`Estimate.to_dict`
    for the diff; ``residency`` (``"EU"``, countries, regions) bounds the greenest region.
    """
    projects = [projects] if isinstance(projects, Project) else list(projects)
    all_catalogs = [*catalogs, *(book.catalog() for book in price_books)]
    prices = CatalogSet(all_catalogs)
    usage = usage if isinstance(usage, Usage) else Usage(usage)
    factors = _carbon_factors(carbon, price_books)
    priced = [
        [(resource, _price(resource, prices, usage)) for resource in project.resources]
        for project in projects
    ]
    if currency is None:
        used = {c.price.currency for p in priced for _, ctx in p if ctx for c in ctx.components}
        currency = (
            used.pop() if len(used) == 1 else (all_catalogs[0].currency if all_catalogs else "USD")
        )
    results = [
        ProjectEstimate(project, [_assemble(r, ctx, currency, fx, factors) for r, ctx in pairs])
        for project, pairs in zip(projects, priced, strict=True)
    ]
    sources = [
        {
            "catalog": c.label(),
            "provider": c.provider,
            "currency": c.currency,
            "source": c.source,
            "date": c.date,
        }
        for c in all_catalogs
    ]
    return Estimate(currency, results, factors, residency, previous, fx, sources)


def _carbon_factors(carbon, price_books) -> CarbonFactors | None:
    if carbon is None:
        return None
    factors = carbon if isinstance(carbon, CarbonFactors) else CarbonFactors.merged(list(carbon))
    if price_books and "onprem" in factors.providers:
        factors = factors.with_regions("onprem", {book.name: book.country for book in price_books})
    return factors


def _price(resource: Resource, prices: CatalogSet, usage: Usage) -> PricingContext | None:
    pricer = PRICERS.get(resource.type)
    if pricer is None:
        return None
    ctx = PricingContext(resource, prices, usage.for_address(resource.address))
    try:
        pricer(ctx)
    except UnresolvedValue as reason:
        ctx.problems.append(str(reason))
    return ctx


def _assemble(resource, ctx, currency, fx, factors) -> ResourceEstimate:
    if ctx is None or ctx.free_reason:
        if ctx is not None or is_free(resource.type):
            return ResourceEstimate(resource, "free", reasons=[ctx.free_reason] if ctx else [])
        reason = UNSUPPORTED_REASONS.get(
            resource.type, f"resource type {resource.type} is not supported"
        )
        return ResourceEstimate(resource, "unsupported", reasons=[reason])
    result = ResourceEstimate(resource, "priced", reasons=list(ctx.problems))
    for component in ctx.components:
        try:
            result.lines.append(_line(component, currency, fx))
        except NoPrice as reason:
            result.reasons.append(f"{component.name}: {reason}")
    if result.reasons or not result.lines:
        result.status = "unpriced"
        if not result.reasons:
            result.reasons.append("no cost component could be priced")
    if factors is not None:
        try:
            result.footprint = footprint(factors, resource.provider, resource.region, ctx.activity)
        except NoFactor as reason:
            result.carbon_reason = str(reason)
    return result


def _line(component: Component, currency: str, fx: FxRates | None) -> CostLine:
    price = component.price
    if price.currency != currency and fx is None:
        raise NoPrice(f"price in {price.currency} and no exchange-rate table to reach {currency}")
    amount = fx.convert(price.amount, price.currency, currency) if fx else price.amount
    return CostLine(
        component.name,
        component.unit,
        amount,
        component.hourly_quantity,
        component.monthly_quantity,
        component.usage_key,
        price.source,
        price.date,
    )
