"""Run notifications: a JSON summary of each finished run, posted to every URL in
PLATEAU_WEBHOOK_URLS.

With PLATEAU_WEBHOOK_SECRET set, each request carries ``X-Plateau-Signature:
sha256=<hex HMAC-SHA256 of the body>``, so the receiver can check it came from Plateau.
The summary names things and counts changes; it never holds parameter values, outputs or
anything from the run's log. A receiver that fails is retried twice, then logged: a
notification never changes the run.
"""

import hashlib
import hmac
import json
import logging
import time
import urllib.error
import urllib.parse
import urllib.request

from django.conf import settings

from portal.hookspecs import hookimpl

logger = logging.getLogger(__name__)

ATTEMPTS = 3
RETRY_PAUSE_SECONDS = 0.5


def summary(run) -> dict:
    deployment = run.deployment
    environment = deployment.environment

    def when(moment):
        return moment.isoformat() if moment else None

    def who(user):
        return user.username if user else None

    return {
        "event": "run.finished",
        "run": {
            "id": run.pk,
            "kind": run.kind,
            "status": run.status,
            "requested_by": who(run.requested_by),
            "approved_by": who(run.approved_by),
            "created": when(run.created),
            "started": when(run.started),
            "finished": when(run.finished),
            "changes": run.summary,
            "url": settings.SITE_URL.rstrip("/") + run.get_absolute_url(),
        },
        "deployment": {
            "id": deployment.pk,
            "name": deployment.name,
            "status": deployment.status,
            "url": settings.SITE_URL.rstrip("/") + deployment.get_absolute_url(),
        },
        "environment": {"name": environment.name, "project": environment.project.slug},
        "stack_version": {
            "stack": deployment.stack_version.stack.slug,
            "version": deployment.stack_version.name,
        },
    }


def sign(body: bytes, secret: str) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def post(url: str, body: bytes) -> bool:
    headers = {"Content-Type": "application/json", "User-Agent": "Plateau webhook"}
    if settings.PLATEAU_WEBHOOK_SECRET:
        headers["X-Plateau-Signature"] = sign(body, settings.PLATEAU_WEBHOOK_SECRET)
    for attempt in range(1, ATTEMPTS + 1):
        request = urllib.request.Request(url, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=settings.PLATEAU_WEBHOOK_TIMEOUT):
                return True
        except (urllib.error.URLError, OSError) as error:
            # The URL may hold a token in its path or query: log its host only.
            host = urllib.parse.urlsplit(url).hostname
            logger.warning(
                "webhook to %s failed (attempt %d/%d): %s", host, attempt, ATTEMPTS, error
            )
        if attempt < ATTEMPTS:
            time.sleep(RETRY_PAUSE_SECONDS * attempt)
    return False


@hookimpl
def plateau_run_finished(run):
    if not settings.PLATEAU_WEBHOOK_URLS:
        return
    body = json.dumps(summary(run)).encode()
    for url in settings.PLATEAU_WEBHOOK_URLS:
        try:
            post(url, body)
        except Exception:
            logger.exception("webhook for run %s failed", run.pk)
