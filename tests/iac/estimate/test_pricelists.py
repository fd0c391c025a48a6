"""Loaders for official price-list files, on small hand-made files in the real formats."""

import json
from decimal import Decimal

import pytest

from iac.estimate import InputError, estimate, load_aws_offer, load_azure_retail_prices, read_plan
from tests.iac.estimate.conftest import aws_region, change, plan


def _product(sku, itype, **overrides):
    attributes = {
        "servicecode": "AmazonEC2",
        "instanceType": itype,
        "regionCode": "eu-west-3",
        "location": "EU (Paris)",
        "vcpu": "2",
        "memory": "1 GiB",
        "operatingSystem": "Linux",
        "tenancy": "Shared",
        "preInstalledSw": "NA",
        "capacitystatus": "Used",
        "licenseModel": "No License required",
    } | overrides
    return {"sku": sku, "productFamily": "Compute Instance", "attributes": attributes}


def _term(sku, usd):
    return {
        f"{sku}.JRTCKXETXF": {
            "offerTermCode": "JRTCKXETXF",
            "sku": sku,
            "effectiveDate": "2025-01-01T00:00:00Z",
            "priceDimensions": {
                f"{sku}.JRTCKXETXF.6YS6EN2CT7": {
                    "unit": "Hrs",
                    "pricePerUnit": {"USD": usd},
                    "description": "hourly",
                }
            },
        }
    }


def test_aws_offer_file(tmp_path, catalogs):
    offer = {
        "formatVersion": "v1.0",
        "offerCode": "AmazonEC2",
        "version": "20250101000000",
        "publicationDate": "2025-01-02T00:00:00Z",
        "products": {
            "A": _product("A", "t3.micro"),
            "B": _product("B", "t3.micro", operatingSystem="Windows"),
            "C": _product("C", "t3.micro", tenancy="Dedicated"),
            "D": _product("D", "t3.micro", preInstalledSw="SQL Std"),
            "E": _product("E", "t3.micro", capacitystatus="UnusedCapacityReservation"),
            "F": _product("F", "m7i.large", vcpu="2", memory="8 GiB"),
            "G": {
                "sku": "G",
                "productFamily": "Storage",
                "attributes": {"regionCode": "eu-west-3"},
            },
        },
        "terms": {
            "OnDemand": {
                s: _term(s, p)
                for s, p in [
                    ("A", "0.0118000000"),
                    ("B", "0.02"),
                    ("C", "0.5"),
                    ("D", "1"),
                    ("E", "0.0118"),
                    ("F", "0.1239000000"),
                ]
            }
        },
    }
    path = tmp_path / "index.json"
    path.write_text(json.dumps(offer))
    catalog = load_aws_offer(path)
    assert catalog.prices["ec2_instance"] == {
        "eu-west-3": {
            "t3.micro": catalog.lookup("ec2_instance", "eu-west-3", "t3.micro"),
            "m7i.large": catalog.lookup("ec2_instance", "eu-west-3", "m7i.large"),
        }
    }
    assert catalog.lookup("ec2_instance", "eu-west-3", "t3.micro").amount == Decimal("0.0118")
    assert catalog.machines["m7i.large"].memory_gb == 8
    assert catalog.date == "2025-01-02"
    # The loaded catalog goes first, so m7i (absent from the shipped one) is priced.
    project = read_plan(
        plan(
            change("aws_instance.x", {"instance_type": "m7i.large"}),
            provider_config=aws_region("eu-west-3"),
        )
    )
    result = estimate(project, catalogs=[catalog, *catalogs]).to_dict()
    instance = result["projects"][0]["breakdown"]["resources"][0]["costComponents"][0]
    assert instance["monthlyCost"] == "90.447"  # 0.1239 x 730
    assert instance["priceSource"].startswith("https://pricing.us-east-1.amazonaws.com/")


def _item(sku, region, price, **overrides):
    return {
        "currencyCode": "USD",
        "tierMinimumUnits": 0.0,
        "retailPrice": price,
        "unitPrice": price,
        "armRegionName": region,
        "location": "EU West",
        "effectiveStartDate": "2024-11-01T00:00:00Z",
        "meterName": sku.removeprefix("Standard_").replace("_", " "),
        "productName": "Virtual Machines Dasv5 Series",
        "skuName": sku.removeprefix("Standard_").replace("_", " "),
        "serviceName": "Virtual Machines",
        "serviceFamily": "Compute",
        "unitOfMeasure": "1 Hour",
        "type": "Consumption",
        "isPrimaryMeterRegion": True,
        "armSkuName": sku,
    } | overrides


def test_azure_retail_prices(tmp_path):
    page1 = {
        "BillingCurrency": "USD",
        "Items": [
            _item("Standard_D2as_v5", "westeurope", 0.103),
            _item(
                "Standard_D2as_v5",
                "westeurope",
                0.195,
                productName="Virtual Machines Dasv5 Series Windows",
            ),
            _item(
                "Standard_D2as_v5",
                "westeurope",
                0.02,
                skuName="D2as v5 Spot",
                meterName="D2as v5 Spot",
            ),
            _item("Standard_D2as_v5", "westeurope", 0.02, skuName="D2as v5 Low Priority"),
            _item(
                "Standard_D2as_v5", "westeurope", 500.0, type="Reservation", unitOfMeasure="1 Hour"
            ),
        ],
        "NextPageLink": "https://prices.azure.com/api/retail/prices?$skip=100",
    }
    page2 = {"Items": [_item("Standard_D4as_v5", "francecentral", 0.216)], "NextPageLink": None}
    paths = []
    for index, page in enumerate((page1, page2)):
        paths.append(tmp_path / f"page{index}.json")
        paths[-1].write_text(json.dumps(page))
    catalog = load_azure_retail_prices(paths)
    assert catalog.lookup("virtual_machine", "westeurope", "Standard_D2as_v5").amount == Decimal(
        "0.103"
    )
    assert catalog.lookup("virtual_machine", "francecentral", "Standard_D4as_v5").amount == Decimal(
        "0.216"
    )
    assert sum(len(skus) for skus in catalog.prices["virtual_machine"].values()) == 2


def test_price_list_errors(tmp_path):
    bad = tmp_path / "offer.json"
    bad.write_text('{"products": {}')
    with pytest.raises(InputError) as error:
        load_aws_offer(bad)
    assert error.value.line == 1
    bad.write_text('{"foo": 1}')
    with pytest.raises(InputError, match="not an AWS offer file"):
        load_aws_offer(bad)
    with pytest.raises(InputError, match="Items"):
        load_azure_retail_prices(bad)
