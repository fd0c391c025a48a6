"""Official price lists loaded by an operator (``python manage.py prices load``), stored
as catalogs and offered ahead of the shipped ones."""

import threading
from pathlib import Path

from django.db import transaction

from iac.estimate import (
    Catalog,
    InputError,
    catalog_to_dict,
    load_aws_offer,
    load_azure_retail_prices,
)
from iac.estimate.catalog import catalog_from_dict
from portal.finops.models import PriceList

LOADERS = {"aws": load_aws_offer, "azure": load_azure_retail_prices}


def detect_provider(path: Path) -> str:
    """AWS offer files have ``offerCode`` and ``products``; Azure pages have ``Items``."""
    try:
        with path.open(encoding="utf-8") as handle:
            head = handle.read(65536)
    except OSError as error:
        raise InputError(error.strerror or str(error), file=str(path)) from None
    if '"offerCode"' in head or '"products"' in head:
        return "aws"
    if '"Items"' in head:
        return "azure"
    raise InputError(
        "cannot tell the format: neither an AWS offer file (offerCode, products) nor an "
        "Azure retail prices page (Items); name it with --provider",
        file=str(path),
    )


def price_count(catalog: Catalog) -> int:
    return sum(len(skus) for regions in catalog.prices.values() for skus in regions.values())


def load_price_list(path: str | Path, provider: str | None = None) -> PriceList:
    """Read ``path`` and store its catalog, replacing the one loaded from the same file
    name. Raises InputError naming the file and the place; nothing is stored then."""
    path = Path(path)
    if not path.is_file():
        raise InputError("no such file", file=str(path))
    provider = provider or detect_provider(path)
    catalog = LOADERS[provider](path)
    count = price_count(catalog)
    if count == 0:
        raise InputError(
            f"no on-demand Linux compute price found in this {provider} price list", file=str(path)
        )
    with transaction.atomic():
        existing = PriceList.objects.filter(provider=provider, file_name=path.name).first()
        price_list = existing or PriceList(provider=provider, file_name=path.name)
        price_list.name = catalog.name
        price_list.source = catalog.source
        price_list.date = catalog.date
        price_list.price_count = count
        price_list.catalog = catalog_to_dict(catalog)
        price_list.save()
    return price_list


_cache: dict[tuple[int, str], Catalog] = {}
_cache_lock = threading.Lock()


def loaded_catalogs() -> list[Catalog]:
    """The stored catalogs, newest first; parsed once per process and stored version."""
    stamps = list(PriceList.objects.values_list("pk", "loaded"))
    wanted = [(pk, loaded.isoformat()) for pk, loaded in stamps]
    with _cache_lock:
        for key in set(_cache) - set(wanted):
            del _cache[key]
        missing = [key for key in wanted if key not in _cache]
        if missing:
            data = dict(
                PriceList.objects.filter(pk__in=[pk for pk, _ in missing]).values_list(
                    "pk", "catalog"
                )
            )
            for key in missing:
                if key[0] in data:
                    _cache[key] = catalog_from_dict(data[key[0]], f"price list {key[0]}")
        return [_cache[key] for key in wanted if key in _cache]


def loaded_origins() -> dict[int, int]:
    """``id(catalog)`` -> PriceList pk, for the catalogs :func:`loaded_catalogs` gave."""
    with _cache_lock:
        return {id(catalog): pk for (pk, _), catalog in _cache.items()}
