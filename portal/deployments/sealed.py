"""JSON values encrypted at rest with the credentials' keys (MultiFernet, rotatable)."""

import json
from typing import Any


def seal(value: Any) -> bytes:
    from portal.credentials import crypto

    return crypto.encrypt(json.dumps(value).encode())


def unseal(data) -> Any:
    """The value ``seal`` was given, or None for an empty field."""
    if not data:
        return None
    from portal.credentials import crypto

    # PostgreSQL hands binary fields back as memoryview.
    return json.loads(crypto.decrypt(bytes(data)))


def seal_bytes(data: bytes) -> bytes:
    from portal.credentials import crypto

    return crypto.encrypt(data)


def unseal_bytes(data) -> bytes:
    from portal.credentials import crypto

    return crypto.decrypt(bytes(data))
