"""python manage.py import aws|tfstate and python manage.py graph."""

import re
from io import StringIO

import hcl2
import pytest
from django.core.management import CommandError, call_command

from tests.iac.importers.moto_server import CREDENTIALS, free_port
from tests.imports.conftest import STATE, state_with


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_import_tfstate_writes_the_folder_and_prints_the_summary(tmp_path):
    out = run("import", "tfstate", str(STATE), "--output", str(tmp_path / "tf"))
    assert "aws_subnet: 2 found" in out
    assert "# Imported infrastructure (tfstate)" in out
    assert "| `aws_vpc` | 1 | network.tf |" in out
    assert hcl2.loads((tmp_path / "tf" / "imports.tf").read_text())["import"]


def test_import_aws_reads_the_estate_through_the_endpoint(tmp_path, moto, estate, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", CREDENTIALS["aws_access_key_id"])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", CREDENTIALS["aws_secret_access_key"])
    folder = tmp_path / "aws"
    out = run(
        "import",
        "aws",
        "--region",
        "us-east-1",
        "--region",
        "eu-west-1",
        "--endpoint-url",
        moto.url,
        "--include",
        "aws_vpc,aws_subnet",
        "--include",
        "aws_instance",
        "--tag",
        "team=web",
        "--output",
        str(folder),
    )
    assert "aws_instance in us-east-1: 2 found" in out
    assert "aws_subnet in eu-west-1: 0 found" in out  # that VPC is tagged team=data
    network = (folder / "network.tf").read_text()
    assert estate["vpc"] in (folder / "imports.tf").read_text()
    assert re.search(r"vpc_id += aws_vpc\.main\.id", network)
    assert not (folder / "database.tf").exists()


def test_import_errors_name_the_problem(tmp_path, moto, monkeypatch):
    with pytest.raises(CommandError, match="state format version 3 is not supported"):
        bad = tmp_path / "old.tfstate"
        bad.write_text(state_with(version=3))
        run("import", "tfstate", str(bad), "--output", str(tmp_path / "out"))
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "x")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "y")
    with pytest.raises(
        CommandError, match=r"unknown resource type.*aws_lambda; known types: aws_vpc"
    ):
        run("import", "aws", "--region", "us-east-1", "--include", "aws_lambda", "--output", "x")
    closed = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    with pytest.raises(CommandError, match=re.escape(f"cannot reach {closed}")):
        run("import", "aws", "--region", "us-east-1", "--endpoint-url", closed, "--output", "x")
    done = tmp_path / "done"
    run("import", "tfstate", str(STATE), "--output", str(done))
    with pytest.raises(CommandError, match=r"already holds \.tf files"):
        run("import", "tfstate", str(STATE), "--output", str(done))


@pytest.mark.parametrize(
    ("fmt", "start"),
    [("svg", "<svg"), ("dot", "digraph infrastructure {"), ("mermaid", "flowchart LR")],
)
def test_graph_of_a_state_and_of_a_folder(tmp_path, fmt, start):
    from_state = run("graph", str(STATE), "--format", fmt)
    assert from_state.startswith(start)
    run("import", "tfstate", str(STATE), "--output", str(tmp_path / "tf"))
    from_folder = run("graph", str(tmp_path / "tf"), "--format", fmt)
    assert from_folder.startswith(start)
    for text in (from_state, from_folder):
        assert "shop" in text  # the database node


def test_graph_errors(tmp_path):
    with pytest.raises(CommandError, match="does not exist"):
        run("graph", str(tmp_path / "nothing"))
    bad = tmp_path / "bad.tfstate"
    bad.write_text("{")
    with pytest.raises(CommandError, match="is not JSON"):
        run("graph", str(bad))
