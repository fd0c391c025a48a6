"""The catalog API: stacks and versions, a version's parameter JSON Schema, values
validation, and the sources for curators."""

import pytest

from portal.audit.models import AuditEvent
from portal.catalog.models import StackSource

SECRET = "s3cr3t-never-shown"


def refreshes(callbacks) -> list:
    return [callback for callback in callbacks if "queue_refresh" in callback.__qualname__]


@pytest.fixture
def version(everything):
    return everything.latest_version


def test_stacks_list_filters_and_detail(api_client, users, everything):
    api_client.force_authenticate(users["viewer"])
    assert [s["slug"] for s in api_client.get("/api/v1/stacks/?q=kitchen").json()["results"]] == [
        "everything"
    ]
    assert api_client.get("/api/v1/stacks/?technology=helm").json()["results"] == []
    detail = api_client.get("/api/v1/stacks/everything/").json()
    assert detail["team"] == "payments" and detail["source"] == "local"
    assert detail["latest_version"] == everything.latest_version_id


def test_versions_by_stack(api_client, users, version):
    api_client.force_authenticate(users["developer"])
    listed = api_client.get("/api/v1/stack-versions/?stack=everything").json()["results"]
    assert [(v["id"], v["status"], v["gone"]) for v in listed] == [(version.pk, "valid", False)]
    assert api_client.get("/api/v1/stack-versions/?stack=other").json()["results"] == []


def test_parameter_json_schema(api_client, users, version, environments):
    api_client.force_authenticate(users["viewer"])
    url = f"/api/v1/stack-versions/{version.pk}/schema/"
    schema = api_client.get(url).json()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["properties"]["replicas"] == {
        "type": "integer",
        "minimum": 1,
        "maximum": 10,
        "title": "Replicas",
        "default": 1,
    }
    assert schema["required"] == ["app_name"]
    assert schema["allOf"][0]["then"] == {"required": ["hostname"]}
    prod = api_client.get(f"{url}?environment={environments['prod'].pk}").json()
    assert prod["properties"]["replicas"]["default"] == 3


def test_schema_refuses_an_environment_the_user_cannot_see(api_client, users, version):
    from tests.factories import EnvironmentFactory

    api_client.force_authenticate(users["developer"])
    foreign = EnvironmentFactory()
    response = api_client.get(
        f"/api/v1/stack-versions/{version.pk}/schema/?environment={foreign.pk}"
    )
    assert response.status_code == 400 and "environment" in response.json()


def test_validate_accepts_good_values(api_client, users, version, environments):
    api_client.force_authenticate(users["developer"])
    body = {
        "environment": environments["prod"].pk,
        "values": {"app_name": "shop", "password": SECRET},
    }
    response = api_client.post(
        f"/api/v1/stack-versions/{version.pk}/validate/", body, format="json"
    )
    assert response.status_code == 200, response.json()
    document = response.json()
    assert document["valid"] is True
    assert document["values"]["replicas"] == 3 and document["values"]["password"] == "(secret)"
    assert "hostname" not in document["values"]  # hidden
    assert document["preview"]["app"]["region"] == "prod-region"
    assert document["preview"]["app"]["password"] == "(secret)"
    assert SECRET not in response.content.decode()


def test_validate_reports_errors_per_field(api_client, users, version):
    api_client.force_authenticate(users["developer"])
    url = f"/api/v1/stack-versions/{version.pk}/validate/"
    body = {"values": {"app_name": "Shop", "replicas": 0, "public": True, "colour": "red"}}
    response = api_client.post(url, body, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "app_name": ["Lowercase letters only."],
        "replicas": ["must be at least 1 [min]"],
        "hostname": ["a value is required [required]"],
        "colour": ["unknown parameter"],
    }
    response = api_client.post(url, {"values": ["not", "a", "map"]}, format="json")
    assert response.status_code == 400 and "values" in response.json()["errors"]


def test_an_invalid_version_cannot_be_used(api_client, users, version):
    version.status = "invalid"
    version.save()
    api_client.force_authenticate(users["platform"])
    response = api_client.post(
        f"/api/v1/stack-versions/{version.pk}/validate/", {"values": {}}, format="json"
    )
    assert response.status_code == 409
    assert api_client.get(f"/api/v1/stack-versions/{version.pk}/schema/").status_code == 409


@pytest.mark.parametrize(
    ("role", "allowed"),
    [("root", True), ("admin", True), ("platform", True), ("developer", False), ("viewer", False)],
)
def test_sources_are_for_curators(
    api_client, users, folder_source, django_capture_on_commit_callbacks, role, allowed
):
    api_client.force_authenticate(users[role])
    listing = api_client.get("/api/v1/stack-sources/")
    assert listing.status_code == (200 if allowed else 403)
    body = {
        "name": "team-stacks",
        "location": "https://git.example.com/stacks.git",
        "branch": "main",
    }
    with django_capture_on_commit_callbacks() as queued:
        response = api_client.post("/api/v1/stack-sources/", body, format="json")
    assert response.status_code == (201 if allowed else 403)
    assert StackSource.objects.filter(name="team-stacks").exists() is allowed
    assert len(refreshes(queued)) == (1 if allowed else 0)  # of the new source


def test_a_bad_scheme_or_path_is_refused_and_changes_nothing(api_client, users, db):
    api_client.force_authenticate(users["platform"])
    for body, field, words in [
        ({"location": "ftp://example.com/x.git"}, "location", "URL scheme 'ftp' is not allowed"),
        ({"location": "ext::sh -c id"}, "location", "URL scheme 'ext' is not allowed"),
        ({"location": "https://e.com/x.git", "subdir": "../up"}, "subdir", "must stay inside"),
        ({"location": "https://e.com/x.git", "branch": "a..b"}, "branch", "invalid branch name"),
    ]:
        response = api_client.post("/api/v1/stack-sources/", {"name": "bad"} | body, format="json")
        assert response.status_code == 400, body
        assert words in response.json()[field][0]
    assert not StackSource.objects.filter(name="bad").exists()


def test_folder_sources_are_only_refreshed_through_the_api(
    api_client, users, folder_source, django_capture_on_commit_callbacks
):
    api_client.force_authenticate(users["platform"])
    url = f"/api/v1/stack-sources/{folder_source.pk}/"
    response = api_client.patch(url, {"location": "/etc"}, format="json")
    assert response.status_code == 403
    folder_source.refresh_from_db()
    assert folder_source.location != "/etc"
    with django_capture_on_commit_callbacks() as queued:
        response = api_client.post(f"{url}refresh/")
    assert response.status_code == 202 and len(refreshes(queued)) == 1
    event = AuditEvent.objects.get(action="refresh")
    assert event.object_repr == "local" and event.actor == users["platform"]


def test_a_source_with_stacks_cannot_be_deleted(api_client, users, everything):
    from portal.catalog.models import StackSource

    source = StackSource.objects.get(name="local")
    source.kind = "git"
    source.location = "https://git.example.com/x.git"
    source.save()
    api_client.force_authenticate(users["platform"])
    response = api_client.delete(f"/api/v1/stack-sources/{source.pk}/")
    assert response.status_code == 409
    assert StackSource.objects.filter(pk=source.pk).exists()


def test_the_openapi_schema_lists_the_catalog(client, users):
    client.force_login(users["developer"])
    paths = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()["paths"]
    for path in (
        "/api/v1/stacks/",
        "/api/v1/stacks/{slug}/",
        "/api/v1/stack-versions/{id}/schema/",
        "/api/v1/stack-versions/{id}/validate/",
        "/api/v1/stack-sources/{id}/refresh/",
    ):
        assert path in paths, path
