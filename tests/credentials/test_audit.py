"""Every change to a credential is in the audit trail, and no material ever is."""

import json

from django.urls import reverse

from portal.audit.models import AuditEvent
from tests.credentials.conftest import MATERIAL, PG_PASSWORD, SECRETS
from tests.factories import EnvironmentFactory, ProjectFactory


def trail() -> str:
    return json.dumps([event.as_log_record() for event in AuditEvent.objects.all()])


def test_changes_are_audited_with_the_fingerprint_never_the_material(client, team, platform):
    client.force_login(platform)
    AuditEvent.objects.all().delete()
    form = {
        "team": team.pk,
        "name": "prod-db",
        "kind": "postgresql",
        **{f"material-{key}": value for key, value in MATERIAL["postgresql"].items()},
    }
    client.post(reverse("credentials:credential_add"), form)
    created = AuditEvent.objects.get(action="create", object_type="credentials.credential")
    assert created.actor == platform
    assert created.team_id == team.pk
    first = created.changes["fingerprint"][1]
    assert "ciphertext" not in created.changes

    credential = created.object_id
    client.post(
        reverse("credentials:credential_edit", args=[credential]),
        {**form, "material-password": "a-second-password"},
    )
    updated = AuditEvent.objects.get(action="update", object_type="credentials.credential")
    assert updated.changes["fingerprint"][0] == first
    assert updated.changes["fingerprint"][1] != first

    environment = EnvironmentFactory(project=ProjectFactory(team=team))
    client.post(
        reverse("credentials:credential_bind", args=[credential]),
        {"environments": [environment.pk]},
    )
    bound = AuditEvent.objects.filter(action="update").latest("pk")
    assert bound.changes == {"environments": [[], [str(environment)]]}

    client.post(reverse("credentials:credential_delete", args=[credential]))
    assert AuditEvent.objects.filter(action="delete", object_id=credential).exists()

    logged = trail()
    for secret in [*SECRETS, PG_PASSWORD, "a-second-password"]:
        assert secret not in logged
