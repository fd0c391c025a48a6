"""The permission matrix rows for credentials, through the pages and the API.

Developers may see credentials (to pick one for a stack), platform engineers and team
admins manage them and their bindings; viewers and other teams do not see them at all.
"""

import pytest
from django.urls import reverse

from portal.credentials.models import Credential
from tests.credentials.conftest import MATERIAL
from tests.factories import (
    CredentialFactory,
    EnvironmentFactory,
    MembershipFactory,
    ProjectFactory,
    TeamFactory,
    UserFactory,
)

ROLES = ["root", "admin", "platform_engineer", "developer", "viewer", "outsider"]
MANAGERS = ["root", "admin", "platform_engineer"]
ALLOWED = {
    "view": [*MANAGERS, "developer"],
    "add": MANAGERS,
    "change": MANAGERS,
    "delete": MANAGERS,
    "bind": MANAGERS,
}


@pytest.fixture
def world(db):
    team = TeamFactory(slug="alpha", name="Alpha")
    users = {"root": UserFactory(username="root", is_superuser=True, is_staff=True)}
    for role in ["admin", "platform_engineer", "developer", "viewer"]:
        users[role] = UserFactory(username=role)
        MembershipFactory(team=team, user=users[role], role=role)
    users["outsider"] = UserFactory(username="outsider")
    MembershipFactory(team=TeamFactory(), user=users["outsider"], role="platform_engineer")
    environment = EnvironmentFactory(project=ProjectFactory(team=team))
    credential = CredentialFactory(team=team, name="db")
    return {"team": team, "users": users, "credential": credential, "environment": environment}


def expected(action, role, success):
    if role not in ALLOWED["view"]:
        return 404  # the credential "does not exist" for them
    return success if role in ALLOWED[action] else 403


def edit_payload(world):
    return {
        "team": world["team"].pk,
        "name": "db",
        "kind": "postgresql",
        **{f"material-{key}": value for key, value in MATERIAL["postgresql"].items()},
        "material-password": "",
    }


@pytest.mark.parametrize("role", ROLES)
def test_pages(client, world, role):
    client.force_login(world["users"][role])
    credential = world["credential"]
    assert client.get(credential.get_absolute_url()).status_code == expected("view", role, 200)
    listing = client.get(reverse("credentials:credential_list")).content.decode()
    assert (credential.get_absolute_url() in listing) == (role in ALLOWED["view"])

    edit = reverse("credentials:credential_edit", args=[credential.pk])
    assert client.get(edit).status_code == expected("change", role, 200)
    assert client.post(edit, edit_payload(world)).status_code == expected("change", role, 302)

    bind = reverse("credentials:credential_bind", args=[credential.pk])
    response = client.post(bind, {"environments": [world["environment"].pk]})
    assert response.status_code == expected("bind", role, 302)
    assert credential.environments.exists() == (role in ALLOWED["bind"])

    response = client.post(reverse("credentials:credential_delete", args=[credential.pk]))
    assert response.status_code == expected("delete", role, 302)
    assert Credential.objects.filter(pk=credential.pk).exists() == (role not in ALLOWED["delete"])


@pytest.mark.parametrize("role", ROLES)
def test_page_create(client, world, role):
    client.force_login(world["users"][role])
    payload = {**edit_payload(world), "name": "new", "material-password": "pw-for-new"}
    response = client.post(reverse("credentials:credential_add"), payload)
    if role in ALLOWED["add"]:
        assert response.status_code == 302
    elif role == "outsider":
        # A platform engineer elsewhere: the team field says why not here.
        assert response.status_code == 400
        assert 'data-field="team"' in response.content.decode()
    else:
        assert response.status_code == 403
    assert Credential.objects.filter(name="new").exists() == (role in ALLOWED["add"])


@pytest.mark.parametrize("role", ROLES)
def test_api(api_client, world, role):
    api_client.force_authenticate(world["users"][role])
    credential = world["credential"]
    detail = f"/api/v1/credentials/{credential.pk}/"
    assert api_client.get(detail).status_code == expected("view", role, 200)
    listed = {item["id"] for item in api_client.get("/api/v1/credentials/").json()["results"]}
    assert (credential.pk in listed) == (role in ALLOWED["view"])

    response = api_client.patch(detail, {"description": "x"}, format="json")
    assert response.status_code == expected("change", role, 200)
    response = api_client.patch(detail, {"environments": [world["environment"].pk]}, format="json")
    assert response.status_code == expected("bind", role, 200)

    response = api_client.post(
        "/api/v1/credentials/",
        {
            "team": world["team"].pk,
            "name": "new",
            "kind": "postgresql",
            "material": MATERIAL["postgresql"],
        },
        format="json",
    )
    if role in ALLOWED["add"]:
        assert response.status_code == 201
    else:
        # Outsiders cannot see the team: it "does not exist" for them.
        assert response.status_code == (400 if role == "outsider" else 403)
    assert Credential.objects.filter(name="new").exists() == (role in ALLOWED["add"])

    assert api_client.delete(detail).status_code == expected("delete", role, 204)
