"""Importers as the plugins provide them: the portal finds them through the
``plateau_importers`` hook only, so a third-party importer is used like a built-in one."""

from iac.importers import Importer, ImporterError
from portal.plugins import hook


def importers() -> dict[str, type[Importer]]:
    found: dict[str, type[Importer]] = {}
    # pluggy answers newest plugin first: built-ins go in first, later plugins win.
    for contributed in reversed(hook().plateau_importers()):
        found.update(contributed or {})
    return found


def importer_class(name: str) -> type[Importer]:
    available = importers()
    try:
        return available[name]
    except KeyError:
        raise ImporterError(
            f"no importer named {name!r} is installed (installed: {', '.join(sorted(available))})"
        ) from None
