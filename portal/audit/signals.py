"""Turns saves and deletes of audited models, and sign-ins, into audit events.

Signals rather than view code, so that changes made through the UI, the API, the
Django admin and management commands are all recorded the same way.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_delete, post_save, pre_save

from portal.audit import recorder


def _remember_before(sender, instance, raw=False, **kwargs):
    if raw or not recorder.is_audited(sender):
        return
    previous = None
    if instance.pk is not None:
        previous = sender._base_manager.filter(pk=instance.pk).first()
    instance._audit_before = recorder.snapshot(previous) if previous is not None else None


def _record_save(sender, instance, created, raw=False, **kwargs):
    if raw or not recorder.is_audited(sender):
        return
    before = getattr(instance, "_audit_before", None)
    changes = recorder.diff(before or {}, recorder.snapshot(instance))
    if created or before is None:
        recorder.record("create", instance, changes)
    elif changes:
        recorder.record("update", instance, changes)


def _record_delete(sender, instance, **kwargs):
    if recorder.is_audited(sender):
        recorder.record("delete", instance, recorder.diff(recorder.snapshot(instance), {}))


def _record_login(sender, request, user, **kwargs):
    recorder.record("login", user, actor=user)


def _record_logout(sender, request, user, **kwargs):
    if user is not None:
        recorder.record("logout", user, actor=user)


def _record_login_failed(sender, credentials, request=None, **kwargs):
    # Only the username: ``credentials`` also carries the attempted password.
    username = str(credentials.get("username", ""))[:150]
    recorder.record(
        "login_failed", changes={"username": username}, actor_name="", object_repr=username
    )


def connect():
    from portal.accounts.models import Membership, Team
    from portal.projects.models import Environment, Project

    recorder.register(get_user_model(), exclude=("password", "last_login"))
    for model in (Team, Membership, Project, Environment):
        recorder.register(model)
    pre_save.connect(_remember_before, dispatch_uid="audit_before")
    post_save.connect(_record_save, dispatch_uid="audit_save")
    post_delete.connect(_record_delete, dispatch_uid="audit_delete")
    user_logged_in.connect(_record_login, dispatch_uid="audit_login")
    user_logged_out.connect(_record_logout, dispatch_uid="audit_logout")
    user_login_failed.connect(_record_login_failed, dispatch_uid="audit_login_failed")
