"""Known published prices, one or more per shipped catalog (on-demand, Linux, 2025-01)."""

from decimal import Decimal

import pytest

from iac.estimate import estimate, read_plan
from iac.estimate.catalog import CatalogSet, NoPrice
from tests.iac.estimate.conftest import aws_region, change, plan

PUBLISHED = [
    # provider, service, region, sku, price, currency
    ("aws", "ec2_instance", "us-east-1", "t3.micro", "0.0104", "USD"),
    ("aws", "ec2_instance", "us-east-1", "m5.large", "0.096", "USD"),
    ("aws", "ec2_instance", "us-east-1", "c5.xlarge", "0.17", "USD"),
    ("aws", "ec2_instance", "us-east-1", "r5.large", "0.126", "USD"),
    ("aws", "ec2_instance", "eu-west-1", "t3.micro", "0.0114", "USD"),
    ("aws", "ec2_instance", "eu-central-1", "m5.large", "0.115", "USD"),
    ("aws", "ebs_volume", "us-east-1", "gp3", "0.08", "USD"),
    ("aws", "ebs_volume", "us-east-1", "gp2", "0.10", "USD"),
    ("aws", "s3_storage", "us-east-1", "standard", "0.023", "USD"),
    ("aws", "rds_instance", "us-east-1", "postgres/db.t3.micro", "0.018", "USD"),
    ("aws", "rds_instance", "us-east-1", "mysql/db.t3.micro", "0.017", "USD"),
    ("aws", "load_balancer", "us-east-1", "application", "0.0225", "USD"),
    ("aws", "nat_gateway", "us-east-1", "gateway", "0.045", "USD"),
    ("aws", "eks_cluster", "eu-west-3", "standard", "0.10", "USD"),
    ("azure", "virtual_machine", "eastus", "Standard_B1s", "0.0104", "USD"),
    ("azure", "virtual_machine", "eastus", "Standard_D2s_v5", "0.096", "USD"),
    ("azure", "managed_disk", "eastus", "P10", "19.71", "USD"),
    ("azure", "aks_cluster", "westeurope", "Standard", "0.10", "USD"),
    ("gcp", "compute_instance", "us-central1", "e2-standard-2", "0.067006", "USD"),
    ("gcp", "compute_instance", "us-central1", "n2-standard-2", "0.097118", "USD"),
    ("gcp", "compute_instance", "us-central1", "e2-micro", "0.008376", "USD"),
    ("gcp", "persistent_disk", "us-central1", "pd-balanced", "0.10", "USD"),
    ("gcp", "gke_cluster", "europe-west9", "standard", "0.10", "USD"),
    ("scaleway", "instance", "fr-par", "DEV1-S", "0.0088", "EUR"),
    ("scaleway", "instance", "nl-ams", "PRO2-XS", "0.11", "EUR"),
    ("hetzner", "server", "fsn1", "cx22", "3.79", "EUR"),
    ("hetzner", "volume", "hel1", "volume", "0.044", "EUR"),
]


@pytest.mark.parametrize(("provider", "service", "region", "sku", "price", "currency"), PUBLISHED)
def test_published_price(catalogs, provider, service, region, sku, price, currency):
    found = CatalogSet(catalogs).price(provider, service, region, sku)
    assert found.amount == Decimal(price)
    assert found.currency == currency
    assert found.source.startswith("https://") and found.date == "2025-01"


def test_required_regions_have_compute_prices(catalogs):
    prices = CatalogSet(catalogs)
    for provider, service, sku, regions in [
        (
            "aws",
            "ec2_instance",
            "t3.micro",
            ["us-east-1", "us-west-2", "eu-west-1", "eu-west-3", "eu-central-1"],
        ),
        (
            "azure",
            "virtual_machine",
            "Standard_D2s_v5",
            ["eastus", "westeurope", "francecentral", "germanywestcentral"],
        ),
        (
            "gcp",
            "compute_instance",
            "n2-standard-2",
            ["us-central1", "europe-west1", "europe-west9", "europe-west3"],
        ),
        ("scaleway", "instance", "DEV1-M", ["fr-par", "nl-ams", "pl-waw"]),
        ("hetzner", "server", "cpx21", ["fsn1", "nbg1", "hel1"]),
    ]:
        for region in regions:
            assert prices.price(provider, service, region, sku).amount > 0


def test_missing_price_reasons(catalogs):
    prices = CatalogSet(catalogs)
    with pytest.raises(NoPrice, match="region 'mars-1' has no ec2_instance prices"):
        prices.price("aws", "ec2_instance", "mars-1", "t3.micro")
    with pytest.raises(NoPrice, match=r"'t3\.huge' has no ec2_instance price in us-east-1"):
        prices.price("aws", "ec2_instance", "us-east-1", "t3.huge")
    with pytest.raises(NoPrice, match="no price catalog for provider 'ibm'"):
        prices.price("ibm", "vm", "x", "y")


def test_aws_instance_end_to_end(catalogs):
    """t3.micro: 730 h x 0.0104 = 7.592; default root volume 8 GB gp2 x 0.10 = 0.80."""
    project = read_plan(
        plan(
            change("aws_instance.web", {"instance_type": "t3.micro"}),
            provider_config=aws_region("us-east-1"),
        )
    )
    result = estimate(project, catalogs=catalogs).to_dict()
    resource = result["projects"][0]["breakdown"]["resources"][0]
    instance, root = resource["costComponents"]
    assert (instance["unit"], instance["monthlyQuantity"], instance["price"]) == (
        "hours",
        "730",
        "0.0104",
    )
    assert instance["monthlyCost"] == "7.592" and instance["hourlyCost"] == "0.0104"
    assert root["monthlyCost"] == "0.8"
    assert result["totalMonthlyCost"] == "8.392"
    assert result["currency"] == "USD"


def test_hetzner_server_is_monthly_capped_with_ipv4(catalogs):
    """cx22 EUR 3.79/month + primary IPv4 EUR 0.50/month."""
    project = read_plan(
        plan(
            change(
                "hcloud_server.a",
                {"server_type": "cx22", "location": "nbg1"},
                "registry.terraform.io/hetznercloud/hcloud",
            )
        )
    )
    result = estimate(project, catalogs=catalogs).to_dict()
    assert result["currency"] == "EUR"
    assert result["totalMonthlyCost"] == "4.29"


def test_mixed_currencies_convert_with_fixed_rate(catalogs, fx):
    """DEV1-S 0.0088 EUR/h x 730 = 6.424 EUR = 6.424 x 1.0389 = 6.6738936 USD."""
    project = read_plan(
        plan(
            change(
                "scaleway_instance_server.s",
                {"type": "DEV1-S", "zone": "fr-par-1"},
                "registry.terraform.io/scaleway/scaleway",
            ),
            change("aws_eip.ip", {}),
            provider_config=aws_region("us-east-1"),
        )
    )
    result = estimate(project, catalogs=catalogs, fx=fx, currency="USD").to_dict()
    costs = {r["name"]: r["monthlyCost"] for r in result["projects"][0]["breakdown"]["resources"]}
    assert costs["scaleway_instance_server.s"] == "6.6738936"
    assert costs["aws_eip.ip"] == "3.65"
    assert result["exchangeRates"]["rates"] == {"EUR/USD": "1.0389"}
    without_rates = estimate(project, catalogs=catalogs, currency="USD").to_dict()
    assert without_rates["summary"]["totalNoPriceResources"] == 1
