"""The credentials a run uses: those chosen by the stack's ``credential`` parameters
(each must be bound to the environment and of the parameter's kind) and the
environment's kubeconfig, materialized in the run's private workspace."""

from dataclasses import dataclass
from pathlib import Path

from portal.credentials.runtime import credentials_for, materialize

KUBECONFIG = "kubeconfig"


@dataclass
class RunMaterial:
    env: dict[str, str]
    secrets: list[str]
    kubeconfig: Path | None
    cleanup: object

    def __post_init__(self):
        self.cleanup = self.cleanup or (lambda: None)


def credential_errors(stack, values: dict, environment) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for parameter in stack.parameters:
        chosen = values.get(parameter.name)
        if parameter.type != "credential" or chosen in (None, ""):
            continue
        kind = parameter.credential_kind
        # Stack values name credentials (docs/stacks.md): names are unique per team.
        bound = {credential.name for credential in credentials_for(environment, kind)}
        if str(chosen) not in bound:
            errors[parameter.name] = [
                f"must name a {kind} credential bound to {environment} [credential]"
            ]
    return errors


def chosen_credentials(run) -> list:
    environment = run.deployment.environment
    stack = run.deployment.stack_version.load()
    values = run.all_values()
    chosen = []
    for parameter in stack.parameters:
        if parameter.type != "credential" or values.get(parameter.name) in (None, ""):
            continue
        bound = {
            credential.name: credential
            for credential in credentials_for(environment, parameter.credential_kind)
        }
        credential = bound.get(str(values[parameter.name]))
        if credential is None:  # unbound since the request: refuse rather than guess
            raise PermissionError(
                f"{parameter.name}: credential {values[parameter.name]} is no longer a "
                f"{parameter.credential_kind} credential bound to {environment}"
            )
        chosen.append(credential)
    return chosen


def materialize_for(run, root: Path) -> RunMaterial:
    environment = run.deployment.environment
    kubeconfigs = list(credentials_for(environment, KUBECONFIG))[:1]
    material = materialize([*chosen_credentials(run), *kubeconfigs], root)
    kubeconfig = None
    if kubeconfigs:
        kubeconfig = Path(material.env["KUBECONFIG"]) if "KUBECONFIG" in material.env else None
    return RunMaterial(
        env=dict(material.env),
        secrets=list(material.secrets),
        kubeconfig=kubeconfig,
        cleanup=material.cleanup,
    )
