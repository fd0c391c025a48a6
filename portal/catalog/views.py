"""Catalog pages: the catalog, a stack, the deploy form with its live validation, and
the stack sources. Who sees what is decided in ``portal.catalog.visibility``."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views import View

from iac.stacks.icons import icon_content_type, icon_problem
from portal.accounts import permissions as perms
from portal.audit import recorder
from portal.catalog import visibility
from portal.catalog.display import parameter_rows, render_readme
from portal.catalog.forms import (
    ENVIRONMENT_FIELD,
    CatalogFilterForm,
    DeployForm,
    StackSourceForm,
)
from portal.catalog.models import StackSource
from portal.catalog.search import facets, filter_stacks
from portal.catalog.tasks import queue_refresh
from portal.deployments import services as deployments


class CatalogView(LoginRequiredMixin, View):
    def get(self, request):
        user = request.user
        stacks = list(visibility.visible_stacks(user))
        form = CatalogFilterForm(request.GET, *facets(stacks))
        form.is_valid()  # an unknown filter value is reported and ignored
        wanted = form.cleaned_data
        context = {
            "form": form,
            "stacks": filter_stacks(
                stacks,
                wanted.get("q", ""),
                wanted.get("technology", ""),
                wanted.get("provider", ""),
            ),
            "curator": visibility.is_curator(user),
            "title": "Stack catalog",
        }
        partial = request.htmx and request.htmx.target == "stack-cards"
        template = "catalog/stack_cards.html" if partial else "catalog/catalog.html"
        return render(request, template, context)


class StackDetailView(LoginRequiredMixin, View):
    def get(self, request, slug):
        user = request.user
        stack = visibility.get_stack(user, slug)
        versions = list(
            visibility.visible_versions(user).filter(stack=stack).order_by("-first_seen", "-id")
        )
        if "version" in request.GET:
            try:
                version = visibility.get_version(user, stack, int(request.GET["version"]))
            except ValueError:
                raise Http404("No stack version matches the given query.") from None
        else:
            version = next((v for v in versions if v.pk == stack.latest_version_id), None)
            version = version or (versions[0] if versions else None)
        definition = version.load() if version and visibility.is_usable(version) else None
        can_deploy = (
            version is not None
            and visibility.is_deployable(version)
            and visibility.deploy_environments(user).exists()
        )
        context = {
            "stack": stack,
            "versions": versions,
            "version": version,
            "readme": render_readme(version.readme) if version else "",
            "parameters": parameter_rows(definition) if definition else [],
            "curator": visibility.is_curator(user),
            "can_deploy": can_deploy,
            "title": stack.name,
        }
        return render(request, "catalog/stack_detail.html", context)


class StackIconView(LoginRequiredMixin, View):
    """A version's icon file. It comes from a catalog repository: served with its own
    type, never sniffed, and sandboxed so an SVG opened directly runs no script."""

    def get(self, request, slug, pk):
        stack = visibility.get_stack(request.user, slug)
        version = visibility.get_version(request.user, stack, pk)
        if not visibility.is_usable(version):
            raise Http404("Only valid versions have an icon.")
        icon = version.load().icon
        content_type = icon_content_type(icon)
        if content_type is None or icon_problem(version.files_path, icon):
            raise Http404("This version has no icon file.")
        content = (version.files_path / icon).read_bytes()  # small: checked by icon_problem
        response = HttpResponse(content, content_type=content_type)
        response["X-Content-Type-Options"] = "nosniff"
        response["Content-Security-Policy"] = (
            "default-src 'none'; style-src 'unsafe-inline'; sandbox"
        )
        response["Cache-Control"] = "private, max-age=86400, immutable"  # versions never change
        return response


class DeployView(LoginRequiredMixin, View):
    """The form generated from a version's parameters. A valid POST calls ``on_valid``."""

    template_name = "catalog/deploy.html"

    def dispatch(self, request, slug, pk):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.stack = visibility.get_stack(request.user, slug)
        self.version = visibility.get_version(request.user, self.stack, pk)
        if not visibility.is_deployable(self.version):
            return render(
                request,
                self.template_name,
                {"stack": self.stack, "version": self.version, "title": "Deploy"},
                status=409,
            )
        visibility.check_can_deploy(request.user)
        self.definition = self.version.load()
        self.environments = visibility.deploy_environments(request.user)
        return super().dispatch(request, slug, pk)

    def build_form(self, data=None, environment_changed=False) -> DeployForm:
        live_url = reverse("catalog:deploy_validate", args=[self.stack.slug, self.version.pk])
        return DeployForm(
            self.definition,
            self.environments,
            data,
            live_url=live_url,
            environment_changed=environment_changed,
        )

    def context(self, form, **extra) -> dict:
        return {
            "stack": self.stack,
            "version": self.version,
            "form": form,
            "errors_for": set(form.fields),
            "title": f"Deploy {self.stack.name}",
            **extra,
        }

    def get(self, request, slug, pk):
        return render(request, self.template_name, self.context(self.build_form()))

    def post(self, request, slug, pk):
        form = self.build_form(request.POST)
        if not form.is_valid():
            return render(request, self.template_name, self.context(form), status=400)
        self.form = form
        self.environment = form.cleaned_data[ENVIRONMENT_FIELD]
        return self.on_valid(form.values)

    def on_valid(self, values: dict):
        """``values`` passed validation in ``self.environment`` for ``self.version``: they
        are the values the user gave, typed, empty fields left out (defaults and generated
        secrets apply when they are resolved). The deployment is created and its first run
        queued; the person follows it on the run page."""
        try:
            deployment, run = deployments.create_deployment(
                user=self.request.user,
                environment=self.environment,
                stack_version=self.version,
                name=deployments.free_name(self.environment, self.stack.slug),
                values=values,
            )
        except deployments.InvalidRequest as invalid:
            for field, problems in invalid.errors.items():
                target = field if field in self.form.fields else None
                for problem in problems:
                    self.form.add_error(target, problem if target else f"{field}: {problem}")
            return render(self.request, self.template_name, self.context(self.form), status=400)
        messages.success(self.request, f"Deployment {deployment} created: run #{run.pk} is queued.")
        return redirect(run.get_absolute_url())


