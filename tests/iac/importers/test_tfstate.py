import json
from pathlib import Path

import hcl2
import pytest
from hcl2 import SerializationOptions

from iac.hcl import write_terraform
from iac.importers import IMPORTERS, ImporterError, ImportFilter, TfStateImporter, run_import
from tests.iac.importers.terraform_tools import fmt_check, load_config

STATE = Path(__file__).with_name("data") / "terraform.tfstate"
PLAIN = SerializationOptions(strip_string_quotes=True, explicit_blocks=False)


@pytest.fixture(scope="module")
def result():
    return run_import(TfStateImporter(STATE))


def test_registered():
    assert IMPORTERS["tfstate"] is TfStateImporter


def test_managed_resources_only(result):
    assert dict(result.counts()) == {
        "aws_vpc": 1,
        "aws_subnet": 2,
        "aws_security_group": 2,
        "aws_instance": 1,
        "aws_db_instance": 1,
        "aws_sqs_queue": 1,
    }
    assert result.regions == ["eu-west-3"]  # read from the ARNs
    assert any("1 data source" in note for note in result.notes)


def test_state_round_trips_to_hcl(result, tmp_path):
    files = write_terraform(result, tmp_path)
    document = {}
    for name in ("network.tf", "compute.tf", "database.tf", "other.tf"):
        for item in hcl2.loads(files[name], serialization_options=PLAIN)["resource"]:
            for rtype, named in item.items():
                document.update({(rtype, n): body for n, body in named.items()})
    vpc = document[("aws_vpc", "main")]
    # Only what a person writes: the default tenancy, tags_all, arn, owner are gone.
    assert vpc == {
        "cidr_block": "10.20.0.0/16",
        "enable_dns_hostnames": True,
        "tags": {"Name": "shop"},
    }
    assert document[("aws_subnet", "app_1")]["vpc_id"] == "${aws_vpc.main.id}"
    instance = document[("aws_instance", "app")]
    assert instance["subnet_id"] == "${aws_subnet.app_0.id}"
    assert instance["vpc_security_group_ids"] == ["${aws_security_group.app.id}"]
    assert "private_ip" not in instance
    assert "description" not in document[("aws_security_group", "app")]  # the default one
    db = document[("aws_db_instance", "shop")]
    assert "port" not in db  # mysql's own port
    assert "password" not in db
    queue = document[("aws_sqs_queue", "orders")]
    assert queue == {
        "name": "orders",
        "visibility_timeout_seconds": 30,
        "fifo_queue": False,
        "tags": {"team": "shop"},
    }
    imports = hcl2.loads(files["imports.tf"], serialization_options=PLAIN)["import"]
    ids = {item["to"].strip("${}"): item["id"] for item in imports}
    assert ids["aws_db_instance.shop"] == "shop"  # the identifier, not db-...
    assert ids["aws_subnet.app_0"] == "subnet-0s0"
    assert "No argument table for aws_sqs_queue" in files["README.md"]
    load_config(tmp_path)
    assert fmt_check(tmp_path, tmp_path).returncode == 0


def test_filters_apply_to_state_types():
    result = run_import(TfStateImporter(STATE), ImportFilter.parse(include=["aws_vpc"]))
    assert list(result.counts()) == ["aws_vpc"]
    with pytest.raises(ImporterError, match="known types: aws_vpc, aws_subnet"):
        run_import(TfStateImporter(STATE), ImportFilter.parse(include=["aws_s3_bucket"]))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"version": 3, "resources": []}', "state format version 3 is not supported (need 4)"),
        ('{"version": 4,\n "resources": [', "not JSON at line 2 column 16"),
        ("[1, 2]", "holds a JSON list, not a state object"),
        ('{"resources": []}', "has no `version`"),
    ],
)
def test_bad_state_is_named(text, message):
    with pytest.raises(ImporterError) as error:
        TfStateImporter(text=text)
    assert message in str(error.value)


def test_missing_file_is_named(tmp_path):
    with pytest.raises(ImporterError, match="cannot read state file"):
        TfStateImporter(tmp_path / "nope.tfstate")
    binary = tmp_path / "binary.tfstate"
    binary.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(ImporterError, match="not UTF-8"):
        TfStateImporter(binary)


def test_state_text_and_path_agree():
    from_text = run_import(TfStateImporter(text=STATE.read_text()))
    from_path = run_import(TfStateImporter(STATE))
    assert from_text.resources == from_path.resources
    assert json.loads(STATE.read_text())["version"] == 4
