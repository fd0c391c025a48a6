import pytest
from django.urls import reverse

from portal.accounts.roles import Role
from portal.audit.models import AuditEvent
from portal.projects.models import Project
from tests.factories import ProjectFactory, TeamFactory, UserFactory


def events(action, object_type=None):
    found = AuditEvent.objects.filter(action=action)
    if object_type:
        found = found.filter(object_type=object_type)
    return list(found)


def test_create_update_delete_through_pages_are_audited(client, team, member):
    admin = member(Role.ADMIN)
    client.force_login(admin)
    AuditEvent.objects.all().delete()

    client.post(reverse("projects:project_add"), {"team": team.pk, "name": "Blog", "slug": "blog"})
    project = Project.objects.get(slug="blog")
    client.post(
        reverse("projects:project_edit", args=[project.pk]),
        {"team": team.pk, "name": "Blog", "slug": "blog", "description": "posts"},
    )
    client.post(reverse("projects:project_delete", args=[project.pk]))

    created, updated, deleted = (
        events(action, "projects.project")[0] for action in ("create", "update", "delete")
    )
    assert created.actor == admin and created.actor_name == admin.username
    assert created.changes["name"] == [None, "Blog"]
    assert created.team_id == team.pk
    assert created.remote_addr == "127.0.0.1"
    assert updated.changes == {"description": ["", "posts"]}
    assert deleted.changes["slug"] == ["blog", None]
    assert deleted.object_id == str(project.pk)


def test_api_changes_are_audited_with_the_token_user(api_client, team, member):
    from rest_framework.authtoken.models import Token

    developer = member(Role.DEVELOPER)
    token = Token.objects.create(user=developer)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    response = api_client.post(
        "/api/v1/projects/", {"team": team.pk, "name": "Api", "slug": "api"}, format="json"
    )
    assert response.status_code == 201
    event = events("create", "projects.project")[-1]
    assert event.actor == developer


def test_saving_without_a_change_writes_no_event(team):
    before = AuditEvent.objects.count()
    team.save()
    assert AuditEvent.objects.count() == before


def test_logins_logouts_and_failures_are_audited(client, db):
    user = UserFactory(username="alice")
    client.post(reverse("login"), {"username": "alice", "password": "wrong"})
    client.post(reverse("login"), {"username": "alice", "password": "correct horse battery"})
    client.post(reverse("logout"))
    failed = events("login_failed")[0]
    assert failed.changes == {"username": "alice"}
    assert "wrong" not in str(failed.as_log_record())
    assert events("login")[0].actor == user
    assert events("logout")[0].actor == user


def test_secrets_never_reach_the_trail(db):
    user = UserFactory(username="bob")
    user.set_password("a much better secret")
    user.save()
    for event in AuditEvent.objects.filter(object_type="auth.user"):
        assert "password" not in event.changes
        assert "a much better secret" not in str(event.changes)


def test_audit_log_page_filters_and_is_for_admins(client, team, member, superuser):
    ProjectFactory(team=team, name="Visible")
    foreign = TeamFactory(slug="foreign")
    ProjectFactory(team=foreign, name="Hidden")
    team_admin = member(Role.ADMIN)

    client.force_login(member(Role.DEVELOPER))
    assert client.get(reverse("audit:event_list")).status_code == 403

    client.force_login(team_admin)
    page = client.get(reverse("audit:event_list"), {"object_type": "projects.project"})
    body = page.content.decode()
    assert "Visible" in body and "Hidden" not in body

    client.force_login(superuser)
    body = client.get(reverse("audit:event_list"), {"action": "create"}).content.decode()
    assert "Visible" in body and "Hidden" in body
    bad = client.get(reverse("audit:event_list"), {"since": "2026-02-01", "until": "2026-01-01"})
    assert bad.status_code == 400
    assert "Must be on or after" in bad.content.decode()


def test_audit_api_filters(api_client, team, superuser):
    ProjectFactory(team=team, name="Listed")
    api_client.force_authenticate(superuser)
    data = api_client.get("/api/v1/audit-events/", {"object_type": "projects.project"}).json()
    assert [item["object_repr"] for item in data["results"]] == ["Listed"]
    bad = api_client.get("/api/v1/audit-events/", {"since": "yesterday"})
    assert bad.status_code == 400
    assert "since" in bad.json()


@pytest.mark.parametrize("role", [Role.DEVELOPER, Role.VIEWER, Role.PLATFORM_ENGINEER])
def test_audit_api_is_empty_below_team_admin(api_client, team, member, role):
    ProjectFactory(team=team)
    api_client.force_authenticate(member(role))
    assert api_client.get("/api/v1/audit-events/").json()["results"] == []


def test_audit_hook_receives_committed_events(team, settings, django_capture_on_commit_callbacks):
    import logging

    records = []
    handler = logging.Handler()
    handler.emit = records.append
    logger = logging.getLogger("plateau.audit")
    logger.addHandler(handler)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            ProjectFactory(team=team, name="Hooked")
    finally:
        logger.removeHandler(handler)
    assert any('"object_repr": "Hooked"' in record.getMessage() for record in records)
