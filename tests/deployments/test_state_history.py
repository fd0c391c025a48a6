"""A deployment's Terraform state history: list, download, compare, roll back, locks."""

import hashlib
import json

import pytest

from portal.accounts.roles import Role
from portal.audit.models import AuditEvent
from portal.deployments import sealed, state_history, state_views
from portal.deployments.models import StateLock, StateVersion
from tests.deployments.factories import DeploymentFactory, RunFactory
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db


def tfstate(serial, lineage="lin-1", **resources):
    return {
        "version": 4,
        "serial": serial,
        "lineage": lineage,
        "resources": [
            {
                "mode": "managed",
                "type": "terraform_data",
                "name": name,
                "instances": [{"attributes": {"input": value}}],
            }
            for name, value in resources.items()
        ],
    }


def write(deployment, state, step="data", run=None):
    body = json.dumps(state).encode()
    return StateVersion.objects.create(
        deployment=deployment,
        step=step,
        serial=state["serial"],
        lineage=state["lineage"],
        md5=hashlib.md5(body).hexdigest(),
        state_sealed=sealed.seal_bytes(body),
        run=run,
    )


@pytest.fixture
def deployment(team):
    return DeploymentFactory(environment__project=ProjectFactory(team=team))


@pytest.fixture
def history(deployment):
    return [
        write(deployment, tfstate(1, a="1")),
        write(deployment, tfstate(2, a="1", b="2")),
        write(deployment, tfstate(3, a="changed", c="3")),
    ]


def test_compare_lists_added_removed_and_changed_addresses(history):
    first, second, third = history
    assert state_history.compare(first, second) == {
        "added": ["terraform_data.b"],
        "removed": [],
        "changed": [],
    }
    assert state_history.compare(second, third) == {
        "added": ["terraform_data.c"],
        "removed": ["terraform_data.b"],
        "changed": ["terraform_data.a"],
    }


def test_history_page_lists_every_version_and_the_lock(client, member, deployment, history):
    run = RunFactory(deployment=deployment, status="applying")
    StateLock.objects.create(
        deployment=deployment,
        step="data",
        lock_id="L1",
        run=run,
        info={"ID": "L1", "Who": "worker@host", "Operation": "OperationTypeApply"},
    )
    client.force_login(member(Role.VIEWER))
    page = client.get(f"/deployments/{deployment.pk}/state/")
    assert page.status_code == 200
    html = page.content.decode()
    for version in history:
        assert f'data-serial="{version.serial}"' in html and version.md5 in html
    assert "worker@host" in html and "OperationTypeApply" in html and f"#{run.pk}" in html
    # A viewer sees, but gets neither download, rollback nor unlock.
    assert "Download" not in html and "Roll back" not in html and "Unlock state" not in html
    # The deployment page's panel links to it, with the lock.
    [panel] = state_views.panels(deployment, run.requested_by)
    assert f"/deployments/{deployment.pk}/state/" in panel.html and "locked since" in panel.html


def test_compare_page_names_the_addresses(client, member, deployment, history):
    client.force_login(member(Role.VIEWER))
    page = client.get(
        f"/deployments/{deployment.pk}/state/compare/",
        {"a": history[2].pk, "b": history[1].pk},
    )
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-change="added"' in html and "terraform_data.c" in html
    assert 'data-change="removed"' in html and "terraform_data.b" in html
    assert 'data-change="changed"' in html and "terraform_data.a" in html
    bad = client.get(f"/deployments/{deployment.pk}/state/compare/", {"a": history[0].pk})
    assert bad.status_code == 302


