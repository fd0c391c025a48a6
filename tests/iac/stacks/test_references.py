"""Step inputs rendered from parameters, earlier outputs and the run's context."""

import pytest

from iac.stacks import UnresolvedReference, load_stack, render_stack_outputs, render_step_inputs
from iac.stacks.cli import DEFAULT_STACKS_DIR


@pytest.fixture(scope="module")
def app():
    stack, _ = load_stack(DEFAULT_STACKS_DIR / "multi-step-app")
    return stack


VALUES = {"app_name": "shop", "port": 8080, "replicas": 2, "config_dir": "", "features": ["beta"]}
CONTEXT = {"environment": {"name": "dev"}, "deployment": {"name": "shop-dev", "id": "42"}}


def test_typed_values_and_context(app):
    inputs = render_step_inputs(app, app.step("identity"), VALUES, {}, context=CONTEXT)
    assert inputs == {"app_name": "shop", "environment": "dev", "port": 8080}


def test_outputs_of_earlier_steps_feed_later_ones(app):
    outputs = {
        "identity": {"app_id": "id-1", "config_name": "shop-dev", "port": 8080},
        "config": {"config_path": "/w/shop-dev.json", "config_checksum": "abc"},
    }
    inputs = render_step_inputs(app, app.step("release"), VALUES, outputs)
    assert inputs == {
        "appId": "id-1",
        "replicaCount": 2,
        "port": 8080,
        "configChecksum": "abc",
        "features": ["beta"],
    }
    assert render_stack_outputs(app, VALUES, outputs) == {
        "app_id": "id-1",
        "config_path": "/w/shop-dev.json",
    }


def test_preview_uses_placeholders(app):
    inputs = render_step_inputs(app, app.step("config"), VALUES, {}, preview=True)
    assert inputs["app_id"] == "(output of step identity: app_id)"
    assert inputs["features"] == ["beta"]
    identity = render_step_inputs(app, app.step("identity"), VALUES, {}, preview=True)
    assert identity["environment"] == "(environment name)"


def test_missing_output_raises_outside_preview(app):
    with pytest.raises(UnresolvedReference, match="step 'identity' gave no output 'app_id'"):
        render_step_inputs(app, app.step("config"), VALUES, {"identity": {}})


def test_embedded_references_render_as_text_and_secrets_are_masked_in_preview():
    stack, _ = load_stack(DEFAULT_STACKS_DIR / "postgres-database")
    values = {
        "database_name": "shop",
        "owner_name": "shop",
        "owner_password": "s3cret",
        "connection_limit": 20,
    }
    preview = render_step_inputs(stack, stack.steps[0], values, {}, preview=True)
    assert preview["owner_password"] == "(secret)"
    assert render_step_inputs(stack, stack.steps[0], values, {})["owner_password"] == "s3cret"
    web, _ = load_stack(DEFAULT_STACKS_DIR / "web-service")
    assert render_stack_outputs(web, {"hostname": "shop.example.com"}, {}) == {
        "url": "https://shop.example.com/"
    }
