"""/api/v1/credentials/: material goes in, only metadata comes out."""

from portal.accounts.roles import Role
from portal.credentials.models import Credential
from tests.credentials.conftest import MATERIAL, PG_PASSWORD
from tests.factories import EnvironmentFactory, MembershipFactory, ProjectFactory, TeamFactory

BASE = "/api/v1/credentials/"


def test_create_read_update_without_ever_returning_material(api_client, team, platform):
    api_client.force_authenticate(platform)
    environment = EnvironmentFactory(project=ProjectFactory(team=team))
    response = api_client.post(
        BASE,
        {
            "team": team.pk,
            "name": "prod-db",
            "kind": "postgresql",
            "material": MATERIAL["postgresql"],
            "environments": [environment.pk],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert "material" not in body
    assert body["field_names"] == ["host", "port", "user", "password"]
    assert body["environments"] == [environment.pk]
    assert body["created_by"] == platform.username
    credential = Credential.objects.get()
    assert body["fingerprint"] == credential.fingerprint
    detail = f"{BASE}{credential.pk}/"
    for response in (api_client.get(detail), api_client.get(BASE)):
        assert PG_PASSWORD not in response.content.decode()

    fingerprint = credential.fingerprint
    response = api_client.patch(
        detail, {"material": {"password": "", "database": "app"}}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert "material" not in response.json() and PG_PASSWORD not in response.content.decode()
    credential.refresh_from_db()
    assert credential.material()["password"] == PG_PASSWORD
    assert credential.material()["database"] == "app"
    assert credential.fingerprint != fingerprint

    response = api_client.patch(detail, {"material": {"password": "rotated-pw"}}, format="json")
    credential.refresh_from_db()
    assert credential.material()["password"] == "rotated-pw"
    assert response.json()["fingerprint"] == credential.fingerprint


def test_bad_material_names_the_field_and_changes_nothing(api_client, team, platform, credential):
    api_client.force_authenticate(platform)
    before = bytes(credential.ciphertext)
    response = api_client.patch(
        f"{BASE}{credential.pk}/", {"material": {"port": "0", "hots": "x"}}, format="json"
    )
    assert response.status_code == 400
    errors = response.json()["material"]
    assert "port number from 1 to 65535" in errors["port"][0]
    assert "Not a field of PostgreSQL connection" in errors["hots"][0]
    credential.refresh_from_db()
    assert bytes(credential.ciphertext) == before

    response = api_client.post(
        BASE, {"team": team.pk, "name": "x", "kind": "postgresql"}, format="json"
    )
    assert response.json() == {"material": ["This field is required."]}
    response = api_client.patch(f"{BASE}{credential.pk}/", {"kind": "aws"}, format="json")
    assert response.json() == {"kind": ["This cannot be changed after creation."]}
    response = api_client.post(
        BASE, {"team": team.pk, "name": "x", "kind": "nope", "material": {}}, format="json"
    )
    assert "kind" in response.json()
    assert Credential.objects.count() == 1


def test_binding_refuses_environments_of_another_team(api_client, team, platform, credential):
    api_client.force_authenticate(platform)
    other = TeamFactory(name="Other")
    MembershipFactory(team=other, user=platform, role=Role.PLATFORM_ENGINEER)
    foreign = EnvironmentFactory(project=ProjectFactory(team=other))
    invisible = EnvironmentFactory()
    detail = f"{BASE}{credential.pk}/"

    response = api_client.patch(detail, {"environments": [foreign.pk]}, format="json")
    assert response.status_code == 400
    assert "only environments of the team Payments" in response.json()["environments"][0]
    response = api_client.patch(detail, {"environments": [invisible.pk]}, format="json")
    assert response.status_code == 400
    assert "does not exist" in response.json()["environments"][0]
    assert not credential.environments.exists()

    mine = EnvironmentFactory(project=ProjectFactory(team=team))
    response = api_client.patch(detail, {"environments": [mine.pk]}, format="json")
    assert response.status_code == 200
    assert response.json()["environments"] == [mine.pk]
