"""Panels that plugins add to a deployment's page (hook ``plateau_deployment_panels``)."""

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
    """Every plugin's panels for a deployment the user may view; a failing plugin costs its
    own panel, not the page."""
    panels = []
    for implementation in hook().plateau_deployment_panels.get_hookimpls():
        try:
            contributed = implementation.function(deployment=deployment, user=user)
        except Exception:
            logger.exception("deployment panel of plugin %s failed", implementation.plugin_name)
            continue
        panels.extend(panel for panel in contributed or [] if panel is not None)
    return panels
