from django.urls import reverse

from portal.accounts import permissions as perms
from portal.core import generic
from portal.projects.forms import EnvironmentForm, ProjectForm
from portal.projects.models import Environment, Project


class ProjectListView(generic.ObjectListView):
    model = Project
    queryset = Project.objects.select_related("team")
    columns = [("name", "Name"), ("team", "Team"), ("description", "Description")]
    search_fields = ["name", "slug", "description", "team__name"]
    add_url_name = "projects:project_add"


class ProjectDetailView(generic.ObjectDetailView):
    model = Project
    queryset = Project.objects.select_related("team")
    template_name = "projects/project_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["environments"] = self.object.environments.all()
        context["can_add_environment"] = perms.can(
            self.request.user, perms.ADD, Environment, team_id=self.object.team_id
        )
        return context


class ProjectEditView(generic.ObjectEditView):
    model = Project
    form_class = ProjectForm


class ProjectDeleteView(generic.ObjectDeleteView):
    model = Project
    success_url_name = "projects:project_list"


class EnvironmentListView(generic.ObjectListView):
    model = Environment
    queryset = Environment.objects.select_related("project__team")
    columns = [
        ("name", "Name"),
        ("project", "Project"),
        ("project.team", "Team"),
        ("get_provider_display", "Provider"),
        ("region", "Region"),
        ("get_residency_display", "Residency"),
        ("approval_required", "Approval"),
        ("monthly_budget", "Budget"),
    ]
    search_fields = ["name", "project__name", "region", "project__team__name"]
    add_url_name = "projects:environment_add"


class EnvironmentDetailView(generic.ObjectDetailView):
    model = Environment
    queryset = Environment.objects.select_related("project__team")
    template_name = "projects/environment_detail.html"


class EnvironmentEditView(generic.ObjectEditView):
    model = Environment
    form_class = EnvironmentForm


class EnvironmentDeleteView(generic.ObjectDeleteView):
    model = Environment

    def success_url(self, obj):
        return reverse("projects:project_detail", args=[obj.project_id])
