"""Saving credentials and their bindings, shared by the pages and the API."""

from django.db import transaction

from portal.audit import recorder
from portal.credentials.models import Credential


def save_credential(credential: Credential, material: dict | None, user) -> Credential:
    """Store ``credential``, with new checked material when given (None keeps it)."""
    if material is not None:
        credential.set_material(material)
    if credential.pk is None:
        credential.created_by = user
    credential.updated_by = user
    credential.save()
    return credential


def bind_environments(credential: Credential, environments) -> None:
    """Make ``environments`` exactly the ones using ``credential``, audited.

    Many-to-many changes send no save signal, so the trail gets its event here."""
    environments = list(environments)
    credential.check_environments(environments)
    before = sorted(str(environment) for environment in credential.environments.all())
    after = sorted(str(environment) for environment in environments)
    with transaction.atomic():
        credential.environments.set(environments)
        if before != after:
            recorder.record("update", credential, {"environments": [before, after]})
