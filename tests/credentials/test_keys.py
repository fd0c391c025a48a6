"""Encryption keys: where they come from, how a bad one stops the start, rotation."""

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command

from portal.audit.models import AuditEvent
from portal.credentials import crypto
from portal.credentials.keys import load_keys
from portal.credentials.models import Credential
from tests.credentials.conftest import MATERIAL, PG_PASSWORD
from tests.factories import CredentialFactory

ROOT = Path(__file__).resolve().parent.parent.parent


def test_round_trip_and_ciphertext_hides_the_plaintext():
    token = crypto.encrypt(b"the material")
    assert b"the material" not in token
    assert crypto.decrypt(token) == b"the material"
    assert crypto.decrypt(memoryview(token)) == b"the material"  # as PostgreSQL returns it


def test_a_value_no_key_opens_says_so(settings):
    token = crypto.encrypt(b"x")
    settings.PLATEAU_CREDENTIAL_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(crypto.UndecryptableError, match="PLATEAU_CREDENTIAL_KEYS"):
        crypto.decrypt(token)


def test_the_embedded_key_is_generated_once_and_private(tmp_path):
    data_dir = tmp_path / "fresh"
    data_dir.mkdir()
    first = load_keys([], "", data_dir)
    key_file = data_dir / "credential-keys"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert load_keys([], "", data_dir) == first
    assert [path.name for path in data_dir.iterdir()] == ["credential-keys"]
    Fernet(first[0])


def test_keys_from_a_file_skip_blank_lines_and_comments(tmp_path):
    new, old = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    key_file = tmp_path / "keys"
    key_file.write_text(f"# primary first\n{new}\n\n{old}\n")
    assert load_keys([], str(key_file), tmp_path) == [new, old]


@pytest.mark.parametrize(
    ("configured", "key_file", "message"),
    [
        (["not-a-key"], "", "PLATEAU_CREDENTIAL_KEYS: key 1 of 1 is not a valid Fernet key"),
        ([Fernet.generate_key().decode(), "x" * 44], "", "key 2 of 2 is not a valid"),
        ([], "/nonexistent/keys", "PLATEAU_CREDENTIAL_KEY_FILE: cannot read"),
        (["a"], "/some/file", "Set PLATEAU_CREDENTIAL_KEYS or PLATEAU_CREDENTIAL_KEY_FILE"),
    ],
)
def test_bad_keys_are_refused_naming_the_variable(tmp_path, configured, key_file, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        load_keys(configured, key_file, tmp_path)


def test_an_empty_key_file_is_refused(tmp_path):
    (tmp_path / "keys").write_text("# nothing yet\n")
    with pytest.raises(ImproperlyConfigured, match="holds no key"):
        load_keys([], str(tmp_path / "keys"), tmp_path)


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        (
            {"PLATEAU_CREDENTIAL_KEYS": "hunter2-is-not-a-key"},
            "PLATEAU_CREDENTIAL_KEYS: key 1 of 1 is not a valid Fernet key",
        ),
        (
            {"PLATEAU_CREDENTIAL_KEY_FILE": "/nonexistent/plateau-keys"},
            "PLATEAU_CREDENTIAL_KEY_FILE: cannot read the credential key file",
        ),
    ],
)
def test_a_bad_key_stops_the_start(tmp_path, variables, message):
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in ("DATABASE_URL", "CELERY_BROKER_URL", "DJANGO_SETTINGS_MODULE")
        and not name.startswith("PLATEAU_CREDENTIAL_")
    }
    env.update(PLATEAU_DATA_DIR=str(tmp_path), **variables)
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert message in result.stderr
    assert "hunter2" not in result.stderr


def test_rotation_re_encrypts_everything_with_the_new_key(settings, team, capsys):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.PLATEAU_CREDENTIAL_KEYS = [old]
    credential = CredentialFactory(team=team, material=MATERIAL["postgresql"])
    fingerprint = credential.fingerprint

    settings.PLATEAU_CREDENTIAL_KEYS = [new, old]  # step 1: the new key first
    assert Credential.objects.get().material()["password"] == PG_PASSWORD
    call_command("credentials", "rotate")  # step 2
    assert "credentials.credential: 1 value(s) re-encrypted" in capsys.readouterr().out

    settings.PLATEAU_CREDENTIAL_KEYS = [new]  # step 3: the old key is gone
    rotated = Credential.objects.get()
    assert rotated.material()["password"] == PG_PASSWORD
    assert rotated.fingerprint == fingerprint
    settings.PLATEAU_CREDENTIAL_KEYS = [old]
    with pytest.raises(crypto.UndecryptableError):
        Credential.objects.get().material()
    event = AuditEvent.objects.get(action="rotate_keys")
    assert event.changes["re-encrypted"]["credentials.credential"] == 1


def test_rotation_without_the_old_key_changes_nothing(settings, team):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.PLATEAU_CREDENTIAL_KEYS = [old]
    CredentialFactory(team=team)
    before = bytes(Credential.objects.get().ciphertext)
    settings.PLATEAU_CREDENTIAL_KEYS = [new]
    with pytest.raises(Exception, match="no configured key decrypts ciphertext"):
        call_command("credentials", "rotate")
    assert bytes(Credential.objects.get().ciphertext) == before


def test_generate_key_prints_a_usable_key(capsys):
    call_command("credentials", "generate-key")
    Fernet(capsys.readouterr().out.strip())
