"""Plan, HCL, Kubernetes and Ansible readers, free/unsupported/unpriced handling, bad input."""

import json
import textwrap
from decimal import Decimal

import pytest

from iac.estimate import (
    InputError,
    estimate,
    read_inventory,
    read_manifests,
    read_plan,
    read_terraform_dir,
)
from tests.iac.estimate.conftest import aws_region, change, plan


def costs(result):
    return {
        r["name"]: r["monthlyCost"] for p in result["projects"] for r in p["breakdown"]["resources"]
    }


def test_plan_free_unsupported_unpriced_and_deleted(catalogs):
    project = read_plan(
        plan(
            change("aws_vpc.main", {"cidr_block": "10.0.0.0/16"}),
            change("aws_security_group.web", {}),
            change("random_id.suffix", {}, "registry.terraform.io/hashicorp/random"),
            change("terraform_data.marker", {}, "terraform.io/builtin/terraform"),
            change("aws_sqs_queue.q", {}),
            change("aws_instance.odd", {"instance_type": "t3.gigantic"}),
            change("aws_instance.gone", {"instance_type": "t3.micro"}, actions=["delete"]),
            provider_config=aws_region("eu-west-3"),
        )
    )
    result = estimate(project, catalogs=catalogs).to_dict()
    breakdown = result["projects"][0]["breakdown"]
    assert {r["name"] for r in breakdown["freeResources"]} == {
        "aws_vpc.main",
        "aws_security_group.web",
        "random_id.suffix",
        "terraform_data.marker",
    }
    assert breakdown["unsupportedResources"] == [
        {
            "name": "aws_sqs_queue.q",
            "resourceType": "aws_sqs_queue",
            "reason": "resource type aws_sqs_queue is not supported",
        }
    ]
    (unpriced,) = breakdown["unpricedResources"]
    assert "'t3.gigantic' has no ec2_instance price in eu-west-3" in unpriced["reasons"][0]
    summary = result["summary"]
    assert (
        summary["totalFreeResources"],
        summary["totalUnsupportedResources"],
        summary["totalNoPriceResources"],
    ) == (4, 1, 1)
    assert "aws_instance.gone" not in costs(result)


def test_plan_region_from_variable_and_unknown_region(catalogs):
    config = {"aws": {"name": "aws", "expressions": {"region": {"references": ["var.region"]}}}}
    project = read_plan(
        plan(
            change("aws_nat_gateway.n", {}),
            provider_config=config,
            variables={"region": "eu-central-1"},
        )
    )
    assert project.resources[0].region == "eu-central-1"
    unknown = read_plan(
        plan(change("aws_nat_gateway.n", {}), provider_config=aws_region("xx-nowhere-1"))
    )
    result = estimate(unknown, catalogs=catalogs).to_dict()
    reasons = result["projects"][0]["breakdown"]["unpricedResources"][0]["reasons"]
    assert "region 'xx-nowhere-1' has no nat_gateway prices" in reasons[0]
    no_region = estimate(
        read_plan(plan(change("aws_nat_gateway.n", {}))), catalogs=catalogs
    ).to_dict()
    assert (
        "region unknown"
        in no_region["projects"][0]["breakdown"]["unpricedResources"][0]["reasons"][0]
    )


def test_multi_provider_plan(catalogs, fx):
    project = read_plan(
        plan(
            change(
                "azurerm_linux_virtual_machine.vm",
                {
                    "size": "Standard_B2s",
                    "location": "West Europe",
                    "os_disk": [{"storage_account_type": "Premium_LRS", "disk_size_gb": 100}],
                },
                "registry.terraform.io/hashicorp/azurerm",
            ),
            change(
                "google_compute_instance.g",
                {
                    "machine_type": "e2-standard-2",
                    "zone": "europe-west1-b",
                    "boot_disk": [{"initialize_params": [{"size": 20, "type": "pd-balanced"}]}],
                },
                "registry.terraform.io/hashicorp/google",
            ),
            change(
                "azurerm_kubernetes_cluster.k",
                {
                    "location": "eastus",
                    "sku_tier": "Free",
                    "default_node_pool": [{"vm_size": "Standard_D2s_v5", "node_count": 3}],
                },
                "registry.terraform.io/hashicorp/azurerm",
            ),
        )
    )
    result = costs(estimate(project, catalogs=catalogs, fx=fx).to_dict())
    # B2s westeurope 0.0456 x 730 = 33.288, P10 (128 GiB tier holds 100 GB) = 21.68
    assert result["azurerm_linux_virtual_machine.vm"] == "54.968"
    # e2-standard-2 europe-west1 0.073702 x 730 = 53.80246; 20 GB pd-balanced x 0.10 = 2
    assert result["google_compute_instance.g"] == "55.80246"
    # Free tier 0 + 3 x D2s_v5 0.096 x 730
    assert result["azurerm_kubernetes_cluster.k"] == "210.24"


