import logging
import os

from celery import Celery
from celery.signals import worker_init, worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("plateau")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
logger = logging.getLogger(__name__)


@worker_init.connect
def withhold_secrets_from_steps(**kwargs):
    """Drop Plateau's own secrets from the worker's environment once settings hold them.

    Engines pass steps a filtered environment, but ansible-runner always copies the whole
    process environment into the playbook's: without this, a stack's playbook could read
    the database URL or the credential keys.
    """
    from django.conf import settings

    from iac.engines.process import inherited_environment

    settings.DATABASES  # noqa: B018 - settings must be loaded before their sources go
    for name in set(os.environ) - set(inherited_environment()) - {"DJANGO_SETTINGS_MODULE"}:
        del os.environ[name]


@worker_ready.connect
def reap_leftover_engine_processes(**kwargs):
    """A worker restarted after a crash kills what the runs that died with it left."""
    from portal.deployments.recovery import reap_leftovers

    try:
        reap_leftovers()
    except Exception:
        logger.exception("reaping leftover engine processes failed; the worker starts anyway")
