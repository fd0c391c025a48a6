"""Estimates in the portal: ``iac.estimate`` fed with every plugin's price catalogs and
carbon factors, and bounded by the environment's residency."""

from collections.abc import Iterable

import pycountry

from iac.estimate import Estimate, Project, estimate
from plugins.pricing import default_fx_rates
from portal.finops.price_books import book_prices
from portal.plugins import hook
from portal.projects.models import Residency


def price_catalogs() -> list:
    # pluggy calls the most recently registered plugin first, so a third party's
    # negotiated prices are found before the official lists an operator loaded, and
    # those before the published ones shipped with Plateau (offered last).
    return [catalog for catalogs in hook().plateau_price_catalogs() for catalog in catalogs or []]


def carbon_factors() -> list:
    return [table for tables in hook().plateau_carbon_factors() for table in tables or []]


def price_books(environment) -> list:
    """The default book, and the environment's own when there is one (resources read for
    that environment name it as their location)."""
    books = [book_prices()]
    if environment is not None:
        books.append(book_prices(environment))
    return books


def residency_of(environment) -> str | list[str] | None:
    """The environment's residency in the estimator's terms: "EU", ISO alpha-3 countries."""
    if environment is None or environment.residency == Residency.ANY:
        return None
    if environment.residency == Residency.EU:
        return "EU"
    country = pycountry.countries.get(alpha_2=environment.residency_country)
    return [country.alpha_3] if country else [environment.residency_country]


def estimate_projects(
    projects: Project | Iterable[Project],
    *,
    environment=None,
    previous: dict | None = None,
    usage: dict | None = None,
) -> Estimate:
    return estimate(
        projects,
        catalogs=price_catalogs(),
        carbon=carbon_factors(),
        price_books=price_books(environment),
        fx=default_fx_rates(),
        usage=usage,
        previous=previous,
        residency=residency_of(environment),
    )
