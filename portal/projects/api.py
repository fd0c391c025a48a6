from portal.accounts.models import Team
from portal.core.api import ModelCleanSerializer, TeamScopedViewSet, VisibleRelatedField
from portal.projects.models import ENVIRONMENT_FIELDS, Environment, Project


class ProjectSerializer(ModelCleanSerializer):
    parent_field = "team"
    team = VisibleRelatedField(queryset=Team.objects.all())

    class Meta:
        model = Project
        fields = ["id", "team", "name", "slug", "description", "created", "updated"]


class EnvironmentSerializer(ModelCleanSerializer):
    parent_field = "project"
    project = VisibleRelatedField(queryset=Project.objects.all())

    class Meta:
        model = Environment
        fields = ["id", *ENVIRONMENT_FIELDS, "created", "updated"]


class ProjectViewSet(TeamScopedViewSet):
    queryset = Project.objects.select_related("team").order_by("team__name", "name")
    serializer_class = ProjectSerializer
    parent_field = "team"


class EnvironmentViewSet(TeamScopedViewSet):
    queryset = Environment.objects.select_related("project").order_by("project__name", "name")
    serializer_class = EnvironmentSerializer
    parent_field = "project"
