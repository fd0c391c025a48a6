"""Generic, permission-checked pages for team-owned objects (list, detail, edit, delete).

In the spirit of NetBox's generic views: each concept declares its model, form, table
columns and search fields; these classes do the permission checks (through
``portal.accounts.permissions``) the same way for every one of them.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import ProtectedError, Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views import View
from django.views.generic import DetailView, ListView

from portal.accounts import permissions as perms
from portal.core.deletion import protected_message


class ObjectListView(LoginRequiredMixin, ListView):
    template_name = "generic/object_list.html"
    paginate_by = 50
    columns: list[tuple[str, str]] = []  # (attribute path, heading)
    search_fields: list[str] = []
    add_url_name: str | None = None

    def get_queryset(self):
        queryset = perms.scope(self.request.user, super().get_queryset())
        query = self.request.GET.get("q", "").strip()
        if query and self.search_fields:
            condition = Q()
            for field in self.search_fields:
                condition |= Q(**{f"{field}__icontains": query})
            queryset = queryset.filter(condition)
        return queryset

    def get_template_names(self):
        if self.request.htmx and self.request.htmx.target == "object-table":
            return ["generic/object_table.html"]
        return [self.template_name]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        meta = self.model._meta
        context.update(
            title=meta.verbose_name_plural.capitalize(),
            columns=self.columns,
            rows=[
                (obj, [resolve_attribute(obj, path) for path, _ in self.columns])
                for obj in context["object_list"]
            ],
            add_url=reverse(self.add_url_name)
            if self.add_url_name and perms.can(self.request.user, perms.ADD, self.model)
            else None,
            query=self.request.GET.get("q", ""),
            searchable=bool(self.search_fields),
        )
        return context


def resolve_attribute(obj, path: str):
    value = obj
    for part in path.split("."):
        value = getattr(value, part)
        if callable(value):
            value = value()
    return value


class ObjectDetailView(LoginRequiredMixin, DetailView):
    def get_object(self, queryset=None):
        return perms.get_for(
            self.request.user, self.get_queryset(), perms.VIEW, pk=self.kwargs["pk"]
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["can_change"] = perms.can(user, perms.CHANGE, self.object)
        context["can_delete"] = perms.can(user, perms.DELETE, self.object)
        return context


class TeamScopedForm(forms.ModelForm):
    """A model form whose parent field (``parent_field``) only offers parents the user can
    see, and which refuses to create an object where the user's role is too low.

    The parent cannot be changed after creation: moving objects between teams would
    bypass the new team's review.
    """

    parent_field: str | None = None

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if self.parent_field:
            field = self.fields[self.parent_field]
            field.queryset = perms.scope(user, field.queryset)
            if self.instance.pk:
                field.disabled = True

    def clean(self):
        cleaned = super().clean()
        if self.parent_field and not self.instance.pk:
            parent = cleaned.get(self.parent_field)
            model = self._meta.model
            if parent is not None and not perms.can(
                self.user, perms.ADD, model, team_id=parent.owning_team_id
            ):
                self.add_error(self.parent_field, perms.describe_requirement(model, perms.ADD))
        return cleaned


class ObjectEditView(LoginRequiredMixin, View):
    """Create (no ``pk`` in the URL) or update an object."""

    model = None
    form_class = None
    template_name = "generic/object_form.html"

    def get_object(self):
        if "pk" not in self.kwargs:
            return None
        return perms.get_for(
            self.request.user, self.model.objects.all(), perms.CHANGE, pk=self.kwargs["pk"]
        )

    def initial(self) -> dict:
        return {
            key: value
            for key, value in self.request.GET.items()
            if key in self.form_class.base_fields
        }

    def build_form(self, instance):
        kwargs = {"instance": instance, "user": self.request.user}
        if self.request.method == "POST":
            kwargs["data"] = self.request.POST
        else:
            kwargs["initial"] = self.initial()
        return self.form_class(**kwargs)

    def check_can_add(self):
        if not perms.can(self.request.user, perms.ADD, self.model):
            raise PermissionDenied(perms.describe_requirement(self.model, perms.ADD))

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.object = self.get_object()
        if self.object is None:
            self.check_can_add()
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        return self.render(self.build_form(self.object))

    def post(self, request, *args, **kwargs):
        form = self.build_form(self.object)
        if not form.is_valid():
            return self.render(form, status=400)
        with transaction.atomic():
            obj = form.save()
        verb = "Updated" if self.object else "Created"
        messages.success(request, f"{verb} {obj._meta.verbose_name} {obj}.")
        return redirect(obj.get_absolute_url())

    def render(self, form, status=200):
        meta = self.model._meta
        title = f"Edit {self.object}" if self.object else f"New {meta.verbose_name}"
        context = {"form": form, "object": self.object, "title": title, "model_meta": meta}
        return render(self.request, self.template_name, context, status=status)


class ObjectDeleteView(LoginRequiredMixin, View):
    model = None
    template_name = "generic/object_delete.html"
    success_url_name: str = ""

    def get_object(self):
        return perms.get_for(
            self.request.user, self.model.objects.all(), perms.DELETE, pk=self.kwargs["pk"]
        )

    def get(self, request, *args, **kwargs):
        return render(request, self.template_name, {"object": self.get_object()})

    def post(self, request, *args, **kwargs):
        obj = self.get_object()
        try:
            with transaction.atomic():
                obj.delete()
        except ProtectedError as error:
            messages.error(request, protected_message(obj, error))
            return redirect(obj.get_absolute_url())
        messages.success(request, f"Deleted {obj._meta.verbose_name} {obj}.")
        return redirect(self.success_url(obj))

    def success_url(self, obj):
        return reverse(self.success_url_name)
