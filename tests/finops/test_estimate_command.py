"""`python manage.py estimate PATH`: a Terraform folder or a plan JSON file in, the
estimate out (JSON on stdout, or a table); errors on stderr with exit code 1."""

import json
import re
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command, load_command_class

from portal.finops.price_books import default_book
from tests.factories import EnvironmentFactory
from tests.finops.conftest import HOURS, published_price

MAIN_TF = """
provider "aws" {
  region = "eu-west-3"
}

variable "size" {
  default = "t3.micro"
}

resource "aws_instance" "web" {
  ami           = "ami-123"
  instance_type = var.size
  root_block_device {
    volume_size = 10
    volume_type = "gp3"
  }
}

resource "aws_s3_bucket" "logs" {
  bucket = "logs"
}
"""


def plan_json(instance_type: str) -> dict:
    """A minimal `terraform show -json` of a plan creating one instance in Frankfurt."""
    return {
        "format_version": "1.2",
        "terraform_version": "1.11.0",
        "resource_changes": [
            {
                "address": "aws_instance.app",
                "mode": "managed",
                "type": "aws_instance",
                "name": "app",
                "provider_name": "registry.terraform.io/hashicorp/aws",
                "change": {
                    "actions": ["create"],
                    "before": None,
                    "after": {"instance_type": instance_type, "ami": "ami-1"},
                },
            }
        ],
        "configuration": {
            "provider_config": {
                "aws": {
                    "name": "aws",
                    "expressions": {"region": {"constant_value": "eu-central-1"}},
                }
            }
        },
    }


def run(*args) -> str:
    out = StringIO()
    call_command("estimate", *args, stdout=out)
    return out.getvalue()


def monthly(result: dict, resource: str, component_prefix: str) -> Decimal:
    for project in result["projects"]:
        for item in project["breakdown"]["resources"]:
            if item["name"] == resource:
                for component in item["costComponents"]:
                    if component["name"].startswith(component_prefix):
                        return Decimal(component["monthlyCost"])
    raise AssertionError(f"no {component_prefix} on {resource}")


def test_terraform_folder_as_json(db, tmp_path):
    (tmp_path / "main.tf").write_text(MAIN_TF)

    result = json.loads(run(str(tmp_path)))

    price = published_price("aws", "ec2_instance", "eu-west-3", "t3.micro")
    assert monthly(result, "aws_instance.web", "Instance usage") == price * HOURS
    gp3 = published_price("aws", "ebs_volume", "eu-west-3", "gp3")
    assert monthly(result, "aws_instance.web", "Root volume") == 10 * gp3
    assert set(result) >= {"version", "currency", "projects", "totalMonthlyCost", "carbon"}
    bucket = next(
        r
        for r in result["projects"][0]["breakdown"]["resources"]
        if r["name"] == "aws_s3_bucket.logs"
    )
    storage = bucket["costComponents"][0]
    assert storage["monthlyQuantity"] is None  # usage-based, no usage given
    assert "storage_gb" in storage["note"]


def test_usage_file_prices_usage_based_components(db, tmp_path):
    (tmp_path / "main.tf").write_text(MAIN_TF)
    usage = tmp_path / "usage.yml"
    usage.write_text(
        "resource_usage:\n  aws_s3_bucket.logs:\n    standard:\n      storage_gb: 100\n"
    )

    result = json.loads(run(str(tmp_path), "--usage", str(usage)))

    s3 = published_price("aws", "s3_storage", "eu-west-3", "standard")
    assert monthly(result, "aws_s3_bucket.logs", "Storage") == 100 * s3


def test_plan_json_as_table(db, tmp_path):
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan_json("m6i.large")))

    table = run(str(path), "--format", "table")

    cost = published_price("aws", "ec2_instance", "eu-central-1", "m6i.large") * HOURS
    assert "aws_instance.app" in table
    assert "OVERALL TOTAL (USD/month)" in table
    assert f"{cost:,.2f}" in table
    assert "kgCO2e/month" in table


def test_environment_gives_residency_and_price_book(db, tmp_path):
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan_json("m6i.large")))
    environment = EnvironmentFactory(residency="country", residency_country="DE")

    result = json.loads(run(str(path), "--environment", str(environment.pk)))

    assert result["carbon"]["residency"] == ["DEU"]
    (best,) = result["carbon"]["greenestRegions"]
    assert best["country"] == "DEU"
    books = [s for s in result["sources"] if s["provider"] == "onprem"]
    assert {s["currency"] for s in books} == {default_book().currency}


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("plan.json", '{"resource_changes": [\n  {"address": }', "plan.json:2:15: Expecting value"),
        ("plan.json", '["not", "a", "plan"]', "not a Terraform plan"),
        ("missing.json", None, "missing.json: no such file or folder"),
    ],
)
def test_errors_go_to_stderr_with_exit_code_1(db, tmp_path, capsys, name, content, message):
    path = tmp_path / name
    if content is not None:
        path.write_text(content)
    command = load_command_class("portal.finops", "estimate")

    with pytest.raises(SystemExit) as exited:
        command.run_from_argv(["manage.py", "estimate", str(path), "--skip-checks"])

    assert exited.value.code == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert message in captured.err


def test_bad_hcl_and_unknown_environment(db, tmp_path):
    (tmp_path / "main.tf").write_text('resource "aws_instance" "x" {\n  ami = \n}\n')
    with pytest.raises(CommandError, match=re.escape(f"{tmp_path / 'main.tf'}:2:9:")):
        run(str(tmp_path))

    (tmp_path / "main.tf").write_text(MAIN_TF)
    with pytest.raises(CommandError, match="--environment: no environment with id 999"):
        run(str(tmp_path), "--environment", "999")
