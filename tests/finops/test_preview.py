"""The deploy form's estimate fragment: the form's own fields in, HTML out."""

import pytest
from django.urls import reverse

from portal.accounts.roles import Role
from portal.catalog.forms import ENVIRONMENT_FIELD
from tests.factories import EnvironmentFactory, ProjectFactory

PREVIEW = "/finops/estimate/preview/"


@pytest.fixture
def environment(team):
    return EnvironmentFactory(
        project=ProjectFactory(team=team), provider="aws", region="us-east-1", residency="eu"
    )


def form(version, environment, **values) -> dict:
    return {"version": version.pk, ENVIRONMENT_FIELD: environment.pk} | values


def test_the_fragment_shows_cost_carbon_resources_and_the_greenest_region(
    client, member, curated_version, environment
):
    version = curated_version("aws-web-server")
    client.force_login(member(Role.DEVELOPER))

    response = client.post(
        PREVIEW, form(version, environment, region="us-east-1", instance_type="t3.micro")
    )

    assert response.status_code == 200
    html = response.text
    assert html.startswith('<section class="estimate-preview"')
    assert 'data-testid="monthly-cost"' in html and " USD</strong> a month" in html
    assert "kgCO2e</strong> a month" in html
    assert "<td>aws_instance.web</td>" in html
    assert "Greenest aws region within EU" in html
    assert "<html" not in html  # a fragment, not a page


def test_unpriced_resources_are_listed_with_their_reason(client, member, team, curated_version):
    version = curated_version("multi-step-app")
    environment = EnvironmentFactory(project=ProjectFactory(team=team), provider="kubernetes")
    client.force_login(member(Role.DEVELOPER))

    response = client.post(PREVIEW, form(version, environment, app_name="demo"))

    assert response.status_code == 200
    assert "Not priced (1)" in response.text
    assert (
        "<code>Deployment/default/multi-step-app</code>: no CPU or memory requests: "
        "set resources.requests to price it"
    ) in response.text


def test_bad_values_are_named_in_the_fragment(client, member, curated_version, environment):
    version = curated_version("aws-web-server")
    client.force_login(member(Role.DEVELOPER))

    response = client.post(PREVIEW, form(version, environment, data_volume_gb="abc"))

    assert response.status_code == 200
    assert 'data-field="values.data_volume_gb"' in response.text
    assert "No estimate until these are fixed" in response.text


def test_without_a_visible_environment_it_waits(client, member, curated_version):
    version = curated_version("aws-web-server")
    client.force_login(member(Role.DEVELOPER))

    foreign = EnvironmentFactory()
    response = client.post(PREVIEW, form(version, foreign))

    assert "Choose a stack version and an environment" in response.text
    assert "USD" not in response.text


def test_only_signed_in_posts(client, curated_version, environment):
    version = curated_version("aws-web-server")
    response = client.post(PREVIEW, form(version, environment))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]
    assert client.get(PREVIEW).status_code in (302, 405)


def test_the_deploy_form_asks_for_its_estimate_as_fields_change(
    client, member, curated_version, environment
):
    version = curated_version("aws-web-server")
    client.force_login(member(Role.DEVELOPER))
    page = client.get(reverse("catalog:deploy", args=[version.stack.slug, version.pk]))
    assert page.status_code == 200
    assert f'hx-post="{PREVIEW}"' in page.text
    assert 'hx-include=".deploy-form"' in page.text
    assert "change from:.deploy-form delay:500ms" in page.text
    assert f'"version": "{version.pk}"' in page.text

    # What the page's form holds when first shown is enough to estimate.
    initial = page.context["form"]
    data = {name: initial[name].value() for name in initial.fields}
    data = {k: v for k, v in data.items() if v not in (None, False)} | {"version": version.pk}
    response = client.post(PREVIEW, data)
    assert 'data-testid="monthly-cost"' in response.text
