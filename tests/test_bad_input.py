"""Bad input names the field and the rule, and changes nothing."""

import pytest
from django.urls import reverse

from portal.accounts.roles import Role
from portal.audit.models import AuditEvent
from portal.projects.models import Environment, Project
from tests.factories import EnvironmentFactory, ProjectFactory


@pytest.fixture
def engineer(member):
    return member(Role.PLATFORM_ENGINEER)


@pytest.fixture
def project(team):
    return ProjectFactory(team=team, slug="shop")


def environment_form(project, **overrides):
    data = {
        "project": project.pk,
        "name": "staging",
        "provider": "aws",
        "region": "eu-west-3",
        "residency": "any",
        "budget_currency": "EUR",
    }
    data.update(overrides)
    return data


BAD_ENVIRONMENTS = [
    ({"name": "Prod Env"}, "name", "lowercase letters"),
    ({"region": "EU West"}, "region", "region code"),
    ({"residency": "country"}, "residency_country", "Name the country"),
    ({"residency": "eu", "residency_country": "FR"}, "residency_country", "only allowed"),
    ({"residency": "country", "residency_country": "fr"}, "residency_country", "ISO 3166"),
    ({"monthly_budget": "-5"}, "monthly_budget", "greater than or equal to 0"),
    ({"budget_currency": "eur"}, "budget_currency", "ISO 4217"),
    ({"provider": "moon"}, "provider", "valid choice"),
]


@pytest.mark.parametrize(("overrides", "field", "message"), BAD_ENVIRONMENTS)
def test_environment_form_rejects(client, engineer, project, overrides, field, message):
    client.force_login(engineer)
    audit_before = AuditEvent.objects.count()
    response = client.post(
        reverse("projects:environment_add"), environment_form(project, **overrides)
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert f'data-field="{field}"' in body
    assert message in body
    assert not Environment.objects.exists()
    assert AuditEvent.objects.count() == audit_before


@pytest.mark.parametrize(("overrides", "field", "message"), BAD_ENVIRONMENTS)
def test_environment_api_rejects(api_client, engineer, project, overrides, field, message):
    api_client.force_authenticate(engineer)
    response = api_client.post(
        "/api/v1/environments/", environment_form(project, **overrides), format="json"
    )
    assert response.status_code == 400
    assert message in " ".join(response.json()[field])
    assert not Environment.objects.exists()


def test_duplicate_names_are_refused(client, api_client, engineer, project):
    EnvironmentFactory(project=project, name="staging")
    client.force_login(engineer)
    response = client.post(reverse("projects:environment_add"), environment_form(project))
    assert response.status_code == 400
    assert "already exists" in response.content.decode()
    api_client.force_authenticate(engineer)
    response = api_client.post("/api/v1/environments/", environment_form(project), format="json")
    assert response.status_code == 400
    assert "unique" in str(response.json())
    assert Environment.objects.count() == 1


def test_parent_cannot_be_moved_to_another_team(api_client, team, member, project):
    from tests.factories import MembershipFactory, TeamFactory

    admin = member(Role.ADMIN)
    other = TeamFactory(slug="other")
    MembershipFactory(team=other, user=admin, role=Role.ADMIN)
    api_client.force_authenticate(admin)
    response = api_client.patch(
        f"/api/v1/projects/{project.pk}/", {"team": other.pk}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"team": ["This cannot be changed after creation."]}
    project.refresh_from_db()
    assert project.team == team


def test_protected_objects_say_what_blocks_them(client, api_client, engineer, project):
    EnvironmentFactory(project=project, name="prod")
    api_client.force_authenticate(engineer)
    response = api_client.delete(f"/api/v1/projects/{project.pk}/")
    assert response.status_code == 409
    assert "prod" in response.json()["detail"]
    client.force_login(engineer)
    response = client.post(reverse("projects:project_delete", args=[project.pk]), follow=True)
    assert "cannot be deleted while it still has" in response.content.decode()
    assert Project.objects.filter(pk=project.pk).exists()


def test_malformed_json_body(api_client, developer):
    api_client.force_authenticate(developer)
    response = api_client.post(
        "/api/v1/projects/", data="{not json", content_type="application/json"
    )
    assert response.status_code == 400
    assert "JSON parse error" in response.json()["detail"]


def test_missing_required_fields_are_named(api_client, developer, team):
    api_client.force_authenticate(developer)
    response = api_client.post("/api/v1/projects/", {"team": team.pk}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"name", "slug"}


def test_unauthenticated_requests(client, api_client, project):
    assert client.get(reverse("projects:project_list"))["Location"].startswith("/login/")
    assert api_client.get("/api/v1/projects/").status_code == 401
