from django.core.management import call_command

from portal.accounts.models import Membership, Team
from portal.audit.models import AuditEvent
from portal.projects.models import Environment, Project


def test_liveness_and_readiness(client, db):
    assert client.get("/healthz/live").json() == {"status": "ok"}
    ready = client.get("/healthz/ready")
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"database": "ok", "broker": "ok"}


def test_readiness_reports_an_unreachable_broker(client, db, monkeypatch):
    from portal.celery import app

    unreachable = "redis://127.0.0.1:1/0"
    original = app.conf.broker_url  # read before the variable below takes precedence
    # Celery gives the CELERY_BROKER_URL environment variable precedence over its config.
    monkeypatch.setenv("CELERY_BROKER_URL", unreachable)
    app.conf.broker_url = unreachable
    try:
        response = client.get("/healthz/ready")
    finally:
        app.conf.broker_url = original
    assert response.status_code == 503
    assert response.json()["checks"]["broker"].startswith("error")


def test_openapi_schema_and_docs_page(client, developer):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    for path in (
        "/api/v1/teams/",
        "/api/v1/projects/{id}/",
        "/api/v1/environments/",
        "/api/v1/audit-events/",
        "/api/v1/plugins/",
    ):
        assert path in paths
    client.force_login(developer)
    docs = client.get("/api/docs/").content.decode()
    assert "swagger-ui" in docs
    assert "cdn" not in docs.lower()


def test_login_page_and_navigation(client, developer):
    assert client.get("/login/").status_code == 200
    client.force_login(developer)
    body = client.get("/").content.decode()
    for label in ("Teams", "Projects", "Environments", "API docs"):
        assert f">{label}</a>" in body
    assert ">Django admin</a>" not in body


def test_demo_data_is_idempotent(db):
    call_command("demo", password="demo-password")
    counts = [model.objects.count() for model in (Team, Membership, Project, Environment)]
    events = AuditEvent.objects.count()
    call_command("demo", password="demo-password")
    assert [model.objects.count() for model in (Team, Membership, Project, Environment)] == counts
    assert AuditEvent.objects.count() == events
    assert counts == [1, 4, 1, 2]
    assert set(Environment.objects.values_list("name", flat=True)) == {"dev", "prod"}


def test_api_token_is_shown_once(client, developer):
    client.force_login(developer)
    response = client.post("/account/", {"confirm": "on"})
    key = response.context["new_key"]
    assert key and key in response.content.decode()
    later = client.get("/account/").content.decode()
    assert key not in later and key[:6] in later
    assert AuditEvent.objects.filter(action="token_rotate", actor=developer).exists()