def test_hcl_folder(tmp_path, catalogs):
    (tmp_path / "main.tf").write_text(
        textwrap.dedent(
            """
            variable "region" { default = "eu-west-1" }
            variable "size" {}
            locals { web_count = 2 }
            provider "aws" { region = var.region }
            resource "aws_instance" "web" {
              count         = local.web_count
              instance_type = "m5.large"
              root_block_device {
                volume_size = 20
                volume_type = "gp3"
              }
              tags = { Name = "web-${count.index}" }
            }
            resource "aws_ebs_volume" "data" {
              availability_zone = "${var.region}b"
              size              = var.size
            }
            resource "aws_instance" "computed" {
              instance_type = lookup(var.types, "x")
            }
            resource "aws_security_group" "sg" {}
            module "db" { source = "./db" }
            """
        )
    )
    project = read_terraform_dir(tmp_path)
    assert [r.address for r in project.resources] == [
        "aws_instance.web[0]",
        "aws_instance.web[1]",
        "aws_ebs_volume.data",
        "aws_instance.computed",
        "aws_security_group.sg",
    ]
    assert {r.region for r in project.resources} == {"eu-west-1"}
    assert "module.db" in project.warnings[0]
    result = estimate(project, catalogs=catalogs).to_dict()
    # m5.large eu-west-1 0.107 x 730 = 78.11; 20 GB gp3 x 0.088 = 1.76
    assert costs(result)["aws_instance.web[0]"] == "79.87"
    reasons = {
        r["name"]: r["reasons"] for r in result["projects"][0]["breakdown"]["unpricedResources"]
    }
    assert reasons["aws_ebs_volume.data"] == ["size could not be resolved (var.size)"]
    assert "instance_type could not be resolved" in reasons["aws_instance.computed"][0]

    with_vars = read_terraform_dir(tmp_path, variables={"size": 50})
    # 50 GB gp2 x 0.11
    assert costs(estimate(with_vars, catalogs=catalogs).to_dict())["aws_ebs_volume.data"] == "5.5"


def test_hcl_tfvars_and_for_each(tmp_path, catalogs):
    (tmp_path / "main.tf").write_text(
        'variable "zone" {}\nprovider "scaleway" { zone = var.zone }\n'
        'resource "scaleway_instance_server" "s" {\n'
        '  for_each = { a = 1, b = 2 }\n  type = "DEV1-M"\n}\n'
    )
    (tmp_path / "terraform.tfvars").write_text('zone = "pl-waw-2"\n')
    project = read_terraform_dir(tmp_path)
    assert [(r.address, r.region) for r in project.resources] == [
        ('scaleway_instance_server.s["a"]', "pl-waw"),
        ('scaleway_instance_server.s["b"]', "pl-waw"),
    ]
    # DEV1-M 0.0198 EUR/h x 730 x 2
    assert estimate(project, catalogs=catalogs).to_dict()["totalMonthlyCost"] == "28.908"


def test_kubernetes_manifests(books, catalogs):
    manifests = textwrap.dedent(
        """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web, namespace: shop}
        spec:
          replicas: 3
          template:
            spec:
              containers:
                - name: app
                  resources: {requests: {cpu: 500m, memory: 512Mi}}
                - name: sidecar
                  resources: {limits: {cpu: "0.25", memory: 256Mi}}
        ---
        apiVersion: v1
        kind: PersistentVolumeClaim
        metadata: {name: data}
        spec: {resources: {requests: {storage: 10Gi}}}
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: web}
        ---
        apiVersion: apps/v1
        kind: DaemonSet
        metadata: {name: agent}
        spec:
          template:
            spec:
              containers: [{name: a, resources: {requests: {cpu: 100m, memory: 128Mi}}}]
        ---
        apiVersion: cert-manager.io/v1
        kind: Certificate
        metadata: {name: tls}
        """
    )
    project = read_manifests(manifests, source="chart.yaml")
    result = estimate(project, catalogs=catalogs, price_books=[books["default"]]).to_dict()
    breakdown = result["projects"][0]["breakdown"]
    web = next(r for r in breakdown["resources"] if r["name"] == "Deployment/shop/web")
    cpu, memory = web["costComponents"]
    # (0.5 + 0.25) vCPU x 3 replicas = 2.25 vCPU; x 730 h x 0.0150 EUR = 24.6375
    assert (cpu["monthlyQuantity"], cpu["monthlyCost"]) == ("1642.5", "24.6375")
    # 0.75 GiB x 3 = 2.25 GB; x 730 x 0.0020 = 3.285
    assert memory["monthlyCost"] == "3.285"
    pvc = next(
        r for r in breakdown["resources"] if r["name"] == "PersistentVolumeClaim/default/data"
    )
    assert pvc["monthlyCost"] == "0.4"  # 10 GiB x 0.040
    daemon = next(r for r in breakdown["resources"] if r["name"] == "DaemonSet/default/agent")
    assert daemon["costComponents"][0]["monthlyQuantity"] is None
    assert "nodes" in daemon["costComponents"][0]["note"]
    assert [r["name"] for r in breakdown["freeResources"]] == ["Service/default/web"]
    assert breakdown["unsupportedResources"][0]["name"] == "Certificate/default/tls"
    assert result["currency"] == "EUR"
    with_nodes = estimate(
        project,
        catalogs=catalogs,
        price_books=[books["default"]],
        usage={"DaemonSet/default/agent": {"nodes": 4}},
    ).to_dict()
    daemon = next(
        r
        for r in with_nodes["projects"][0]["breakdown"]["resources"]
        if r["name"] == "DaemonSet/default/agent"
    )
    assert daemon["costComponents"][0]["monthlyCost"] == "4.38"  # 0.1 x 4 nodes x 730 x 0.015


