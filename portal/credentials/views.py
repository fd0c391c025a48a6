from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.views import View

from portal.accounts import permissions as perms
from portal.catalog.visibility import is_curator
from portal.core import generic
from portal.credentials.forms import BindForm, CredentialForm
from portal.credentials.models import BIND, Credential, with_environments


class CredentialListView(generic.ObjectListView):
    model = Credential
    queryset = Credential.objects.select_related("team", "updated_by").prefetch_related(
        with_environments()
    )
    columns = [
        ("name", "Name"),
        ("kind_label", "Kind"),
        ("team", "Team"),
        ("environment_names", "Environments"),
        ("fingerprint", "Fingerprint"),
        ("updated_by", "Set by"),
        ("updated", "Set on"),
    ]
    search_fields = ["name", "kind", "description", "team__name"]
    add_url_name = "credentials:credential_add"


class CredentialDetailView(generic.ObjectDetailView):
    model = Credential
    queryset = Credential.objects.select_related("team", "created_by", "updated_by")
    template_name = "credentials/credential_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if "bind_form" not in context and perms.can(self.request.user, BIND, self.object):
            context["bind_form"] = BindForm(credential=self.object)
        context["environments"] = self.object.environments.select_related("project")
        context["stack_sources"] = self.object.stack_sources.order_by("name")
        context["show_source_links"] = is_curator(self.request.user)
        return context


class CredentialEditView(generic.ObjectEditView):
    model = Credential
    form_class = CredentialForm
    template_name = "credentials/credential_form.html"


class CredentialFieldsView(LoginRequiredMixin, View):
    """The material fields of the kind chosen in the create form (an htmx swap)."""

    def get(self, request):
        if not perms.can(request.user, perms.ADD, Credential):
            raise PermissionDenied(perms.describe_requirement(Credential, perms.ADD))
        form = CredentialForm(user=request.user, initial={"kind": request.GET.get("kind")})
        return render(request, "credentials/material_fields.html", {"form": form})


class CredentialDeleteView(generic.ObjectDeleteView):
    model = Credential
    success_url_name = "credentials:credential_list"


class CredentialBindView(CredentialDetailView):
    """Which environments may use the credential: platform engineers decide."""

    http_method_names = ["post"]

    def post(self, request, pk):
        self.object = perms.get_for(request.user, self.get_queryset(), BIND, pk=pk)
        form = BindForm(request.POST, credential=self.object)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(bind_form=form), status=400)
        form.save()
        messages.success(request, f"Updated the environments of {self.object}.")
        return redirect(self.object.get_absolute_url())
