from portal.core.generic import TeamScopedForm
from portal.projects.models import ENVIRONMENT_FIELDS, Environment, Project


class ProjectForm(TeamScopedForm):
    parent_field = "team"

    class Meta:
        model = Project
        fields = ["team", "name", "slug", "description"]


class EnvironmentForm(TeamScopedForm):
    parent_field = "project"

    class Meta:
        model = Environment
        fields = ENVIRONMENT_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Left empty (or absent from an older form), drift checks stay off.
        self.fields["drift_check_hours"].required = False

    def clean_drift_check_hours(self):
        return self.cleaned_data["drift_check_hours"] or 0
