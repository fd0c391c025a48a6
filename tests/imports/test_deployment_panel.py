"""The map on a deployment's page, from the Terraform state Plateau stores for it."""

from portal.deployments.models import Deployment, StateVersion
from portal.deployments.sealed import seal_bytes
from portal.imports.panels import map_panel
from portal.plugins import hook
from tests.factories import StackVersionFactory


def store_state(deployment, step, text: str):
    StateVersion.objects.create(
        deployment=deployment,
        step=step,
        serial=1,
        lineage="l-1",
        md5="0" * 32,
        state_sealed=seal_bytes(text.encode()) if text else b"",
    )


def test_the_map_panel_draws_the_newest_state_of_every_step(environment, state_text, people):
    deployment = Deployment.objects.create(
        environment=environment, stack_version=StackVersionFactory(), name="shop"
    )
    assert map_panel(deployment) is None  # no state yet: no panel
    store_state(deployment, "network", '{"version": 4, "resources": []}')
    store_state(deployment, "network", state_text)
    panel = map_panel(deployment)
    assert panel.title == "Infrastructure map"
    assert "<svg" in panel.html
    assert ">shop</text>" in panel.html  # the database
    assert '>app "primary" ${x}</text>' in panel.html  # the instance, by its Name tag
    assert ">Internet</text>" in panel.html
    assert "VPC shop (10.20.0.0/16)" in panel.html
    assert "password" not in panel.html
    titles = [
        p.title
        for panels in hook().plateau_deployment_panels(deployment=deployment, user=people["viewer"])
        for p in panels or []
    ]
    assert "Infrastructure map" in titles
    store_state(deployment, "network", "")  # destroyed
    assert map_panel(deployment) is None
