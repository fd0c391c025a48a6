"""Benchmark: estimate a 5,000-resource Terraform plan (cost and carbon) and print the figures.

Run: .venv/bin/python bench/estimate.py   (target: under 2 s)
"""

import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from iac.estimate import estimate, read_plan
from plugins.pricing import default_carbon_factors, default_catalogs, default_fx_rates

RESOURCES = 5000
AWS = "registry.terraform.io/hashicorp/aws"
MIX = [  # (weight, type, provider, attribute generator)
    (
        30,
        "aws_instance",
        AWS,
        lambda r: {
            "instance_type": r.choice(["t3.micro", "m5.large", "c6i.xlarge", "r5.2xlarge"]),
            "root_block_device": [{"volume_size": 30, "volume_type": "gp3"}],
        },
    ),
    (
        10,
        "aws_ebs_volume",
        AWS,
        lambda r: {"size": r.choice([20, 100, 500]), "type": r.choice(["gp2", "gp3", "st1"])},
    ),
    (
        5,
        "aws_db_instance",
        AWS,
        lambda r: {"instance_class": "db.m5.large", "engine": "postgres", "allocated_storage": 100},
    ),
    (5, "aws_s3_bucket", AWS, lambda r: {}),
    (3, "aws_nat_gateway", AWS, lambda r: {}),
    (3, "aws_lb", AWS, lambda r: {"load_balancer_type": "application"}),
    (15, "aws_security_group", AWS, lambda r: {}),
    (5, "aws_subnet", AWS, lambda r: {}),
    (
        8,
        "azurerm_linux_virtual_machine",
        "registry.terraform.io/hashicorp/azurerm",
        lambda r: {
            "size": "Standard_D2s_v5",
            "location": r.choice(["westeurope", "francecentral"]),
            "os_disk": [{"storage_account_type": "Premium_LRS", "disk_size_gb": 64}],
        },
    ),
    (
        8,
        "google_compute_instance",
        "registry.terraform.io/hashicorp/google",
        lambda r: {
            "machine_type": "n2-standard-4",
            "zone": r.choice(["europe-west1-b", "europe-west9-a"]),
        },
    ),
    (
        4,
        "scaleway_instance_server",
        "registry.terraform.io/scaleway/scaleway",
        lambda r: {"type": "PRO2-S", "zone": r.choice(["fr-par-2", "nl-ams-1"])},
    ),
    (
        4,
        "hcloud_server",
        "registry.terraform.io/hetznercloud/hcloud",
        lambda r: {"server_type": "cpx31", "location": r.choice(["fsn1", "hel1"])},
    ),
]


def make_plan(count: int, seed: int = 7) -> dict:
    rng = random.Random(seed)
    weights = [m[0] for m in MIX]
    changes = []
    for index in range(count):
        _, rtype, provider, attributes = rng.choices(MIX, weights)[0]
        changes.append(
            {
                "address": f"{rtype}.r{index}",
                "mode": "managed",
                "type": rtype,
                "name": f"r{index}",
                "provider_name": provider,
                "change": {"actions": ["create"], "before": None, "after": attributes(rng)},
            }
        )
    region = {"aws": {"name": "aws", "expressions": {"region": {"constant_value": "eu-west-3"}}}}
    return {"resource_changes": changes, "configuration": {"provider_config": region}}


def main() -> None:
    catalogs, carbon, fx = default_catalogs(), default_carbon_factors(), default_fx_rates()
    document = make_plan(RESOURCES)
    start = time.perf_counter()
    result = estimate(
        read_plan(document, "bench"), catalogs=catalogs, carbon=carbon, fx=fx, residency="EU"
    )
    output = result.to_dict()
    elapsed = time.perf_counter() - start
    summary = output["summary"]
    print(
        f"resources: {summary['totalDetectedResources']} "
        f"({summary['totalSupportedResources']} priced, "
        f"{summary['totalFreeResources']} free, {summary['totalNoPriceResources']} unpriced)"
    )
    print(
        f"total: {output['totalMonthlyCost']} {output['currency']}/month, "
        f"{output['carbon']['totalMonthlyKgCO2e']:.1f} kgCO2e/month"
    )
    print(f"seconds: {elapsed:.3f}")
    print(f"resources per second: {RESOURCES / elapsed:,.0f}")


if __name__ == "__main__":
    main()
