"""Ships the audit trail to the ``plateau.audit`` logger, one JSON object per line, so
operators can forward it with their usual log pipeline (journald, syslog, Loki...)."""

import json
import logging

from portal.hookspecs import hookimpl

logger = logging.getLogger("plateau.audit")


@hookimpl
def plateau_audit_event(event):
    logger.info(json.dumps(event.as_log_record(), sort_keys=True, default=str))
