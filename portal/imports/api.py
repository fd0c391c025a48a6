"""/api/v1/imports/: start an import, follow it, download its Terraform and its map.

Starting goes through the page's forms (``portal.imports.forms``), so the API refuses
exactly what the page refuses, with the same messages per field."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response

from iac.hcl import zip_files
from portal.accounts import permissions as perms
from portal.imports import maps
from portal.imports.forms import FORMS
from portal.imports.models import ImportJob


class ImportJobSerializer(serializers.ModelSerializer):
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    files = serializers.SerializerMethodField()
    draft_version = serializers.StringRelatedField()
    published_version = serializers.StringRelatedField()

    class Meta:
        model = ImportJob
        fields = [
            "id",
            "project",
            "environment",
            "credential",
            "importer",
            "regions",
            "endpoint_url",
            "include_types",
            "exclude_types",
            "tags",
            "state_filename",
            "status",
            "progress",
            "counts",
            "skipped",
            "failures",
            "notes",
            "error",
            "files",
            "estimate",
            "draft_version",
            "published_version",
            "created_by",
            "created",
            "started",
            "finished",
        ]
        read_only_fields = fields

    def get_files(self, job) -> list[str]:
        return sorted(job.files)


class _Download(BaseRenderer):
    """Passes the text or bytes of a download through."""

    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data


class ZipRenderer(_Download):
    media_type, format, charset = "application/zip", "zip", None


class SvgRenderer(_Download):
    media_type, format = "image/svg+xml", "svg"


class DotRenderer(_Download):
    media_type, format = "text/vnd.graphviz", "dot"


class MermaidRenderer(_Download):
    media_type, format = "text/vnd.mermaid", "mermaid"


class ImportJobViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    queryset = ImportJob.objects.select_related(
        "project", "created_by", "draft_version__stack", "published_version__stack"
    )
    serializer_class = ImportJobSerializer

    def get_queryset(self):
        return perms.scope(self.request.user, self.queryset.all())

    @extend_schema(
        request={
            "application/json": OpenApiTypes.OBJECT,
            "multipart/form-data": OpenApiTypes.OBJECT,
        },
        responses={201: ImportJobSerializer},
        description="Start an import. `importer` is `aws` (JSON: `environment`, `regions`, "
        "`endpoint_url`, `include_types`, `exclude_types`, `tags` as `{key: value}`) or "
        "`tfstate` (multipart: `project`, optional `environment`, `state_file`).",
    )
    def create(self, request):
        name = request.data.get("importer")
        if name not in FORMS:
            raise ValidationError({"importer": [f"Choose one of: {', '.join(sorted(FORMS))}."]})
        if not perms.can(request.user, perms.ADD, ImportJob):
            raise PermissionDenied(perms.describe_requirement(ImportJob, perms.ADD))
        form = FORMS[name](request.data, request.FILES, user=request.user)
        if not form.is_valid():
            if form.forbidden:
                raise PermissionDenied(perms.describe_requirement(ImportJob, perms.ADD))
            errors = {
                "non_field_errors" if field == "__all__" else field: list(messages)
                for field, messages in form.errors.items()
            }
            raise ValidationError(errors)
        job = form.start()
        return Response(self.get_serializer(job).data, status=status.HTTP_201_CREATED)

    def handle_exception(self, exc):
        if self.action in ("archive", "map"):
            # Errors answer in JSON, whatever the download format asked for.
            self.request.accepted_renderer = JSONRenderer()
            self.request.accepted_media_type = JSONRenderer.media_type
        return super().handle_exception(exc)

    def _result(self) -> ImportJob:
        job = self.get_object()
        if job.status != ImportJob.Status.SUCCEEDED:
            raise NotFound(f"{job} has no result: it is {job.get_status_display().lower()}.")
        return job

    @extend_schema(responses={(200, "application/zip"): OpenApiTypes.BINARY})
    @action(detail=True, renderer_classes=[ZipRenderer])
    def archive(self, request, pk=None):
        """The generated Terraform folder as a zip."""
        job = self._result()
        return Response(
            zip_files(job.files),
            headers={"Content-Disposition": f'attachment; filename="import-{job.pk}.zip"'},
        )

    @extend_schema(
        parameters=[
            OpenApiParameter("format", str, enum=list(maps.FORMATS), description="svg by default")
        ],
        responses={(200, "image/svg+xml"): OpenApiTypes.STR},
    )
    @action(detail=True, renderer_classes=[SvgRenderer, DotRenderer, MermaidRenderer])
    def map(self, request, pk=None):
        """The infrastructure map: `?format=svg` (default), `dot` or `mermaid`."""
        job = self._result()
        return Response(maps.render(job.graph, request.accepted_renderer.format))
