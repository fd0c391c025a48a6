"""The built-in infrastructure engines (Terraform, OpenTofu, Ansible, Helm), offered to
runs through the same hook a third-party engine would use."""

from portal.hookspecs import hookimpl


@hookimpl
def plateau_engines():
    from iac.engines import ENGINES

    return dict(ENGINES)
