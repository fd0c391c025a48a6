"""Turn official price-list files, downloaded by an operator, into catalogs.

- AWS Price List offer files (``.../offers/v1.0/aws/AmazonEC2/current/<region>/index.json``):
  ``products`` + ``terms.OnDemand``; Linux, shared tenancy, no pre-installed software,
  capacity status "Used" (the rows a plain on-demand instance is billed on).
- Azure Retail Prices API pages (``https://prices.azure.com/api/retail/prices``):
  ``Items[]`` of type Consumption, Windows, Spot and Low Priority rows skipped.

Load them before the shipped catalogs in the list given to the estimator so they win.
"""

import json
import re
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path

from iac.estimate.catalog import Catalog, Machine, Price
from iac.estimate.errors import InputError

AWS_SOURCE = "https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/AmazonEC2/current/index.json"
AZURE_SOURCE = "https://prices.azure.com/api/retail/prices"
AWS_EC2_FILTER = {
    "operatingSystem": "Linux",
    "tenancy": "Shared",
    "preInstalledSw": "NA",
    "capacitystatus": "Used",
}
MEMORY = re.compile(r"^([\d.,]+)\s*GiB$")


def _read_json(path: str | Path) -> dict:
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise InputError(error.msg, file=str(path), line=error.lineno, column=error.colno) from None


def load_aws_offer(path: str | Path) -> Catalog:
    """EC2 on-demand Linux instance prices (and sizes) from an AWS offer file."""
    offer = _read_json(path)
    if "products" not in offer or "terms" not in offer:
        raise InputError("not an AWS offer file: products and terms expected", file=str(path))
    date = offer.get("publicationDate", "")[:10]
    catalog = Catalog(
        "aws",
        "USD",
        AWS_SOURCE,
        date,
        f"aws offer {offer.get('offerCode', '')} {offer.get('version', '')}".strip(),
    )
    on_demand = offer["terms"].get("OnDemand", {})
    for sku, product in offer["products"].items():
        attributes = product.get("attributes", {})
        if product.get("productFamily") != "Compute Instance":
            continue
        if any(attributes.get(key) != value for key, value in AWS_EC2_FILTER.items()):
            continue
        price = _aws_hourly_price(on_demand.get(sku, {}))
        region = attributes.get("regionCode")
        instance_type = attributes.get("instanceType")
        if price is None or not region or not instance_type:
            continue
        catalog.add(
            "ec2_instance", region, instance_type, Price(price, "hours", "USD", AWS_SOURCE, date)
        )
        memory = MEMORY.match(attributes.get("memory", ""))
        if attributes.get("vcpu") and memory:
            catalog.machines[instance_type] = Machine(
                Decimal(attributes["vcpu"]), Decimal(memory.group(1).replace(",", ""))
            )
    return catalog


def _aws_hourly_price(terms: dict) -> Decimal | None:
    for term in terms.values():
        for dimension in term.get("priceDimensions", {}).values():
            if dimension.get("unit") == "Hrs" and "USD" in dimension.get("pricePerUnit", {}):
                return Decimal(dimension["pricePerUnit"]["USD"]).normalize()
    return None


def load_azure_retail_prices(paths: str | Path | Iterable[str | Path]) -> Catalog:
    """Linux pay-as-you-go VM prices from one or more Retail Prices API pages."""
    paths = [paths] if isinstance(paths, str | Path) else list(paths)
    catalog = None
    for path in paths:
        page = _read_json(path)
        if not isinstance(page.get("Items"), list):
            raise InputError("not an Azure retail prices page: Items[] expected", file=str(path))
        for index, item in enumerate(page["Items"]):
            if not _azure_linux_vm(item):
                continue
            currency = item.get("currencyCode", "USD")
            date = str(item.get("effectiveStartDate", ""))[:10]
            if catalog is None:
                catalog = Catalog("azure", currency, AZURE_SOURCE, date, "azure retail prices")
            elif currency != catalog.currency:
                raise InputError(
                    f"Items[{index}] is in {currency}, earlier items in {catalog.currency}",
                    file=str(path),
                )
            price = Price(Decimal(str(item["retailPrice"])), "hours", currency, AZURE_SOURCE, date)
            catalog.add("virtual_machine", item["armRegionName"], item["armSkuName"], price)
            catalog.date = max(catalog.date, date)
    return catalog or Catalog("azure", "USD", AZURE_SOURCE, "", "azure retail prices")


def _azure_linux_vm(item: dict) -> bool:
    names = " ".join(str(item.get(k, "")) for k in ("productName", "skuName", "meterName"))
    return (
        item.get("type") == "Consumption"
        and item.get("serviceName") == "Virtual Machines"
        and item.get("unitOfMeasure") == "1 Hour"
        and bool(item.get("armSkuName"))
        and "Windows" not in names
        and "Spot" not in names
        and "Low Priority" not in names
    )
