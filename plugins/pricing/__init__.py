"""Plateau's built-in price catalogs, exchange rates, on-prem price book and carbon factors.

Data-loading helpers only: the portal's plugin wiring passes what these return to
:func:`iac.estimate.estimate`. Every file here states its source and date.
"""

from functools import cache
from pathlib import Path

from iac.estimate.carbon import CarbonFactors, load_carbon_factors
from iac.estimate.catalog import (
    Catalog,
    FxRates,
    PriceBook,
    load_catalog,
    load_fx_rates,
    load_price_books,
)
from portal.hookspecs import hookimpl

DATA_DIR = Path(__file__).parent
CATALOG_DIR = DATA_DIR / "catalogs"
ONPREM_FILE = DATA_DIR / "onprem.json"


@cache
def default_catalogs() -> tuple[Catalog, ...]:
    return tuple(load_catalog(path) for path in sorted(CATALOG_DIR.glob("*.json")))


@cache
def default_fx_rates() -> FxRates:
    return load_fx_rates(DATA_DIR / "fx_rates.json")


@cache
def default_carbon_factors() -> CarbonFactors:
    """CCF tables, with country factors read from the installed codecarbon package."""
    return load_carbon_factors(DATA_DIR / "carbon_factors.json")


def default_price_books() -> dict[str, PriceBook]:
    """The shipped figures; the portal seeds its editable price book from them."""
    return load_price_books(ONPREM_FILE)


# Last: loaded official price lists and third parties' negotiated prices come first.
@hookimpl(trylast=True)
def plateau_price_catalogs():
    return list(default_catalogs())


@hookimpl
def plateau_carbon_factors():
    return [default_carbon_factors()]
