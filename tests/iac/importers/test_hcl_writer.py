import io
import json
import re
import subprocess
import zipfile

import hcl2
import pytest
from hcl2 import SerializationOptions

from iac.hcl import normalise, quote, render_terraform, write_terraform, zip_files
from iac.hcl.syntax import Attribute, Block, FunctionCall, render_file
from iac.importers import ImportResult, Ref, Resource, run_import
from tests.iac.importers.moto_server import aws_importer
from tests.iac.importers.terraform_tools import TERRAFORM, fmt_check, load_config, terraform_env

PLAIN = SerializationOptions(strip_string_quotes=True, explicit_blocks=False)
VALID_NAME = re.compile(r"^[a-z_][a-z0-9_-]*$")


@pytest.fixture(scope="module")
def folder(imported, tmp_path_factory):
    path = tmp_path_factory.mktemp("imported")
    write_terraform(imported, path)
    return path


def parse_folder(path):
    resources, imports = {}, []
    for tf in sorted(path.glob("*.tf")):
        document = hcl2.loads(tf.read_text(), serialization_options=PLAIN)
        for item in document.get("resource", []):
            for rtype, named in item.items():
                for name, body in named.items():
                    assert (rtype, name) not in resources, f"duplicate {rtype}.{name}"
                    resources[(rtype, name)] = body
        imports += document.get("import", [])
    return resources, imports


def test_one_file_per_category(folder):
    names = sorted(p.name for p in folder.iterdir())
    assert names == [
        "README.md",
        "compute.tf",
        "database.tf",
        "dns.tf",
        "iam.tf",
        "imports.tf",
        "network.tf",
        "providers.tf",
        "storage.tf",
    ]


def test_every_resource_has_an_import_block(folder, imported):
    resources, imports = parse_folder(folder)
    assert len(resources) == len(imported.resources)
    targets = {item["to"].strip("${}") for item in imports}
    assert targets == {f"{rtype}.{name}" for rtype, name in resources}
    ids = {item["id"] for item in imports}
    assert ids == {resource.id for resource in imported.resources}


def test_names_are_valid_and_unique(folder, imported):
    resources, _ = parse_folder(folder)
    assert all(VALID_NAME.match(name) for _, name in resources)
    instances = sorted(name for rtype, name in resources if rtype == "aws_instance")
    assert instances == ["web_1", "web_1_2"]  # both tagged Name=web-1


def test_references_replace_literal_ids(folder, estate):
    resources, imports = parse_folder(folder)
    address = {item["id"]: item["to"].strip("${}") for item in imports}
    network = (folder / "network.tf").read_text()
    assert "vpc_id            = aws_vpc.main.id" in network
    # The two instances share a Name tag; the first one built lives in subnet web-a.
    instance = resources[tuple(address[estate["web_1"]].split("."))]
    assert instance["subnet_id"] == "${aws_subnet.web_a.id}"
    assert instance["vpc_security_group_ids"] == ["${aws_security_group.web.id}"]
    db = resources[("aws_db_instance", "orders")]
    assert db["db_subnet_group_name"] == "${aws_db_subnet_group.main_db.name}"
    listener = resources[("aws_lb_listener", "web_443")]
    assert listener["load_balancer_arn"] == "${aws_lb.web.arn}"
    assert listener["default_action"][0]["target_group_arn"] == "${aws_lb_target_group.web.arn}"
    # No imported id appears literally outside imports.tf.
    body = "".join(p.read_text() for p in folder.glob("*.tf") if p.name != "imports.tf")
    for key in ("vpc", "web_a", "web_b", "sg_web", "sg_db", "igw", "route_table", "web_1"):
        assert estate[key] not in body


def test_policies_are_written_as_jsonencode(folder):
    iam = (folder / "iam.tf").read_text()
    assert "assume_role_policy = jsonencode({" in iam
    assert '      Action = "sts:AssumeRole"' in iam


def test_terraform_reads_the_folder(folder):
    config = load_config(folder)
    assert "aws_lb_listener.web_443" in config["ManagedResources"]
    assert config["ProviderRequirements"]["RequiredProviders"]["aws"]["Source"] == "hashicorp/aws"


