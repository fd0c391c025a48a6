"""The catalog's REST API: stacks and versions (what the pages show, same visibility),
a version's parameter JSON Schema, values validation, and the sources for curators."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import ProtectedError
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from iac.stacks import parameters_json_schema, resolve_values, validate_values
from portal.accounts import permissions as perms
from portal.audit import recorder
from portal.catalog import visibility
from portal.catalog.display import icon_url, masked, step_previews
from portal.catalog.forms import unbound_credentials
from portal.catalog.models import Stack, StackSource, StackVersion
from portal.catalog.search import filter_stacks
from portal.catalog.tasks import queue_refresh
from portal.core.api import Conflict, ModelCleanSerializer, VisibleRelatedField
from portal.core.api_auth import METHOD_ACTIONS
from portal.core.deletion import protected_message
from portal.credentials.models import Credential
from portal.projects.models import Environment


class SignedIn(permissions.BasePermission):
    """Any active signed-in user: the querysets hold only what visibility allows."""

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated and request.user.is_active)


class StackSerializer(serializers.ModelSerializer):
    team = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    source = serializers.SlugRelatedField(slug_field="name", read_only=True)
    icon_url = serializers.SerializerMethodField()

    class Meta:
        model = Stack
        fields = [
            "slug",
            "name",
            "description",
            "keywords",
            "technologies",
            "providers",
            "icon",
            "icon_url",
            "team",
            "source",
            "latest_version",
            "updated",
        ]

    def get_icon_url(self, stack) -> str | None:
        """The icon's image, when the stack's icon is a file of its served version."""
        url = icon_url(stack)
        return self.context["request"].build_absolute_uri(url) if url else None


class StackVersionSerializer(serializers.ModelSerializer):
    stack = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    report = serializers.SerializerMethodField(help_text="Platform engineers only.")

    class Meta:
        model = StackVersion
        fields = ["id", "stack", "name", "kind", "commit", "status", "gone", "first_seen", "report"]

    def get_report(self, version) -> dict | None:
        return version.report if visibility.is_curator(self.context["request"].user) else None


class EnvironmentChoiceSerializer(serializers.Serializer):
    environment = VisibleRelatedField(
        queryset=Environment.objects.all(),
        required=False,
        allow_null=True,
        help_text="Apply this environment's defaults.",
    )


class ValidateRequestSerializer(EnvironmentChoiceSerializer):
    values = serializers.DictField(help_text="Parameter name -> value.")


class StackViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = StackSerializer
    permission_classes = [SignedIn]
    lookup_field = "slug"

    def get_queryset(self):
        return visibility.visible_stacks(self.request.user)

    @extend_schema(
        parameters=[
            OpenApiParameter("q", str, description="words in the name, description, keywords"),
            OpenApiParameter("technology", str),
            OpenApiParameter("provider", str),
        ]
    )
    def list(self, request, *args, **kwargs):
        params = request.query_params
        stacks = filter_stacks(
            self.get_queryset(),
            params.get("q", ""),
            params.get("technology", ""),
            params.get("provider", ""),
        )
        page = self.paginate_queryset(stacks)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class StackVersionViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = StackVersionSerializer
    permission_classes = [SignedIn]

    def get_queryset(self):
        versions = visibility.visible_versions(self.request.user).order_by(
            "stack__name", "-first_seen", "-id"
        )
        slug = self.request.query_params.get("stack")
        return versions.filter(stack__slug=slug) if slug else versions

    def usable_version(self) -> StackVersion:
        version = self.get_object()
        if not visibility.is_usable(version):
            raise Conflict(f"{version} did not pass validation: see its report.")
        return version

    @extend_schema(
        parameters=[OpenApiParameter("environment", int, description="an environment id")],
        responses={200: dict},
    )
    # Not named "schema": that attribute is DRF's own (the OpenAPI generator).
    @action(detail=True, methods=["get"], url_path="schema")
    def parameters_schema(self, request, pk=None):
        """JSON Schema (draft 2020-12) of this version's values, with the environment's
        defaults when one is given."""
        version = self.usable_version()
        choice = EnvironmentChoiceSerializer(
            data=request.query_params, context={"request": request}
        )
        choice.is_valid(raise_exception=True)
        environment = choice.validated_data.get("environment")
        schema = parameters_json_schema(version.load(), environment.name if environment else None)
        for prop in schema["properties"].values():
            if prop.get("writeOnly"):
                prop.pop("default", None)  # a secret's default is still a secret
        return Response(schema)

    @extend_schema(
        request=ValidateRequestSerializer,
        responses={
            200: inline_serializer(
                "ValuesValid",
                {
                    "valid": serializers.BooleanField(),
                    "values": serializers.DictField(),
                    "preview": serializers.DictField(),
                },
            ),
            400: inline_serializer(
                "ValuesInvalid",
                {"valid": serializers.BooleanField(), "errors": serializers.DictField()},
            ),
        },
    )
    @action(detail=True, methods=["post"])
    def validate(self, request, pk=None):
        """Check values as the deploy form does. Secrets never come back: they read
        "(secret)" in ``values`` and ``preview``."""
        version = self.usable_version()
        body = ValidateRequestSerializer(data=request.data, context={"request": request})
        if not body.is_valid():
            return Response({"valid": False, "errors": body.errors}, status=400)
        definition = version.load()
        environment = body.validated_data.get("environment")
        name = environment.name if environment else None
        values = body.validated_data["values"]
        errors = validate_values(definition, values, name)
        if environment is not None and not errors:
            errors = unbound_credentials(definition, values, environment)
        if errors:
            return Response({"valid": False, "errors": errors}, status=400)
        resolved = resolve_values(definition, values, name)
        return Response(
            {
                "valid": True,
                "values": masked(definition, resolved),
                "preview": step_previews(definition, resolved, environment),
            }
        )


class CuratorPermission(permissions.BasePermission):
    """Sources are for platform engineers (of any team) and superusers; folder sources,
    which read the server's disk, are only refreshed here."""

    def has_permission(self, request, view):
        if not (request.user and request.user.is_authenticated and request.user.is_active):
            return False
        action_name = perms.ADD if view.action == "create" else METHOD_ACTIONS.get(request.method)
        action_name = action_name or perms.CHANGE
        if not perms.can(request.user, action_name, StackSource):
            raise PermissionDenied(perms.describe_requirement(StackSource, action_name))
        return True

    def has_object_permission(self, request, view, obj):
        editing = request.method not in permissions.SAFE_METHODS and view.action != "refresh"
        if editing and obj.kind != StackSource.Kind.GIT:
            raise PermissionDenied(
                "Folder sources are set up on the server (python manage.py stacks sync)."
            )
        return True


