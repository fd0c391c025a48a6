"""The deploy form generated from a version's parameters: widgets, server-side errors
naming the rule, conditional fields, environment defaults, live validation, the preview,
secrets never echoed."""

import re

import pytest

from portal.catalog.forms import DeployForm
from portal.catalog.models import StackVersion
from portal.deployments.models import Deployment, Run

SECRET = "s3cr3t-never-shown"


@pytest.fixture
def urls(everything):
    base = f"/catalog/everything/versions/{everything.latest_version.pk}/deploy/"
    return {"form": base, "validate": base + "validate/"}


@pytest.fixture
def signed_in(client, users, environments):
    client.force_login(users["developer"])
    return client


def valid_data(environments, **changes):
    data = {
        "_environment": environments["dev"].pk,
        "_defaults_of": "dev",
        "app_name": "shop",
        "replicas": "2",
        "ratio": "0.25",
        "size": "large",
        "ports": "80\n443",
        "labels": "team=web\ntier=front",
        "password": "",
    }
    return data | changes


def errors_of(response) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for name, message in re.findall(
        r'<small class="error" role="alert" data-field="([^"]+)">([^<]*)</small>',
        response.content.decode(),
    ):
        found.setdefault(name, []).append(message)
    return found


def live(client, url, data, trigger):
    return client.post(url, data, HTTP_HX_REQUEST="true", HTTP_HX_TRIGGER_NAME=trigger)


def deployed(response) -> Deployment:
    """A valid form creates the deployment and sends the person to its first run."""
    assert response.status_code == 302, errors_of(response)
    run = Run.objects.select_related("deployment").latest("pk")
    assert response["Location"] == run.get_absolute_url()
    return run.deployment


def test_every_type_gets_a_fitting_widget(signed_in, urls):
    html = signed_in.get(urls["form"]).content.decode()
    field = {
        name: tag
        for tag, name in re.findall(r'(<(?:input|select|textarea)[^>]*name="(\w+)"[^>]*>)', html)
    }
    assert 'type="text"' in field["app_name"]
    assert 'type="number"' in field["replicas"] and 'min="1"' in field["replicas"]
    assert 'max="10"' in field["replicas"] and 'step="1"' in field["replicas"]
    assert 'type="number"' in field["ratio"] and 'step="any"' in field["ratio"]
    assert 'type="checkbox"' in field["public"]
    assert field["size"].startswith("<select") and field["database"].startswith("<select")
    assert field["ports"].startswith("<textarea") and field["labels"].startswith("<textarea")
    assert 'type="password"' in field["password"]
    assert '<option value="large">Large machine</option>' in html
    assert "One item per line." in html and "One key=value per line." in html
    assert "<legend>Application</legend>" in html and "<legend>Capacity</legend>" in html
    assert "Application name *" in html  # required mark
    assert "Used in every resource name." in html  # help text


def test_defaults_fill_the_form_for_the_first_environment(signed_in, urls):
    html = signed_in.get(urls["form"]).content.decode()
    assert re.search(r'name="replicas" value="1"', html)
    assert ">\n80</textarea>" in html and ">\nteam=web</textarea>" in html


def test_valid_values_deploy_and_the_preview_shows_what_each_step_gets(
    signed_in, urls, environments
):
    deployment = deployed(signed_in.post(urls["form"], valid_data(environments)))
    assert deployment.environment == environments["dev"]
    assert deployment.values["replicas"] == 2
    html = live(signed_in, urls["validate"], valid_data(environments), "").content.decode()
    preview = re.search(r'<pre data-step="app">(.*?)</pre>', html, re.S)[1]
    assert (
        "&quot;replicas&quot;: 2" in preview and "&quot;ports&quot;: [\n    80,\n    443" in preview
    )
    assert "&quot;password&quot;: &quot;(secret)&quot;" in preview  # generated, never shown
    assert "&quot;region&quot;: &quot;dev-region&quot;" in preview
    assert "&quot;hostname&quot;: null" in preview  # hidden: the variable keeps its default


