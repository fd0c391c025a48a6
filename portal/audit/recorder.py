"""Writes audit events: a before/after summary of every change, never holding secrets."""

import datetime
import decimal
import logging
import uuid

from django.db import models, transaction

from portal.audit.context import current_actor
from portal.audit.models import AuditEvent

logger = logging.getLogger(__name__)

# Field names that must never reach the trail, whatever the model.
SECRET_NAME_PARTS = ("password", "secret", "token", "private_key", "ciphertext")
# Bookkeeping fields that change on every save and say nothing about the change.
IGNORED_FIELDS = {"created", "updated", "last_login"}

_audited: dict[type[models.Model], frozenset[str]] = {}


def register(model: type[models.Model], exclude: tuple[str, ...] = ()) -> None:
    _audited[model] = frozenset(exclude)


def is_audited(model) -> bool:
    return model in _audited


def _plain(value):
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    return value


def snapshot(instance: models.Model) -> dict:
    excluded = _audited.get(type(instance), frozenset())
    state = {}
    for field in instance._meta.concrete_fields:
        name = field.name
        if name in excluded or name in IGNORED_FIELDS or field.primary_key:
            continue
        if any(part in name.lower() for part in SECRET_NAME_PARTS):
            continue
        state[name] = _plain(getattr(instance, field.attname))
    return state


EMPTY = (None, "")


def diff(before: dict, after: dict) -> dict:
    """Changed fields as ``{name: [before, after]}``; empty-to-empty is no change."""
    return {
        name: [before.get(name), after.get(name)]
        for name in sorted(set(before) | set(after))
        if before.get(name) != after.get(name)
        and not (before.get(name) in EMPTY and after.get(name) in EMPTY)
    }


def _team_id(instance) -> int | None:
    try:
        return getattr(instance, "owning_team_id", None)
    except models.ObjectDoesNotExist:
        return None


def record(action: str, instance: models.Model | None = None, changes=None, actor=None, **extra):
    """Store one audit event. ``actor`` defaults to whoever the current request acts as."""
    context = current_actor()
    user = actor if actor is not None else (context.user if context else None)
    event = AuditEvent.objects.create(
        actor=user if user is not None and user.pk else None,
        actor_name=getattr(user, "username", "") or extra.pop("actor_name", ""),
        action=action,
        object_type=instance._meta.label_lower if instance is not None else "",
        object_id=str(instance.pk) if instance is not None and instance.pk is not None else "",
        object_repr=str(instance)[:200] if instance is not None else extra.pop("object_repr", ""),
        team_id=_team_id(instance) if instance is not None else extra.pop("team_id", None),
        changes=changes or {},
        remote_addr=context.remote_addr if context else None,
    )
    transaction.on_commit(lambda: _notify(event))
    return event


def _notify(event: AuditEvent) -> None:
    from portal.plugins import hook

    try:
        hook().plateau_audit_event(event=event)
    except Exception:
        logger.exception("a plateau_audit_event hook failed for audit event %s", event.pk)
