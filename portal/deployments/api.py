"""/api/v1/deployments/ and /api/v1/runs/: the same services and permissions as the pages."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from portal.accounts import permissions as perms
from portal.catalog.models import Stack
from portal.core.api import Conflict, VisibleRelatedField
from portal.deployments import logs, services
from portal.deployments.models import Deployment, LogLine, Run, RunStep
from portal.projects.models import Environment


class RunStepSerializer(serializers.ModelSerializer):
    class Meta:
        model = RunStep
        fields = ["index", "name", "title", "engine", "status", "summary", "changes", "has_changes"]


class RunSerializer(serializers.ModelSerializer):
    steps = RunStepSerializer(many=True, read_only=True)
    requested_by = serializers.StringRelatedField()
    approved_by = serializers.StringRelatedField()
    rejected_by = serializers.StringRelatedField()

    class Meta:
        model = Run
        fields = [
            "id",
            "deployment",
            "kind",
            "status",
            "values",
            "requested_by",
            "approved_by",
            "rejected_by",
            "review_comment",
            "summary",
            "error",
            "cancel_requested",
            "created",
            "started",
            "finished",
            "steps",
        ]


class DeploymentSerializer(serializers.ModelSerializer):
    stack = serializers.CharField(source="stack_version.stack.slug", read_only=True)
    version = serializers.CharField(source="stack_version.name", read_only=True)
    outputs = serializers.SerializerMethodField()

    class Meta:
        model = Deployment
        fields = [
            "id",
            "name",
            "environment",
            "stack",
            "version",
            "status",
            "values",
            "outputs",
            "locked_by_run",
            "created",
            "updated",
        ]

    def get_outputs(self, deployment) -> dict:
        return services.masked_outputs(deployment)


class DeploymentCreateSerializer(serializers.Serializer):
    environment = VisibleRelatedField(queryset=Environment.objects.select_related("project"))
    stack = serializers.SlugField(help_text="The stack's slug in the catalog.")
    version = serializers.CharField(
        required=False, help_text="A version name; the stack's latest valid one by default."
    )
    name = serializers.CharField(max_length=53)
    values = serializers.DictField(required=False, default=dict)

    def validate(self, attrs):
        stack = Stack.objects.filter(slug=attrs["stack"]).first()
        if stack is None:
            raise ValidationError({"stack": [f"no stack {attrs['stack']!r} in the catalog"]})
        if attrs.get("version"):
            version = stack.versions.filter(name=attrs["version"]).first()
            if version is None:
                raise ValidationError(
                    {"version": [f"{stack.slug} has no version {attrs['version']!r}"]}
                )
        else:
            version = stack.latest_version
            if version is None:
                raise ValidationError({"stack": [f"{stack.slug} has no valid version"]})
        attrs["stack_version"] = version
        return attrs


class ValuesSerializer(serializers.Serializer):
    values = serializers.DictField(default=dict)
    kind = serializers.ChoiceField(choices=["plan", "apply"], default="apply")


class ReviewSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class LogLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = LogLine
        fields = ["seq", "step_index", "level", "text", "payload", "created"]


def _service_call(call, *args, **kwargs):
    try:
        return call(*args, **kwargs)
    except services.InvalidRequest as invalid:
        raise ValidationError(invalid.errors) from None
    except services.RunConflict as conflict:
        raise Conflict(str(conflict)) from None
    except DjangoPermissionDenied as denied:
        raise PermissionDenied(str(denied)) from None


class DeploymentViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Deploy stacks, run plan / apply / destroy, read outputs."""

    queryset = Deployment.objects.select_related(
        "environment__project", "stack_version__stack"
    ).order_by("pk")
    serializer_class = DeploymentSerializer

    def get_queryset(self):
        return perms.scope(self.request.user, self.queryset.all())

    def get_serializer_class(self):
        if self.action == "create":
            return DeploymentCreateSerializer
        if self.action == "update_values":
            return ValuesSerializer
        return DeploymentSerializer

    @extend_schema(request=DeploymentCreateSerializer, responses={201: RunSerializer})
    def create(self, request, *args, **kwargs):
        """Create a deployment; its first run (plan, then apply) is queued and returned."""
        incoming = DeploymentCreateSerializer(data=request.data, context={"request": request})
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        _, run = _service_call(
            services.create_deployment,
            user=request.user,
            environment=data["environment"],
            stack_version=data["stack_version"],
            name=data["name"],
            values=data["values"],
        )
        return Response(RunSerializer(run).data, status=status.HTTP_201_CREATED)

    def _start(self, request, start=services.start_run, **options):
        deployment = self.get_object()
        run = _service_call(start, deployment, user=request.user, **options)
        return Response(RunSerializer(run).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={201: RunSerializer})
    @action(detail=True, methods=["post"])
    def plan(self, request, pk=None):
        return self._start(request, kind=Run.Kind.PLAN)

    @extend_schema(request=None, responses={201: RunSerializer})
    @action(detail=True, methods=["post"])
    def apply(self, request, pk=None):
        return self._start(request, kind=Run.Kind.APPLY)

    @extend_schema(request=None, responses={201: RunSerializer})
    @action(detail=True, methods=["post"], url_path="destroy")
    def destroy_infrastructure(self, request, pk=None):
        # Not named "destroy": DRF would route that to DELETE, which deletes nothing here.
        return self._start(request, kind=Run.Kind.DESTROY)

    @extend_schema(request=None, responses={201: RunSerializer})
    @action(detail=True, methods=["post"], url_path="check-drift")
    def check_drift(self, request, pk=None):
        """Queue a drift check now: a plan-only run compared with what was applied."""
        return self._start(request, services.check_drift)

    @extend_schema(request=ValuesSerializer, responses={201: RunSerializer})
    @action(detail=True, methods=["post"], url_path="update")
    def update_values(self, request, pk=None):
        """New values: a plan run (kind plan) or a plan-then-apply run (kind apply)."""
        deployment = self.get_object()
        incoming = ValuesSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        run = _service_call(
            services.update_deployment,
            deployment,
            user=request.user,
            values=incoming.validated_data["values"],
            kind=incoming.validated_data["kind"],
        )
        return Response(RunSerializer(run).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[OpenApiParameter("reveal", bool, description="Show sensitive outputs.")],
        responses={200: dict},
    )
    @action(detail=True, methods=["get"])
    def outputs(self, request, pk=None):
        """Outputs; sensitive ones are null unless ``?reveal=1`` (audited)."""
        deployment = self.get_object()
        if request.query_params.get("reveal") in ("1", "true"):
            return Response(_service_call(services.reveal_outputs, deployment, user=request.user))
        return Response(services.masked_outputs(deployment))

    def check_object_permissions(self, request, obj):
        # Actions that change something need the change role; reading needs view.
        if not perms.can(request.user, perms.VIEW, obj):
            raise PermissionDenied(perms.describe_requirement(obj, perms.VIEW))