def test_terraform_fmt_has_nothing_to_change(folder, tmp_path):
    check = fmt_check(folder, tmp_path)
    assert check.returncode == 0, check.stdout + check.stderr


def test_readme_counts_types_and_explains_skips(folder):
    readme = (folder / "README.md").read_text()
    assert "| `aws_instance` | 2 | compute.tf |" in readme
    assert "default VPC" in readme
    assert "RDS master passwords cannot be read back" in readme


def test_several_regions_get_aliased_providers(moto, estate, tmp_path):
    result = run_import(aws_importer(moto, ("us-east-1", "eu-west-1")))
    files = write_terraform(result, tmp_path / "tf")
    assert 'alias  = "eu_west_1"' in files["providers.tf"]
    assert 'alias  = "us_east_1"' in files["providers.tf"]
    resources, imports = parse_folder(tmp_path / "tf")
    providers = {body["provider"] for body in resources.values()}
    assert providers == {"${aws.us_east_1}", "${aws.eu_west_1}"}
    assert all("provider" in item for item in imports)
    eu_vpc = next(
        b for (t, _), b in resources.items() if t == "aws_vpc" and "10.1." in b["cidr_block"]
    )
    assert eu_vpc["provider"] == "${aws.eu_west_1}"
    load_config(tmp_path / "tf")
    assert fmt_check(tmp_path / "tf", tmp_path).returncode == 0


TRICKY = [
    'quote " and backslash \\',
    "template ${var.x} and %{ if true }directive%{ endif }",
    "already doubled $${x} %%{y}",
    "new\nline\ttab\r",
    "unicode é ✓ and \u0001 control",
    "trailing backslash \\",
    "$",
    "%",
]


def test_strings_round_trip_through_terraform(tmp_path):
    # Terraform evaluates the strings back; jsonencode lets us compare them exactly.
    local = Block("locals", (), [Attribute("values", TRICKY)])
    (tmp_path / "main.tf").write_text(render_file([local]))
    result = subprocess.run(
        [TERRAFORM, "console"],
        input="jsonencode(local.values)\n",
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=terraform_env(tmp_path),
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(json.loads(result.stdout)) == TRICKY


def test_emitter_aligns_like_terraform_fmt(tmp_path):
    body = [
        Attribute("a", 1),
        Attribute("longer_name", "x"),
        Attribute("map", {"k": "v", "needs quoting": True, "null": None}),
        Attribute("policy", FunctionCall("jsonencode", {"List": [{"A": 1}, {"B": [1, 2]}]})),
        None,
        Block("nested", (), [Attribute("x", [])]),
    ]
    (tmp_path / "main.tf").write_text(render_file([Block("locals", (), body)]))
    assert fmt_check(tmp_path, tmp_path).returncode == 0
    parsed = hcl2.loads((tmp_path / "main.tf").read_text(), serialization_options=PLAIN)
    assert parsed["locals"][0]["map"] == {"k": "v", "needs quoting": True, "null": None}


def test_quote_escapes_template_sequences():
    assert quote("a${b}") == '"a$${b}"'
    assert quote('%{x}"') == '"%%{x}\\""'


@pytest.mark.parametrize(
    ("hint", "name"),
    [("Web Server #1", "web_server_1"), ("10.0.0.0/16", "r_10_0_0_0_16"), ("---", "unnamed")],
)
def test_names_are_normalised(hint, name):
    assert normalise(hint) == name


def test_references_to_resources_not_imported_stay_literal():
    subnet = Ref("aws_subnet", "subnet-123", "id", "subnet-123")
    result = ImportResult(
        "test",
        regions=["us-east-1"],
        resources=[Resource("aws_instance", "i-1", "web", "us-east-1", {"subnet_id": subnet})],
    )
    files = render_terraform(result)
    assert 'subnet_id = "subnet-123"' in files["compute.tf"]
    assert "provider" not in files["compute.tf"]  # one region: no aliases


def test_zip_holds_the_folder(folder):
    files = {p.name: p.read_text() for p in folder.iterdir()}
    data = zip_files(files)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert sorted(archive.namelist()) == sorted(f"terraform/{name}" for name in files)
        assert archive.read("terraform/imports.tf").decode() == files["imports.tf"]
    assert zip_files(files) == data  # same content, same bytes
