"""Engines as the plugins offer them: runs never import iac's registry directly."""

from iac.engines import Engine, EngineError
from portal.plugins import hook


def available_engines() -> dict[str, type[Engine]]:
    engines: dict[str, type[Engine]] = {}
    # pluggy answers the last registered plugin first: apply them in reverse so it wins.
    for offered in reversed(hook().plateau_engines()):
        engines.update(offered or {})
    return engines


def engine_for(name: str) -> Engine:
    """A fresh engine instance for one step of one run (it owns that step's processes)."""
    engines = available_engines()
    try:
        return engines[name]()
    except KeyError:
        raise EngineError(
            f"no plugin offers the engine {name!r} (available: {', '.join(sorted(engines))})"
        ) from None