@pytest.mark.parametrize(
    "inventory",
    [
        """
        all:
          vars: {memory_gb: 8}
          children:
            db:
              vars: {vcpu: 4}
              hosts:
                db1: {disk_gb: 200}
            web:
              hosts:
                web1:
        """,
        """
        [db]
        db1 disk_gb=200

        [db:vars]
        vcpu=4

        [web]
        web1

        [all:vars]
        memory_gb=8
        """,
    ],
    ids=["yaml", "ini"],
)
def test_ansible_inventory(inventory, books, catalogs):
    project = read_inventory(textwrap.dedent(inventory), location="prod")
    sizes = {r.address: r.values for r in project.resources}
    assert sizes["db1"] == {"vcpu": 4, "memory_gb": 8, "disk_gb": 200}
    assert sizes["web1"] == {"vcpu": 2, "memory_gb": 8, "disk_gb": 50}
    result = costs(estimate(project, catalogs=catalogs, price_books=[books["prod"]]).to_dict())
    # db1: 4 x 730 x 0.015 + 8 x 730 x 0.002 + 200 x 0.080 (prod storage override)
    assert Decimal(result["db1"]) == 4 * 730 * Decimal("0.015") + 8 * 730 * Decimal(
        "0.002"
    ) + 200 * Decimal("0.08")


def test_malformed_inputs_name_file_and_place(tmp_path):
    bad_plan = tmp_path / "plan.json"
    bad_plan.write_text('{"resource_changes": [\n  {"address": }\n]}')
    with pytest.raises(InputError) as error:
        read_plan(bad_plan)
    assert (error.value.file, error.value.line, error.value.column) == (str(bad_plan), 2, 15)
    assert str(error.value).startswith(f"{bad_plan}:2:15: ")

    with pytest.raises(InputError, match=r"resource_changes\[0\] has no 'type'"):
        read_plan({"resource_changes": [{"address": "a.b", "change": {}}]})

    (tmp_path / "main.tf").write_text('resource "aws_instance" "x" {\n  instance_type = \n}\n')
    with pytest.raises(InputError) as error:
        read_terraform_dir(tmp_path)
    assert error.value.file.endswith("main.tf") and error.value.line == 2

    with pytest.raises(InputError) as error:
        read_manifests("kind: Deployment\nmetadata: {name: [\n", source="bad.yaml")
    assert error.value.file == "bad.yaml" and error.value.line is not None

    with pytest.raises(InputError, match="not a Kubernetes quantity: 'lots'"):
        read_manifests("kind: Pod\nspec: {containers: [{resources: {requests: {cpu: lots}}}]}\n")

    with pytest.raises(InputError) as error:
        read_inventory("[web\nhost1\n", source="hosts.ini")
    assert (error.value.file, error.value.line) == ("hosts.ini", 1)

    with pytest.raises(InputError, match=r"no \*\.tf file"):
        read_terraform_dir(tmp_path / "empty")


def test_plan_file_round_trip(tmp_path, catalogs):
    path = tmp_path / "plan.json"
    path.write_text(
        json.dumps(plan(change("aws_eks_cluster.c", {}), provider_config=aws_region("us-west-2")))
    )
    result = estimate(read_plan(path), catalogs=catalogs).to_dict()
    assert result["totalMonthlyCost"] == "73"  # 0.10 x 730
    assert result["projects"][0]["name"] == "plan"
