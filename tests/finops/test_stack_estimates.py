"""Estimates of curated stack versions with values, before anything is deployed: the
expected figures are computed here from the shipped catalog files and the price book."""

from decimal import Decimal

import pytest

from portal.finops import stack_estimates
from portal.finops.models import PriceBookOverride
from portal.finops.price_books import default_book
from portal.finops.stack_estimates import StackEstimateError, estimate_stack_version
from tests.factories import EnvironmentFactory
from tests.finops.conftest import HOURS, published_price

EU_MEMBERS = {
    "AUT", "BEL", "BGR", "HRV", "CYP", "CZE", "DNK", "EST", "FIN", "FRA", "DEU", "GRC", "HUN",
    "IRL", "ITA", "LVA", "LTU", "LUX", "MLT", "NLD", "POL", "PRT", "ROU", "SVK", "SVN", "ESP",
    "SWE",
}  # fmt: skip


def components(estimate) -> dict[tuple[str, str], dict]:
    return {
        (resource["name"], component["name"]): component
        for project in estimate["projects"]
        for resource in project["breakdown"]["resources"]
        for component in resource["costComponents"]
    }


def test_aws_web_server_priced_from_the_aws_catalog(curated_version):
    version = curated_version("aws-web-server")
    environment = EnvironmentFactory(provider="aws", region="eu-west-3")

    result = estimate_stack_version(version, {"instance_type": "t3.medium"}, environment)

    lines = components(result)
    instance = lines[("aws_instance.web", "Instance usage (Linux/UNIX, on-demand, t3.medium)")]
    assert (
        Decimal(instance["monthlyCost"])
        == published_price("aws", "ec2_instance", "eu-west-3", "t3.medium") * HOURS
    )
    data = lines[("aws_ebs_volume.data", "Storage (general purpose SSD, gp3)")]
    assert Decimal(data["monthlyQuantity"]) == 20  # the parameter's default
    assert Decimal(data["monthlyCost"]) == 20 * published_price(
        "aws", "ebs_volume", "eu-west-3", "gp3"
    )
    # The stack's usage hints price the load balancer's capacity units.
    lcu = lines[("aws_lb.web", "Load balancer capacity units")]
    assert lcu["monthlyQuantity"] is not None
    assert result["currency"] == "USD"
    assert Decimal(result["totalMonthlyCost"]) == sum(
        Decimal(line["monthlyCost"]) for line in lines.values()
    )
    assert result["carbon"]["totalMonthlyKgCO2e"] > 0


def test_scaleway_server_is_priced_in_euros(curated_version):
    version = curated_version("scaleway-server")
    environment = EnvironmentFactory(provider="scaleway", region="fr-par", residency="eu")

    result = estimate_stack_version(
        version, {"server_type": "DEV1-M", "data_volume_gb": 50}, environment
    )

    assert result["currency"] == "EUR"
    lines = components(result)
    server = lines[("scaleway_instance_server.web", "Instance (DEV1-M)")]
    assert (
        Decimal(server["monthlyCost"])
        == published_price("scaleway", "instance", "fr-par", "DEV1-M") * HOURS
    )
    volume = lines[("scaleway_block_volume.data", "Block storage (sbs_5k)")]
    assert Decimal(volume["monthlyCost"]) == 50 * published_price(
        "scaleway", "block_volume", "fr-par", "sbs_5k"
    )


WEB_VALUES = {
    "image": "registry.example.com/team/app:1.4.2",
    "hostname": "app.example.com",
    "replicas": 2,
    "cpu": "500m",
    "memory": "1Gi",
}


def test_web_service_helm_release_priced_with_the_price_book(curated_version):
    version = curated_version("web-service")
    environment = EnvironmentFactory(provider="kubernetes", region="")
    book = default_book()

    result = estimate_stack_version(version, WEB_VALUES, environment)

    # helm template renders 2 replicas x (0.5 vCPU, 1 GiB).
    expected = 2 * (
        Decimal("0.5") * HOURS * book.vcpu_hour + Decimal(1) * HOURS * book.memory_gb_hour
    )
    assert result["currency"] == book.currency
    assert Decimal(result["totalMonthlyCost"]) == expected
    resources = result["projects"][0]["breakdown"]["resources"]
    assert [r["name"] for r in resources] == ["Deployment/default/web-service"]