def test_server_side_errors_name_the_rule_or_give_the_authors_message(
    signed_in, urls, environments
):
    data = valid_data(
        environments,
        app_name="Shop",
        replicas="11",
        ratio="abc",
        size="huge",
        ports="80\nhttp",
        labels="team",
        password="short",
    )
    response = signed_in.post(urls["form"], data)
    assert response.status_code == 400
    assert errors_of(response) == {
        "app_name": ["Lowercase letters only."],
        "replicas": ["must be at most 10 [max]"],
        "ratio": ["must be of type number [type]"],
        "size": ["must be one of &#x27;small&#x27;, &#x27;large&#x27; [choices]"],
        "ports": ["item 1: must be of type integer [type]"],
        "labels": ["line 1: write one key=value per line [format]"],
        "password": ["must be at least 12 characters long [min_length]"],
    }


def test_required_fields(signed_in, urls, environments):
    response = signed_in.post(urls["form"], valid_data(environments, app_name=""))
    assert errors_of(response) == {"app_name": ["a value is required [required]"]}
    response = signed_in.post(urls["form"], {"app_name": "shop"})
    assert errors_of(response)["_environment"] == ["choose an environment [required]"]


def test_secrets_are_never_echoed_back(signed_in, urls, environments):
    for password in (SECRET, "tiny-" + SECRET[:3]):
        response = signed_in.post(urls["form"], valid_data(environments, password=password))
        assert password not in response.content.decode()
        response = live(
            signed_in, urls["validate"], valid_data(environments, password=password), "password"
        )
        assert password not in response.content.decode()
        response = live(
            signed_in, urls["validate"], valid_data(environments, password=password), "_environment"
        )
        assert password not in response.content.decode()


def test_a_hidden_field_is_not_required_and_shows_when_its_condition_holds(
    signed_in, urls, environments
):
    html = signed_in.get(urls["form"]).content.decode()
    assert '<div class="field" id="field-hostname" hidden>' in html
    deployed(signed_in.post(urls["form"], valid_data(environments)))

    data = valid_data(environments, public="on")
    response = live(signed_in, urls["validate"], data, "public")
    html = response.content.decode()
    assert '<div id="deploy-fields">' in html  # the controlling field re-renders the block
    assert '<div class="field" id="field-hostname">' in html
    response = signed_in.post(urls["form"], data)
    assert errors_of(response) == {"hostname": ["a value is required [required]"]}
    deployed(signed_in.post(urls["form"], data | {"hostname": "shop.example.com"}))


def test_changing_environment_applies_its_defaults_but_keeps_typed_values(
    signed_in, urls, environments
):
    data = valid_data(environments, replicas="1", ratio="0.9", _environment=environments["prod"].pk)
    html = live(signed_in, urls["validate"], data, "_environment").content.decode()
    assert 'name="replicas" value="3"' in html  # was dev's default: follows prod's
    assert 'name="ratio" value="0.9"' in html  # typed by the user: kept
    assert 'name="_defaults_of" value="prod"' in html

    back = data | {"replicas": "3", "_defaults_of": "prod", "_environment": environments["dev"].pk}
    html = live(signed_in, urls["validate"], back, "_environment").content.decode()
    assert 'name="replicas" value="1"' in html


def test_server_side_defaults_follow_the_environment(signed_in, urls, environments):
    data = valid_data(environments, replicas="", _environment=environments["prod"].pk)
    html = live(signed_in, urls["validate"], data, "").content.decode()
    assert "&quot;replicas&quot;: 3" in html
    deployment = deployed(signed_in.post(urls["form"], data))
    assert deployment.values["replicas"] == 3  # left empty: prod's default