class RunViewSet(viewsets.ReadOnlyModelViewSet):
    """Runs: read them, their log after a cursor; approve, reject or cancel them."""

    queryset = Run.objects.select_related(
        "deployment__environment__project", "requested_by", "approved_by", "rejected_by"
    ).prefetch_related("steps")
    serializer_class = RunSerializer

    def get_queryset(self):
        queryset = perms.scope(self.request.user, self.queryset.all())
        deployment = self.request.query_params.get("deployment")
        if deployment and deployment.isdigit():
            queryset = queryset.filter(deployment_id=int(deployment))
        return queryset

    def check_object_permissions(self, request, obj):
        if not perms.can(request.user, perms.VIEW, obj):
            raise PermissionDenied(perms.describe_requirement(obj, perms.VIEW))

    def _review(self, request, decide):
        review = ReviewSerializer(data=request.data)
        review.is_valid(raise_exception=True)
        run = _service_call(decide, self.get_object(), user=request.user, **review.validated_data)
        return Response(RunSerializer(run).data)

    @extend_schema(request=ReviewSerializer, responses={200: RunSerializer})
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._review(request, services.approve)

    @extend_schema(request=ReviewSerializer, responses={200: RunSerializer})
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self._review(request, services.reject)

    @extend_schema(request=None, responses={200: RunSerializer})
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        run = _service_call(services.cancel, self.get_object(), user=request.user)
        return Response(RunSerializer(run).data)

    @extend_schema(
        parameters=[
            OpenApiParameter("after", int, description="Lines with a seq above this."),
            OpenApiParameter("limit", int, description=f"At most {logs.PAGE_LINES}."),
        ],
        responses={200: LogLineSerializer(many=True)},
    )
    @action(detail=True, methods=["get"])
    def log(self, request, pk=None):
        run = self.get_object()
        try:
            after = max(int(request.query_params.get("after", 0)), 0)
            limit = min(
                max(int(request.query_params.get("limit", logs.PAGE_LINES)), 1), logs.PAGE_LINES
            )
        except ValueError:
            raise ValidationError({"after": ["must be an integer"]}) from None
        lines = logs.lines_after(run, after, limit)
        return Response(
            {
                "status": run.status,
                "finished": run.is_final,
                "next_after": lines[-1].seq if lines else after,
                "lines": LogLineSerializer(lines, many=True).data,
            }
        )
