"""Encryption at rest for credentials and every other sealed value (MultiFernet).

The first configured key (see ``portal.credentials.keys``) encrypts; every key decrypts,
so a new key can be put first, the data re-encrypted (``python manage.py credentials
rotate``), then the old key dropped.
"""

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import models, transaction

from portal.credentials.keys import KEYS_VARIABLE


class UndecryptableError(Exception):
    """Stored data that none of the configured keys opens."""


_fernets: dict[tuple[str, ...], MultiFernet] = {}


def _fernet() -> MultiFernet:
    keys = tuple(settings.PLATEAU_CREDENTIAL_KEYS)
    if keys not in _fernets:
        _fernets[keys] = MultiFernet([Fernet(key) for key in keys])
    return _fernets[keys]


def encrypt(data: bytes) -> bytes:
    return _fernet().encrypt(data)


def decrypt(token: bytes) -> bytes:
    try:
        return _fernet().decrypt(bytes(token))
    except InvalidToken:
        raise UndecryptableError(
            "None of the configured credential keys decrypts this value: was the key that "
            f"encrypted it removed from {KEYS_VARIABLE} before `credentials rotate` ran?"
        ) from None


# Every model field that holds data encrypted here, so that rotation re-encrypts it all.
_encrypted_fields: dict[type[models.Model], tuple[str, ...]] = {}


def register_encrypted_fields(model: type[models.Model], *fields: str) -> None:
    """Call from ``AppConfig.ready()`` for each model with fields written by ``encrypt``."""
    _encrypted_fields[model] = (*_encrypted_fields.get(model, ()), *fields)


def rotate_all() -> dict[str, int]:
    """Re-encrypt every registered field with the primary key; returns values per model.

    Rows are updated in place without signals: the material and its fingerprint do not
    change, only the key that protects them (the caller audits the rotation itself)."""
    fernet = _fernet()
    counts = {}
    with transaction.atomic():
        for model, fields in _encrypted_fields.items():
            rotated = 0
            rows = model._base_manager.values_list("pk", *fields).order_by("pk")
            for pk, *values in rows.iterator(chunk_size=500):
                changes = {}
                for field, value in zip(fields, values, strict=True):
                    if value:
                        try:
                            changes[field] = fernet.rotate(bytes(value))
                        except InvalidToken:
                            raise UndecryptableError(
                                f"{model._meta.label} {pk}: no configured key decrypts "
                                f"{field}; nothing was rotated."
                            ) from None
                if changes:
                    model._base_manager.filter(pk=pk).update(**changes)
                    rotated += len(changes)
            counts[model._meta.label_lower] = rotated
    return counts
