"""Panels that plugins add to a deployment's page (hook ``plateau_deployment_panels``)
and to a run's page (hook ``plateau_run_panels``)."""

import logging
from dataclasses import dataclass

from django.utils.safestring import SafeString

from portal.plugins import hook

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Panel:
    title: str
    html: SafeString  # escaped or rendered from a template by the plugin


def panels_for(deployment, user) -> list[Panel]:
    """Every plugin's panels for a deployment the user may view."""
    return _collect("plateau_deployment_panels", deployment=deployment, user=user)


def run_panels_for(run, user) -> list[Panel]:
    """Every plugin's panels for a run the user may view."""
    return _collect("plateau_run_panels", run=run, user=user)


def _collect(hook_name: str, **arguments) -> list[Panel]:
    """A failing plugin costs its own panel, not the page."""
    panels = []
    for implementation in getattr(hook(), hook_name).get_hookimpls():
        try:
            contributed = implementation.function(**arguments)
        except Exception:
            logger.exception("%s of plugin %s failed", hook_name, implementation.plugin_name)
            continue
        panels.extend(panel for panel in contributed or [] if panel is not None)
    return panels