def test_download_needs_the_developer_role_and_is_audited(client, member, deployment, history):
    url = f"/deployments/{deployment.pk}/state/{history[1].pk}/download/"
    client.force_login(member(Role.VIEWER))
    assert client.get(url).status_code == 403
    client.force_login(member(Role.DEVELOPER))
    response = client.get(url)
    assert response.status_code == 200
    assert json.loads(response.content)["serial"] == 2
    event = AuditEvent.objects.get(action="download_state")
    assert event.changes == {"step": "data", "serial": 2}
    # Another deployment's version through this deployment's URL: as if it did not exist.
    other = write(DeploymentFactory(), tfstate(9))
    assert client.get(f"/deployments/{deployment.pk}/state/{other.pk}/download/").status_code == 404


def test_outsiders_get_404(client, member, deployment, history):
    from tests.factories import UserFactory

    client.force_login(UserFactory())
    assert client.get(f"/deployments/{deployment.pk}/state/").status_code == 404
    url = f"/deployments/{deployment.pk}/state/{history[0].pk}/rollback/"
    assert client.post(url).status_code == 404


def test_rollback_writes_a_new_version_with_the_old_content(client, member, deployment, history):
    url = f"/deployments/{deployment.pk}/state/{history[0].pk}/rollback/"
    client.force_login(member(Role.DEVELOPER))
    assert client.post(url).status_code == 403
    assert StateVersion.objects.count() == 3
    engineer = member(Role.PLATFORM_ENGINEER)
    client.force_login(engineer)
    assert client.post(url).status_code == 302
    latest = StateVersion.objects.filter(deployment=deployment).order_by("-id").first()
    assert latest.serial == 4 and latest.lineage == "lin-1" and latest.written_by == engineer
    restored = state_history.content(latest)
    assert restored["serial"] == 4
    assert restored["resources"] == tfstate(1, a="1")["resources"]
    assert latest.md5 == hashlib.md5(sealed.unseal_bytes(latest.state_sealed)).hexdigest()
    event = AuditEvent.objects.get(action="rollback_state")
    assert event.changes == {"step": "data", "from_serial": 3, "to_content_of": 1}
    # The state backend serves the rolled-back content.
    assert StateVersion.objects.filter(deployment=deployment).count() == 4


def test_rollback_is_refused_while_locked_or_across_lineages(member, deployment, history):
    engineer = member(Role.PLATFORM_ENGINEER)
    lock = StateLock.objects.create(deployment=deployment, step="data", lock_id="L", info={})
    with pytest.raises(state_history.StateConflict, match="locked"):
        state_history.rollback(history[0], user=engineer)
    lock.delete()
    foreign = write(deployment, tfstate(1, lineage="lin-2"))
    write(deployment, tfstate(2, lineage="lin-2"))
    with pytest.raises(state_history.StateConflict, match="lineage"):
        state_history.rollback(history[0], user=engineer)
    assert state_history.rollback(foreign, user=engineer).serial == 3
    assert not AuditEvent.objects.filter(action="rollback_state", changes__from_serial=3).exists()


def test_force_unlock_needs_a_reason_and_the_role_and_is_audited(client, member, deployment):
    StateLock.objects.create(
        deployment=deployment, step="data", lock_id="L1", info={"ID": "L1", "Who": "w@h"}
    )
    url = f"/deployments/{deployment.pk}/state/unlock/"
    client.force_login(member(Role.DEVELOPER))
    assert client.post(url, {"step": "data", "reason": "stuck"}).status_code == 403
    engineer = member(Role.PLATFORM_ENGINEER)
    client.force_login(engineer)
    back = f"/deployments/{deployment.pk}/state/"
    response = client.post(url, {"step": "data", "reason": "  ", "next": back}, follow=True)
    assert "reason: say why the lock is forced open" in response.content.decode()
    assert StateLock.objects.exists()
    response = client.post(url, {"step": "data", "reason": "worker died", "next": "https://evil"})
    assert response.status_code == 302 and response.url == deployment.get_absolute_url()
    assert not StateLock.objects.exists()
    event = AuditEvent.objects.get(action="force_unlock")
    assert event.actor == engineer
    assert event.changes["reason"] == "worker died" and event.changes["lock"]["Who"] == "w@h"
