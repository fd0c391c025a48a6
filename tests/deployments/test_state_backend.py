"""Terraform's HTTP backend protocol as Plateau serves it (requests as Terraform makes them)."""

import base64
import hashlib
import json

import pytest
from rest_framework.authtoken.models import Token

from portal.accounts.roles import Role
from portal.deployments import sealed, state
from portal.deployments.models import StateLock, StateVersion
from tests.deployments.factories import RunFactory
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def basic(username, password):
    return {
        "HTTP_AUTHORIZATION": "Basic "
        + base64.b64encode(f"{username}:{password}".encode()).decode()
    }


def state_body(serial, lineage="lineage-1", value="x"):
    return json.dumps(
        {"version": 4, "serial": serial, "lineage": lineage, "resources": [value]}
    ).encode()


def md5(body):
    return base64.b64encode(hashlib.md5(body).digest()).decode()


@pytest.fixture
def run():
    return RunFactory()


@pytest.fixture
def url(run):
    return f"/state/{run.deployment_id}/data"


@pytest.fixture
def auth(run):
    return basic(state.RUN_USERNAME, state.run_token(run))


def post(client, url, auth, body, lock_id=""):
    return client.generic(
        "POST",
        f"{url}?ID={lock_id}",
        body,
        content_type="application/json",
        HTTP_CONTENT_MD5=md5(body),
        **auth,
    )


def test_empty_state_is_404_then_writes_become_versions(client, url, auth, run):
    assert client.get(url, **auth).status_code == 404
    assert post(client, url, auth, state_body(1)).status_code == 200
    assert post(client, url, auth, state_body(2, value="y")).status_code == 200
    response = client.get(url, **auth)
    assert response.status_code == 200
    assert json.loads(response.content)["serial"] == 2
    versions = StateVersion.objects.filter(deployment=run.deployment, step="data")
    assert list(versions.values_list("serial", flat=True)) == [2, 1]
    assert versions.first().run == run
    # Stored encrypted: the state holds secrets.
    raw = bytes(versions.first().state_sealed)
    assert b'"serial"' not in raw and json.loads(sealed.unseal_bytes(raw))["serial"] == 2


def test_stale_serial_and_foreign_lineage_are_409(client, url, auth):
    post(client, url, auth, state_body(5))
    assert post(client, url, auth, state_body(4)).status_code == 409
    assert post(client, url, auth, state_body(6, lineage="other")).status_code == 409
    assert StateVersion.objects.count() == 1


def test_content_md5_mismatch_is_refused(client, url, auth):
    body = state_body(1)
    response = client.generic(
        "POST", url, body, content_type="application/json", HTTP_CONTENT_MD5=md5(b"other"), **auth
    )
    assert response.status_code == 400
    assert not StateVersion.objects.exists()


def test_lock_conflict_answers_423_with_the_holder(client, url, auth):
    info = {"ID": "lock-1", "Who": "someone@host", "Operation": "OperationTypeApply"}
    assert client.generic("LOCK", url, json.dumps(info), **auth).status_code == 200
    taken = client.generic("LOCK", url, json.dumps({"ID": "lock-2"}), **auth)
    assert taken.status_code == 423 and taken.json()["Who"] == "someone@host"
    # Writes must carry the holder's lock id.
    assert post(client, url, auth, state_body(1), lock_id="lock-2").status_code == 423
    assert post(client, url, auth, state_body(1), lock_id="lock-1").status_code == 200
    assert client.generic("UNLOCK", url, json.dumps({"ID": "lock-2"}), **auth).status_code == 423
    assert client.generic("UNLOCK", url, json.dumps({"ID": "lock-1"}), **auth).status_code == 200
    assert not StateLock.objects.exists()


def test_delete_keeps_history_and_answers_404_after(client, url, auth):
    post(client, url, auth, state_body(1))
    assert client.delete(url, **auth).status_code == 200
    assert client.get(url, **auth).status_code == 404
    assert StateVersion.objects.count() == 2


def test_tokens_are_scoped_to_their_deployment_and_run(client, run, url):
    other = RunFactory()
    assert client.get(url, **basic("run", state.run_token(other))).status_code == 403
    assert client.get(url, **basic("run", "forged")).status_code == 401
    assert client.get(url).status_code == 401
    run.status = "succeeded"
    run.save()
    assert client.get(url, **basic("run", state.run_token(run))).status_code == 403


def test_people_use_their_api_token_with_the_right_role(client, run, url):
    team_id = run.deployment.environment.project.team_id
    viewer, developer, outsider = (UserFactory(username=name) for name in ("vi", "de", "out"))
    MembershipFactory(team_id=team_id, user=viewer, role=Role.VIEWER)
    MembershipFactory(team_id=team_id, user=developer, role=Role.DEVELOPER)
    keys = {
        user.username: Token.objects.create(user=user).key for user in (viewer, developer, outsider)
    }
    assert client.get(url, **basic("vi", keys["vi"])).status_code == 404  # empty, but allowed
    assert post(client, url, basic("vi", keys["vi"]), state_body(1)).status_code == 403
    assert post(client, url, basic("de", keys["de"]), state_body(1)).status_code == 200
    assert client.get(url, **basic("out", keys["out"])).status_code == 404
    assert client.get(url, **basic("de", keys["vi"])).status_code == 401
    assert StateVersion.objects.get().written_by == developer


def test_unknown_deployment_is_404(client, auth):
    assert client.get("/state/999999/data", **auth).status_code == 404