class DeployValidateView(DeployView):
    """Live validation (htmx): the field that changed gets its errors back; a change of
    environment, or of a field others' visibility depends on, re-renders every field.
    The preview of step inputs follows along (out of band)."""

    http_method_names = ["post"]

    def post(self, request, slug, pk):
        trigger = request.htmx.trigger_name if request.htmx else None
        form = self.build_form(request.POST, environment_changed=trigger == ENVIRONMENT_FIELD)
        form.is_valid()
        parameters = {parameter.name for parameter in self.definition.parameters}
        if trigger in parameters and trigger not in form.controlling:
            context = {"form": form, "name": trigger, "errors": form.errors.get(trigger, [])}
            return render(request, "catalog/field_errors_live.html", context)
        # Whole block: errors only for fields that hold something, so that picking an
        # environment does not cover an untouched form with "a value is required".
        context = {"form": form, "errors_for": form.filled_names()}
        return render(request, "catalog/deploy_fields_live.html", context)


class SourceListView(LoginRequiredMixin, View):
    def get(self, request):
        visibility.check_curator(request.user, perms.VIEW)
        sources = StackSource.objects.select_related("credential__team").annotate(
            stack_count=Count("stacks")
        )
        return render(
            request, "catalog/source_list.html", {"sources": sources, "title": "Stack sources"}
        )


class SourceEditView(LoginRequiredMixin, View):
    """Add (no pk) or edit a git source; saving queues a refresh."""

    def dispatch(self, request, pk=None):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        visibility.check_curator(request.user, perms.CHANGE if pk else perms.ADD)
        self.object = get_object_or_404(StackSource, pk=pk) if pk else None
        if self.object is not None and self.object.kind != StackSource.Kind.GIT:
            raise PermissionDenied(
                "Folder sources are set up on the server (python manage.py stacks sync); "
                "only git sources are edited here."
            )
        return super().dispatch(request, pk)

    def render(self, form, status=200):
        title = f"Edit {self.object}" if self.object else "New git source"
        context = {"form": form, "object": self.object, "title": title}
        return render(self.request, "generic/object_form.html", context, status=status)

    def get(self, request, pk=None):
        return self.render(StackSourceForm(instance=self.object, user=request.user))

    def post(self, request, pk=None):
        form = StackSourceForm(request.POST, instance=self.object, user=request.user)
        if not form.is_valid():
            return self.render(form, status=400)
        with transaction.atomic():
            source = form.save()
            queue_refresh(source.pk)
        messages.success(request, f"Saved stack source {source}; a refresh is queued.")
        return redirect("catalog:source_list")


class SourceRefreshView(LoginRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk):
        visibility.check_curator(request.user, perms.CHANGE)
        source = get_object_or_404(StackSource, pk=pk)
        with transaction.atomic():
            recorder.record("refresh", source, actor=request.user)
            queue_refresh(source.pk)
        messages.success(request, f"Refresh of {source} queued.")
        return redirect("catalog:source_list")