def test_environment_override_changes_the_helm_price(curated_version):
    version = curated_version("web-service")
    environment = EnvironmentFactory(provider="kubernetes", region="")
    PriceBookOverride.objects.create(environment=environment, vcpu_hour=Decimal("0.1"))
    book = default_book()

    result = estimate_stack_version(version, WEB_VALUES, environment)

    expected = 2 * (
        Decimal("0.5") * HOURS * Decimal("0.1") + Decimal(1) * HOURS * book.memory_gb_hour
    )
    assert Decimal(result["totalMonthlyCost"]) == expected


def test_postgres_database_costs_the_environment_hosts(curated_version):
    version = curated_version("postgres-database")
    environment = EnvironmentFactory(
        provider="onprem",
        region="",
        hosts=[
            {
                "name": "db1",
                "address": "10.0.0.5",
                "connection": "ssh",
                "vars": {"vcpu": 4, "memory_gb": 16, "disk_gb": 100},
            }
        ],
    )
    book = default_book()
    values = {"server": "pg-admin", "database_name": "shop", "owner_name": "shop"}

    result = estimate_stack_version(version, values, environment)

    expected = (
        4 * HOURS * book.vcpu_hour + 16 * HOURS * book.memory_gb_hour + 100 * book.storage_gb_month
    )
    assert Decimal(result["totalMonthlyCost"]) == expected
    assert [r["name"] for r in result["projects"][0]["breakdown"]["resources"]] == ["db1"]


def test_without_hosts_one_host_of_the_default_size_is_counted(curated_version):
    version = curated_version("postgres-database")
    environment = EnvironmentFactory(provider="onprem", region="", hosts=[])
    book = default_book()
    values = {"server": "pg-admin", "database_name": "shop", "owner_name": "shop"}

    result = estimate_stack_version(version, values, environment)

    expected = 2 * HOURS * book.vcpu_hour + 4 * HOURS * book.memory_gb_hour
    assert Decimal(result["totalMonthlyCost"]) == expected + 50 * book.storage_gb_month


@pytest.mark.parametrize("residency", ["eu", "any"])
def test_greenest_region_respects_residency(curated_version, residency):
    version = curated_version("aws-web-server")
    environment = EnvironmentFactory(provider="aws", region="us-east-1", residency=residency)

    result = estimate_stack_version(version, {"region": "us-east-1"}, environment)

    (best,) = result["carbon"]["greenestRegions"]
    if residency == "eu":
        assert result["carbon"]["residency"] == "EU"
        assert best["country"] in EU_MEMBERS
    else:
        assert result["carbon"]["residency"] is None
        assert best["savingKgCO2e"] > 0


def test_bad_values_name_the_field_and_rule(curated_version):
    version = curated_version("aws-web-server")
    environment = EnvironmentFactory(provider="aws", region="eu-west-3")

    with pytest.raises(StackEstimateError) as raised:
        estimate_stack_version(version, {"data_volume_gb": 2}, environment)

    assert raised.value.errors == {"values.data_volume_gb": ["At least 8 GB."]}


def test_estimates_are_cached_until_prices_change(curated_version, monkeypatch):
    version = curated_version("web-service")
    environment = EnvironmentFactory(provider="kubernetes", region="")
    calls = []
    real = stack_estimates._estimate
    monkeypatch.setattr(
        stack_estimates, "_estimate", lambda *args: calls.append(args) or real(*args)
    )

    first = estimate_stack_version(version, WEB_VALUES, environment)
    assert estimate_stack_version(version, WEB_VALUES, environment) == first
    assert len(calls) == 1
    estimate_stack_version(version, WEB_VALUES | {"replicas": 3}, environment)
    assert len(calls) == 2

    book = default_book()
    book.vcpu_hour = Decimal("0.5")
    book.save()
    changed = estimate_stack_version(version, WEB_VALUES, environment)
    assert len(calls) == 3
    assert Decimal(changed["totalMonthlyCost"]) > Decimal(first["totalMonthlyCost"])


def test_a_step_that_cannot_be_read_is_named(curated_version):
    version = curated_version("web-service")
    broken = version.files_path / "chart" / "templates" / "deployment.yaml"
    broken.write_text("{{ if .Values.image }}\nkind: Deployment\n")
    environment = EnvironmentFactory(provider="kubernetes", region="")

    with pytest.raises(StackEstimateError) as raised:
        estimate_stack_version(version, WEB_VALUES, environment)

    (message,) = raised.value.errors["step release"]
    assert message.startswith("helm template failed")
    assert str(version.files_path) not in message
