"""Engines: one interface (validate, plan, apply, destroy, outputs, cancel) for Terraform,
OpenTofu, Ansible and Helm. Pure Python: no Django here."""

from iac.engines.ansible import AnsibleEngine
from iac.engines.base import (
    ApplyResult,
    Engine,
    EngineEvent,
    EventCallback,
    HttpBackend,
    Outputs,
    PlanResult,
    StepContext,
)
from iac.engines.errors import EngineCancelled, EngineError, EngineTimeout, StalePlanError
from iac.engines.helm import HelmEngine
from iac.engines.terraform import OpenTofuEngine, TerraformEngine

ENGINES: dict[str, type[Engine]] = {
    engine.name: engine for engine in (TerraformEngine, OpenTofuEngine, AnsibleEngine, HelmEngine)
}


def get_engine(name: str) -> Engine:
    """A fresh engine for one run (it owns that run's processes)."""
    try:
        return ENGINES[name]()
    except KeyError:
        raise EngineError(f"unknown engine {name!r}; known: {', '.join(sorted(ENGINES))}") from None


__all__ = [
    "ENGINES",
    "AnsibleEngine",
    "ApplyResult",
    "Engine",
    "EngineCancelled",
    "EngineError",
    "EngineEvent",
    "EngineTimeout",
    "EventCallback",
    "HelmEngine",
    "HttpBackend",
    "OpenTofuEngine",
    "Outputs",
    "PlanResult",
    "StalePlanError",
    "StepContext",
    "TerraformEngine",
    "get_engine",
]
