"""A run's private workspace: the stack version's files, the environment's credentials
and, per step, the engine's StepContext.

It lives in a fresh 0700 folder under ``PLATEAU_DATA_DIR/workspaces/`` and is removed,
credentials included, when the run's phase ends (a run waiting for approval renders a
new one for its apply, possibly on another worker).
"""

import shutil
import sys
import tempfile
from pathlib import Path

from django.conf import settings

from iac.engines import HttpBackend, StepContext
from iac.stacks import Step
from portal.deployments import credentials as run_credentials
from portal.deployments import state
from portal.deployments.models import Run

STACK_DIR = "stack"


class Workspace:
    def __init__(self, run: Run):
        self.run = run
        self.deployment = run.deployment
        self.environment = self.deployment.environment
        parent = Path(settings.DATA_DIR) / "workspaces"
        parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.root = Path(tempfile.mkdtemp(prefix=f"run-{run.pk}-", dir=parent))  # 0700
        self.secrets = None
        try:
            shutil.copytree(self.deployment.stack_version.files_path, self.root / STACK_DIR)
            self.secrets = run_credentials.materialize_for(run, self.root)
        except BaseException:
            self.close()
            raise
        self.state_token = state.run_token(run)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def close(self) -> None:
        if self.secrets is not None:
            self.secrets.cleanup()
        shutil.rmtree(self.root, ignore_errors=True)

    @property
    def secret_texts(self) -> list[str]:
        return [*self.secrets.secrets, self.state_token]

    @property
    def capabilities(self) -> set[str]:
        found = set()
        if self.environment.hosts:
            found.add("hosts")
        if self.kubeconfig is not None:
            found.add("kubernetes")
        return found

    @property
    def kubeconfig(self) -> Path | None:
        return self.secrets.kubeconfig

    def context(self, step: Step, inputs: dict) -> StepContext:
        path = self.root / STACK_DIR / step.path
        ctx = StepContext(
            workdir=path.parent if step.engine == "ansible" else path,
            inputs=inputs,
            env=dict(self.secrets.env),
            secrets=self.secret_texts,
            timeout=settings.PLATEAU_RUN_STEP_TIMEOUT,
            cancel_grace=settings.PLATEAU_RUN_CANCEL_GRACE,
        )
        if step.engine in ("terraform", "opentofu"):
            ctx.terraform_binary = self.environment.terraform_binary or None
            address = state.backend_address(self.deployment, step.name)
            ctx.backend = HttpBackend(
                address=address,
                lock_address=address,
                unlock_address=address,
                username=state.RUN_USERNAME,
                password=self.state_token,
            )
        elif step.engine == "ansible":
            ctx.playbook = path.name
            if self.environment.hosts:
                ctx.inventory = inventory(self.environment.hosts)
        elif step.engine == "helm":
            ctx.release = self.deployment.name
            ctx.namespace = self.environment.project.slug
            ctx.kubeconfig = self.kubeconfig
        return ctx


def inventory(hosts: list[dict]) -> dict:
    """The environment's hosts as an Ansible YAML inventory."""
    entries = {}
    for host in hosts:
        connection = host.get("connection", "ssh")
        entry = {"ansible_connection": connection, **host.get("vars", {})}
        if host.get("address"):
            entry["ansible_host"] = host["address"]
        if connection == "local":
            entry.setdefault("ansible_python_interpreter", sys.executable)
        entries[host["name"]] = entry
    return {"all": {"hosts": entries}}
