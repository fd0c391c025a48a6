"""What stack estimates and run estimates read alike: the environment's hosts and the
stack's usage hints."""

import yaml

from iac.estimate import read_inventory
from iac.estimate.resources import Project
from portal.finops.price_books import location_of

DEFAULT_HOST = "default-host"


def hosts_project(environment, name: str) -> Project:
    """The environment's hosts (their ``vars`` may size them: vcpu, memory_gb, disk_gb);
    one host of the default size when it lists none."""
    hosts = environment.hosts or [{"name": DEFAULT_HOST}]
    inventory = {"all": {"hosts": {host["name"]: host.get("vars") or {} for host in hosts}}}
    return read_inventory(
        yaml.safe_dump(inventory),
        source=f"{environment} hosts",
        location=location_of(environment),
        name=name,
    )


def stack_usage(stack) -> dict:
    """Every step's usage hints, as an Infracost usage file."""
    usage = {}
    for step in stack.steps:
        usage |= step.usage
    return {"resource_usage": usage}
