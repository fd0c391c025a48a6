"""The credential pages: kind-driven forms, write-only secrets, environment binding."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portal.accounts.roles import Role
from portal.credentials.models import Credential
from tests.credentials.conftest import ENV_TOKEN, PG_HOST, PG_PASSWORD, SSH_KEY
from tests.factories import (
    CredentialFactory,
    EnvironmentFactory,
    MembershipFactory,
    ProjectFactory,
    TeamFactory,
)

ADD = reverse("credentials:credential_add")


def pg_form(team, **material):
    fields = {"host": PG_HOST, "port": "5432", "user": "admin", "password": PG_PASSWORD}
    fields.update(material)
    return {
        "team": team.pk,
        "name": "prod-db",
        "kind": "postgresql",
        **{f"material-{name}": value for name, value in fields.items()},
    }


def pages_of(client, credential) -> str:
    urls = [
        reverse("credentials:credential_list"),
        credential.get_absolute_url(),
        reverse("credentials:credential_edit", args=[credential.pk]),
        reverse("credentials:credential_delete", args=[credential.pk]),
        f"/api/v1/credentials/{credential.pk}/",
        "/api/v1/credentials/",
    ]
    return "".join(client.get(url).content.decode() for url in urls)


def test_create_then_the_secret_is_never_shown_again(client, team, platform):
    client.force_login(platform)
    response = client.post(ADD, pg_form(team))
    credential = Credential.objects.get()
    assert response.status_code == 302
    assert response.url == credential.get_absolute_url()
    assert credential.material()["password"] == PG_PASSWORD
    assert credential.created_by == platform and credential.updated_by == platform
    assert credential.field_names == ["host", "port", "user", "password"]

    shown = pages_of(client, credential)
    assert credential.fingerprint in shown
    assert PG_PASSWORD not in shown
    assert "pg-Pa55word" not in shown
    # Non-secret fields are prefilled in the edit form.
    assert PG_HOST in shown


def test_edit_with_an_empty_secret_keeps_it_and_a_new_one_changes_the_fingerprint(
    client, team, platform, credential
):
    client.force_login(platform)
    edit = reverse("credentials:credential_edit", args=[credential.pk])
    page = client.get(edit).content.decode()
    assert "Leave empty to keep the current value." in page
    assert 'name="material-password"' in page and PG_PASSWORD not in page

    fingerprint = credential.fingerprint
    response = client.post(edit, {**pg_form(team, password="", port="6543"), "name": "prod-db"})
    assert response.status_code == 302
    credential.refresh_from_db()
    assert credential.material()["password"] == PG_PASSWORD
    assert credential.material()["port"] == "6543"
    assert credential.fingerprint != fingerprint  # the port changed

    fingerprint = credential.fingerprint
    client.post(edit, pg_form(team, password="", port="6543"))
    credential.refresh_from_db()
    assert credential.fingerprint == fingerprint  # nothing changed

    client.post(edit, pg_form(team, password="a-brand-new-password", port="6543"))
    credential.refresh_from_db()
    assert credential.material()["password"] == "a-brand-new-password"
    assert credential.fingerprint != fingerprint


def test_a_rejected_form_does_not_echo_secrets_and_changes_nothing(client, team, platform):
    client.force_login(platform)
    response = client.post(ADD, pg_form(team, port="not-a-port"))
    assert response.status_code == 400
    page = response.content.decode()
    assert 'data-field="material-port"' in page and "port number from 1 to 65535" in page
    assert PG_PASSWORD not in page
    assert not Credential.objects.exists()

    response = client.post(
        ADD,
        {
            "team": team.pk,
            "name": "tokens",
            "kind": "env",
            "material-variables": f"GITHUB_TOKEN={ENV_TOKEN}\nbad-name=1",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "&#x27;bad-name&#x27; is not a valid variable name" in page
    assert ENV_TOKEN not in page


def test_the_kind_decides_the_fields_and_htmx_swaps_them(client, platform):
    client.force_login(platform)
    page = client.get(ADD, {"kind": "ssh"}).content.decode()
    assert 'name="material-private_key"' in page and 'name="material-password"' not in page
    assert 'hx-get="/credentials/fields/"' in page

    partial = client.get(reverse("credentials:credential_fields"), {"kind": "aws"})
    html = partial.content.decode()
    assert html.lstrip().startswith('<fieldset id="material-fields">')
    assert 'name="material-secret_access_key"' in html and 'type="password"' in html
    assert "<html" not in html


def test_a_multiline_secret_is_not_echoed_either(client, team, platform):
    client.force_login(platform)
    response = client.post(
        ADD,
        {
            "team": team.pk,
            "name": "bad name",
            "kind": "ssh",
            "material-username": "deploy",
            "material-private_key": SSH_KEY,
        },
    )
    assert response.status_code == 400
    assert 'data-field="name"' in response.content.decode()
    assert SSH_KEY.splitlines()[1] not in response.content.decode()


def test_names_are_unique_per_team(client, team, platform, credential):
    client.force_login(platform)
    response = client.post(ADD, pg_form(team))
    assert response.status_code == 400
    assert Credential.objects.count() == 1
    other = TeamFactory()
    MembershipFactory(team=other, user=platform, role=Role.PLATFORM_ENGINEER)
    assert client.post(ADD, pg_form(other)).status_code == 302


def test_binding_only_to_environments_of_the_same_team(client, team, platform, credential):
    client.force_login(platform)
    mine = EnvironmentFactory(project=ProjectFactory(team=team))
    other_team = TeamFactory()
    MembershipFactory(team=other_team, user=platform, role=Role.PLATFORM_ENGINEER)
    foreign = EnvironmentFactory(project=ProjectFactory(team=other_team))
    bind = reverse("credentials:credential_bind", args=[credential.pk])

    response = client.post(bind, {"environments": [mine.pk, foreign.pk]})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'data-field="environments"' in page
    assert "Only environments of the team Payments can use this credential" in page
    assert not credential.environments.exists()

    assert client.post(bind, {"environments": [mine.pk]}).status_code == 302
    assert list(credential.environments.all()) == [mine]
    assert str(mine) in client.get(reverse("credentials:credential_list")).content.decode()
    assert client.post(bind, {}).status_code == 302
    assert not credential.environments.exists()


def test_developers_see_credentials_but_not_the_forms(client, team, developer, credential):
    client.force_login(developer)
    page = client.get(credential.get_absolute_url()).content.decode()
    assert credential.fingerprint in page
    assert "Save environments" not in page and "Edit</a>" not in page
    assert client.get(ADD).status_code == 403
    assert client.get(reverse("credentials:credential_fields")).status_code == 403
    menu = client.get("/").content.decode()
    assert 'href="/credentials/"' in menu


def test_viewers_have_no_credentials_menu(client, member):
    client.force_login(member(Role.VIEWER))
    assert 'href="/credentials/"' not in client.get("/").content.decode()


@pytest.mark.parametrize("url", ["/credentials/", "/api/v1/credentials/"])
def test_list_queries_do_not_grow_with_rows(client, team, platform, url):
    client.force_login(platform)

    def grow(count):
        for _ in range(count):
            credential = CredentialFactory(team=team, updated_by=platform)
            credential.environments.add(EnvironmentFactory(project=ProjectFactory(team=team)))

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    grow(2)
    few = queries()
    grow(10)
    assert queries() == few
