"""Where the credential encryption keys come from, checked at start.

Keys never live in the database: they come from PLATEAU_CREDENTIAL_KEYS, from the file
PLATEAU_CREDENTIAL_KEY_FILE (one key per line), or from a file generated once in the
data folder. This module runs while settings load (it needs no Django app), so a bad
key stops every process at start with a message naming where it came from, never the key.
"""

import os
import secrets
from pathlib import Path

from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured

KEYS_VARIABLE = "PLATEAU_CREDENTIAL_KEYS"
KEY_FILE_VARIABLE = "PLATEAU_CREDENTIAL_KEY_FILE"
GENERATED_KEY_FILE = "credential-keys"
KEY_HELP = (
    "a key is 32 url-safe base64-encoded bytes (44 characters); "
    "make one with `python manage.py credentials generate-key`"
)


def generate_key() -> str:
    return Fernet.generate_key().decode()


def load_keys(configured: list[str], key_file: str, data_dir: Path) -> list[str]:
    """The keys to use, checked; the message of any error names its source, never a key."""
    if configured and key_file:
        raise ImproperlyConfigured(f"Set {KEYS_VARIABLE} or {KEY_FILE_VARIABLE}, not both.")
    if configured:
        return _checked(configured, lambda n: f"{KEYS_VARIABLE}: key {n} of {len(configured)}")
    if key_file:
        return _keys_from_file(Path(key_file), KEY_FILE_VARIABLE)
    return _keys_from_file(_generated_key_file(data_dir), "PLATEAU_DATA_DIR")


def _keys_from_file(path: Path, source: str) -> list[str]:
    try:
        lines = path.read_text().splitlines()
    except OSError as error:
        raise ImproperlyConfigured(
            f"{source}: cannot read the credential key file {path}: {error.strerror}."
        ) from None
    keys = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    if not keys:
        raise ImproperlyConfigured(f"{source}: the credential key file {path} holds no key.")
    return _checked(keys, lambda n: f"{source}: key {n} in {path}")


def _checked(keys: list[str], where) -> list[str]:
    for number, key in enumerate(keys, start=1):
        try:
            Fernet(key)
        except (ValueError, TypeError):
            raise ImproperlyConfigured(
                f"{where(number)} is not a valid Fernet key: {KEY_HELP}."
            ) from None
    return keys


def _generated_key_file(data_dir: Path) -> Path:
    """The embedded default: a key made once, written atomically (the web server, the
    worker and beat may all start at the same moment) and readable by its owner only."""
    path = data_dir / GENERATED_KEY_FILE
    if path.exists():
        return path
    draft = data_dir / f".{GENERATED_KEY_FILE}.{secrets.token_hex(8)}"
    descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(generate_key() + "\n")
    try:
        os.link(draft, path)
    except FileExistsError:
        pass  # another process won the race: its key is the one
    finally:
        draft.unlink()
    return path