def test_live_validation_returns_the_fields_errors_and_the_preview(signed_in, urls, environments):
    response = live(
        signed_in, urls["validate"], valid_data(environments, app_name="Bad"), "app_name"
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.startswith('<div id="errors-app_name"') and "Lowercase letters only." in html
    assert "errors-replicas" not in html  # only the typed field
    assert 'id="deploy-preview" class="deploy-preview" hx-swap-oob="true"' in html

    html = live(signed_in, urls["validate"], valid_data(environments), "app_name").content.decode()
    assert "Lowercase letters only." not in html and '<div id="errors-app_name"' in html


def test_a_block_rerender_leaves_untouched_fields_quiet(signed_in, urls, environments):
    data = {"_environment": environments["prod"].pk, "_defaults_of": "dev"}
    html = live(signed_in, urls["validate"], data, "_environment").content.decode()
    assert "a value is required" not in html


def test_fields_carry_the_live_validation_attributes(signed_in, urls):
    html = signed_in.get(urls["form"]).content.decode()
    app_name = re.search(r'<input type="text" name="app_name"[^>]*>', html)[0]
    assert f'hx-post="{urls["validate"]}"' in app_name
    assert 'hx-trigger="keyup changed delay:300ms, change"' in app_name
    assert 'hx-target="#errors-app_name"' in app_name
    public = re.search(r'<input type="checkbox" name="public"[^>]*>', html)[0]
    assert 'hx-target="#deploy-fields"' in public


def test_only_environments_the_user_may_deploy_to(client, users, urls, environments):
    from tests.factories import EnvironmentFactory

    foreign = EnvironmentFactory(name="theirs")
    client.force_login(users["developer"])
    html = client.get(urls["form"]).content.decode()
    assert "Shop / dev" in html and "theirs" not in html
    response = client.post(urls["form"], valid_data(environments, _environment=foreign.pk))
    assert errors_of(response)["_environment"][0].startswith(
        "you may not deploy to this environment"
    )


@pytest.mark.parametrize(("role", "status"), [("viewer", 403), ("outsider", 403), ("root", 200)])
def test_who_may_open_the_form(client, users, urls, environments, role, status):
    client.force_login(users[role])
    assert client.get(urls["form"]).status_code == status


def test_a_gone_version_is_not_offered_for_new_deployments(
    signed_in, client, users, urls, everything
):
    StackVersion.objects.filter(pk=everything.latest_version_id).update(gone=True)
    # Readers no longer see the stack at all; curators see why it cannot be deployed.
    assert signed_in.get(urls["form"]).status_code == 404
    client.force_login(users["platform"])
    response = client.get(urls["form"])
    assert response.status_code == 409
    assert "no longer offered by its source" in response.content.decode()


def test_the_form_class_on_its_own(everything, environments):
    definition = everything.latest_version.load()
    all_environments = environments["dev"].project.environments.all()
    form = DeployForm(
        definition, all_environments, {"_environment": environments["prod"].pk, "app_name": "x"}
    )
    assert form.is_valid(), form.errors
    assert form.values == {"app_name": "x", "public": False}  # empty fields left out
    assert form.resolved()["replicas"] == 3


def test_credential_parameters_offer_the_environments_credentials_of_that_kind(
    signed_in, urls, environments, team
):
    from tests.factories import CredentialFactory

    bound = CredentialFactory(team=team, name="shop-db")
    bound.environments.add(environments["dev"])
    CredentialFactory(team=team, name="unbound-db")
    other_kind = CredentialFactory(
        team=team, name="deploy-key", kind="env", material={"variables": {"TOKEN": "x"}}
    )
    other_kind.environments.add(environments["dev"])
    html = signed_in.get(urls["form"]).content.decode()
    select = re.search(r'<select name="database".*?</select>', html, re.S)[0]
    assert '<option value="shop-db">shop-db</option>' in select
    assert "unbound-db" not in select and "deploy-key" not in select
    assert "factory-pg-password" not in html
    deployment = deployed(
        signed_in.post(urls["form"], valid_data(environments, database="shop-db"))
    )
    assert deployment.values["database"] == "shop-db"
    response = signed_in.post(urls["form"], valid_data(environments, database="unbound-db"))
    assert errors_of(response)["database"] == [
        "no postgresql credential named &#x27;unbound-db&#x27; is bound to this environment "
        "[credential]"
    ]
