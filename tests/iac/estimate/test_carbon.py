"""The CCF method against worked examples computed by hand."""

import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from iac.estimate import estimate, read_inventory, read_plan
from iac.estimate.carbon import footprint, greenest_regions, residency_filter
from iac.estimate.pricing import Activity
from tests.iac.estimate.conftest import aws_region, change, plan


def test_t3_micro_in_paris(carbon):
    """AWS t3.micro (2 vCPU, 1 GB), eu-west-3, 730 h, 50 % utilisation.

    watts   = 0.74 + 0.5 x (3.5 - 0.74)            = 2.12 W per vCPU
    compute = 2 x 730 x 2.12 / 1000                = 3.0952 kWh
    memory  = 1 x 730 x 0.000392                   = 0.28616 kWh
    energy  = (3.0952 + 0.28616) x PUE 1.135       = 3.8378436 kWh
    operational = 3.8378436 x 0.052 kg/kWh         = 0.19956787 kgCO2e
    host (m5: 96 vCPU, 384 GB, 2 CPUs) = 1000 + 100 + (384 - 16) x 533/384 = 1610.7917 kg
    embodied = 1610.7917 x 730 / 35040 x 2 / 96    = 0.69912834 kgCO2e
    """
    activity = Activity(vcpu=Decimal(2), memory_gb=Decimal(1), host_family="t3")
    fp = footprint(carbon, "aws", "eu-west-3", activity)
    assert fp.energy_kwh == pytest.approx(3.8378436)
    assert fp.operational_kg == pytest.approx(0.19956787)
    assert fp.embodied_kg == pytest.approx(0.69912834, rel=1e-6)
    assert (fp.country, fp.basis) == ("FRA", "CCF region table")


def test_storage_and_network(carbon):
    """100 GB gp3 (SSD, EBS replication 2) + 50 GB through a NAT gateway, us-east-1.

    storage = 0.1 TB x 2 x 730 h x 1.2 Wh / 1000   = 0.1752 kWh
    network = 50 x 0.001                           = 0.05 kWh
    energy  = 0.2252 x 1.135                       = 0.255602 kWh
    operational = 0.255602 x 0.379069              = 0.09689076 kgCO2e
    """
    activity = Activity(ssd_gb=Decimal(100), network_gb=Decimal(50), replication="ebs")
    fp = footprint(carbon, "aws", "us-east-1", activity)
    assert fp.energy_kwh == pytest.approx(0.255602)
    assert fp.operational_kg == pytest.approx(0.255602 * 0.379069)
    assert fp.embodied_kg == 0


def test_gcp_and_azure_coefficients(carbon):
    """1 vCPU for 730 h at 50 %:
    GCP europe-west1: (0.71 + 0.5 x 3.55) = 2.485 W -> 1.81405 kWh x PUE 1.09 x 0.11
    Azure francecentral: (0.78 + 0.5 x 2.98) = 2.27 W -> 1.6571 kWh x 1.185 x 0.05128
    """
    one = Activity(vcpu=Decimal(1))
    assert footprint(carbon, "gcp", "europe-west1", one).operational_kg == pytest.approx(
        1.81405 * 1.09 * 0.11
    )
    assert footprint(carbon, "azure", "francecentral", one).operational_kg == pytest.approx(
        1.6571 * 1.185 * 0.05128
    )


def test_country_factor_from_codecarbon(carbon):
    """Hetzner fsn1 is in Germany: codecarbon's DEU carbon_intensity (g/kWh) / 1000."""
    grid, country, basis = carbon.grid("hetzner", "fsn1")
    assert country == "DEU" and basis == "country (codecarbon)"
    assert grid == pytest.approx(carbon.country_kg_per_kwh["DEU"])
    assert 0.1 < grid < 0.8


def test_codecarbon_not_imported():
    """Country factors come from codecarbon's data file; neither codecarbon nor Django is
    imported to read them (iac/ is usable without the portal)."""
    code = (
        "import sys; from iac.estimate.carbon import load_carbon_factors;"
        "load_carbon_factors('plugins/pricing/carbon_factors.json');"
        "print('codecarbon' in sys.modules, 'django' in sys.modules)"
    )
    repository = Path(__file__).resolve().parents[3]
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=repository
    )
    assert out.stdout.split() == ["False", "False"]


def test_residency_filter():
    eu = residency_filter("EU")
    assert eu("eu-west-3", "FRA") and not eu("eu-west-2", "GBR") and not eu("us-east-1", "USA")
    only = residency_filter({"DEU", "eu-west-3"})
    assert (
        only("eu-central-1", "DEU") and only("eu-west-3", "FRA") and not only("eu-north-1", "SWE")
    )


def test_greenest_region_within_eu(catalogs, carbon):
    """m5.large in eu-central-1 (0.338 kg/kWh); greenest EU AWS region is eu-north-1 (0.008).
    Saving = IT energy x 1.135 x (0.338 - 0.008)."""
    project = read_plan(
        plan(
            change("aws_instance.a", {"instance_type": "m5.large"}),
            provider_config=aws_region("eu-central-1"),
        )
    )
    result = estimate(project, catalogs=catalogs, carbon=carbon, residency="EU").to_dict()
    row = result["carbon"]["resources"][0]
    (best,) = result["carbon"]["greenestRegions"]
    assert (best["region"], best["country"]) == ("eu-north-1", "SWE")
    expected = row["energyKWh"] * (0.338 - 0.008) / 0.338 * 0.338
    assert best["savingKgCO2e"] == pytest.approx(expected, rel=1e-5)
    assert best["savingPercent"] == pytest.approx(100 * expected / row["monthlyKgCO2e"], abs=0.01)
    french_only = estimate(project, catalogs=catalogs, carbon=carbon, residency={"FRA"}).to_dict()
    assert french_only["carbon"]["greenestRegions"][0]["region"] == "eu-west-3"


def test_greenest_region_no_match(carbon):
    fp = footprint(carbon, "aws", "us-east-1", Activity(vcpu=Decimal(2)))
    (result,) = greenest_regions(carbon, [("aws", "us-east-1", fp)], residency={"ATA"})
    assert result["region"] is None


def test_onprem_host_uses_price_book_country(books, catalogs, carbon):
    """A 4 vCPU / 8 GB / 100 GB SSD host with the default book (France, PUE 1.58):
    energy = (4 x 730 x (0.743 + 0.5 x 3.097) / 1000 + 8 x 730 x 0.000392
              + 0.1 x 730 x 1.2 / 1000) x 1.58"""
    project = read_inventory("[app]\nh1 vcpu=4 memory_gb=8 disk_gb=100\n")
    result = estimate(
        project, catalogs=catalogs, carbon=carbon, price_books=[books["default"]]
    ).to_dict()
    row = result["carbon"]["resources"][0]
    it = 4 * 730 * (0.743 + 0.5 * 3.097) / 1000 + 8 * 730 * 0.000392 + 0.1 * 730 * 1.2 / 1000
    assert row["energyKWh"] == pytest.approx(it * 1.58, rel=1e-5)
    assert row["country"] == "FRA"
    assert result["carbon"]["greenestRegions"] == []


def test_unknown_region_carbon_is_reported(catalogs, carbon):
    project = read_plan(
        plan(
            change("aws_instance.a", {"instance_type": "t3.micro"}),
            provider_config=aws_region("mars-1"),
        )
    )
    result = estimate(project, catalogs=catalogs, carbon=carbon).to_dict()
    assert result["carbon"]["unestimatedResources"] == [
        {"name": "aws_instance.a", "reason": "no grid factor for aws region 'mars-1'"}
    ]
