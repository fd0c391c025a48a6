from portal.core.generic import TeamScopedForm
from portal.projects.models import Environment, Project


class ProjectForm(TeamScopedForm):
    parent_field = "team"

    class Meta:
        model = Project
        fields = ["team", "name", "slug", "description"]


class EnvironmentForm(TeamScopedForm):
    parent_field = "project"

    class Meta:
        model = Environment
        fields = [
            "project",
            "name",
            "description",
            "provider",
            "region",
            "residency",
            "residency_country",
            "approval_required",
            "terraform_binary",
            "hosts",
            "monthly_budget",
            "budget_currency",
        ]
