import logging

from celery import shared_task
from django.utils import timezone

logger = logging.getLogger(__name__)


@shared_task(name="portal.core.tasks.heartbeat")
def heartbeat() -> str:
    """Scheduled by beat every minute: proves beat and a worker are alive, and answers the
    worker readiness test (``make run`` and the tests call it and wait for its answer)."""
    now = timezone.now().isoformat()
    logger.info("heartbeat at %s", now)
    return now
