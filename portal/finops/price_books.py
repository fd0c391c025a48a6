"""The on-premises price book as the estimator sees it: the portal's editable book, with
the environment's override applied."""

from dataclasses import replace

from iac.estimate import PriceBook as BookPrices
from plugins.pricing import ONPREM_FILE, default_price_books
from portal.finops.models import PriceBook, PriceBookOverride

DEFAULT_LOCATION = "default"


def seed_fields() -> dict:
    """The shipped book's figures (plugins/pricing/onprem.json): the first book's values."""
    shipped = default_price_books()["default"]
    return {
        "currency": shipped.currency,
        "vcpu_hour": shipped.vcpu_hour,
        "memory_gb_hour": shipped.memory_gb_hour,
        "storage_gb_month": shipped.storage_gb_month,
        "country": shipped.country,
        "storage_media": shipped.storage_media,
        "note": f"Seeded from {ONPREM_FILE.name} ({shipped.date}): {shipped.source}",
    }


def default_book() -> PriceBook:
    """The book; seeded from the shipped figures on first use (the data migration does
    the same, this covers a flushed database)."""
    book = PriceBook.objects.order_by("pk").first()
    return book if book is not None else PriceBook.objects.create(**seed_fields())


def location_of(environment) -> str:
    """The book name resources of this environment are priced with (readers' ``location``)."""
    return environment.name if environment is not None else DEFAULT_LOCATION


def book_prices(environment=None) -> BookPrices:
    """The estimator's price book for ``environment`` (the default book without one)."""
    book = default_book()
    prices = BookPrices(
        currency=book.currency,
        vcpu_hour=book.vcpu_hour,
        memory_gb_hour=book.memory_gb_hour,
        storage_gb_month=book.storage_gb_month,
        country=book.country,
        storage_media=book.storage_media,
        source="Plateau on-premises price book",
        date=book.updated.date().isoformat(),
    )
    if environment is None:
        return prices
    override = PriceBookOverride.objects.filter(environment=environment).first()
    if override is None:
        return replace(prices, name=location_of(environment))
    return replace(
        prices.for_environment(location_of(environment), override.overrides()),
        source=f"Plateau on-premises price book, {environment} override",
        date=max(book.updated, override.updated).date().isoformat(),
    )