class StackSourceSerializer(ModelCleanSerializer):
    credential = VisibleRelatedField(
        queryset=Credential.objects.all(),
        allow_null=True,
        required=False,
        help_text="Id of a git credential, for a private repository; null for none.",
    )
    credential_name = serializers.SerializerMethodField()

    class Meta:
        model = StackSource
        fields = [
            "id",
            "name",
            "kind",
            "location",
            "branch",
            "subdir",
            "credential",
            "credential_name",
            "refresh_minutes",
            "published",
            "last_refreshed",
            "last_error",
            "refresh_started",
        ]
        read_only_fields = ["kind", "last_refreshed", "last_error", "refresh_started"]

    def get_credential_name(self, source) -> str | None:
        return f"{source.credential.team} / {source.credential}" if source.credential else None

    def validate(self, attrs):
        attrs = super().validate(attrs)
        current = self.instance
        try:
            visibility.check_source_credential(
                self.context["request"].user,
                attrs.get("credential", current.credential if current else None),
                attrs.get("location", current.location if current else None),
                current,
            )
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.message_dict) from None
        return attrs


class StackSourceViewSet(viewsets.ModelViewSet):
    """Catalog sources; creating or changing one queues a refresh."""

    queryset = StackSource.objects.select_related("credential__team")
    serializer_class = StackSourceSerializer
    permission_classes = [CuratorPermission]

    def perform_create(self, serializer):
        with transaction.atomic():
            source = serializer.save(kind=StackSource.Kind.GIT)
            queue_refresh(source.pk)

    def perform_update(self, serializer):
        with transaction.atomic():
            queue_refresh(serializer.save().pk)

    def perform_destroy(self, instance):
        try:
            instance.delete()
        except ProtectedError as error:
            raise Conflict(protected_message(instance, error)) from None

    @extend_schema(request=None, responses={202: dict})
    @action(detail=True, methods=["post"])
    def refresh(self, request, pk=None):
        """Queue a refresh (fetch, snapshot and validate new versions) in the worker."""
        source = self.get_object()
        with transaction.atomic():
            recorder.record("refresh", source, actor=request.user)
            queue_refresh(source.pk)
        return Response({"queued": True}, status=status.HTTP_202_ACCEPTED)
