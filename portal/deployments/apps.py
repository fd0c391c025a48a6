from django.apps import AppConfig


class DeploymentsConfig(AppConfig):
    name = "portal.deployments"
    label = "deployments"
    verbose_name = "Deployments and runs"

    def ready(self):
        from portal.accounts.permissions import SUPERUSER_ONLY, register_policy
        from portal.accounts.roles import Role
        from portal.audit import recorder
        from portal.credentials.crypto import register_encrypted_fields
        from portal.deployments.models import Deployment, Run, RunStep, StateVersion

        register_policy(
            "deployments.deployment",
            {
                "view": Role.VIEWER,
                "add": Role.DEVELOPER,
                "change": Role.DEVELOPER,  # plan, update, apply, destroy, cancel
                "delete": SUPERUSER_ONLY,  # a deployment is destroyed by a run, not deleted
                "reveal": Role.DEVELOPER,  # sensitive outputs
            },
        )
        register_policy(
            "deployments.run",
            {
                "view": Role.VIEWER,
                "add": Role.DEVELOPER,
                "change": Role.DEVELOPER,  # cancel
                "delete": SUPERUSER_ONLY,
                "approve": Role.PLATFORM_ENGINEER,  # and admins; see services.check_approver
            },
        )
        from portal.deployments import state_history

        state_history.register_policy()
        # Runs are audited through their actions (plan, apply, approve, cancel...), not
        # through every status change the worker makes.
        recorder.register(
            Deployment,
            exclude=("values_sealed", "outputs_sealed", "step_outputs_sealed", "locked_by_run"),
        )
        register_encrypted_fields(
            Deployment, "values_sealed", "outputs_sealed", "step_outputs_sealed"
        )
        register_encrypted_fields(Run, "values_sealed")
        register_encrypted_fields(RunStep, "plan_artifact_sealed", "outputs_sealed")
        register_encrypted_fields(StateVersion, "state_sealed")
