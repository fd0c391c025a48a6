"""The Terraform state and drift panels of a deployment's page."""

from portal.hookspecs import hookimpl


@hookimpl
def plateau_deployment_panels(deployment, user):
    from portal.deployments.state_views import panels

    return panels(deployment, user)
