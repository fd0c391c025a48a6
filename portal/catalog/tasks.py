"""Catalog refreshes in the Celery worker: cloning and validating a repository takes
seconds to minutes, never a web request's time."""

import logging

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from portal.catalog.models import StackSource
from portal.catalog.sync import refresh

logger = logging.getLogger(__name__)


@shared_task(name="portal.catalog.tasks.refresh_source")
def refresh_source(source_id: int) -> dict | None:
    """Fetch, snapshot and validate one source's new versions (see sync.refresh)."""
    result = refresh(source_id)
    if result is None:
        logger.info("catalog: source %s is already being refreshed", source_id)
        return None
    return {
        "added": result.added,
        "invalid": result.invalid,
        "gone": result.gone,
        "errors": result.errors,
    }


@shared_task(name="portal.catalog.tasks.refresh_due_sources")
def refresh_due_sources() -> list[int]:
    """Scheduled by beat every minute: queues the sources whose interval has elapsed (a
    source still being refreshed is skipped by the refresh itself)."""
    now = timezone.now()
    due = [
        source.pk
        for source in StackSource.objects.filter(refresh_minutes__gt=0)
        if source.is_due(now)
    ]
    for source_id in due:
        refresh_source.delay(source_id)
    return due


def queue_refresh(source_id: int) -> None:
    """Queue a refresh once the current transaction commits (the worker must see the
    source as saved)."""
    transaction.on_commit(lambda: refresh_source.delay(source_id))
