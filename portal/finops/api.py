"""API: the price book, its per-environment overrides, estimates of a stack version with
values (without deploying), run estimates, and the cost report."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from portal.accounts import permissions as perms
from portal.catalog.visibility import visible_versions
from portal.core.api import ModelCleanSerializer, TeamScopedViewSet, VisibleRelatedField
from portal.finops import budgets
from portal.finops.access import check_may_change_book
from portal.finops.models import PriceBook, PriceBookOverride, RunEstimate
from portal.finops.price_books import default_book
from portal.finops.stack_estimates import StackEstimateError, estimate_stack_version
from portal.projects.models import Environment

PRICE_FIELDS = ["currency", "vcpu_hour", "memory_gb_hour", "storage_gb_month", "country"]


class PriceBookSerializer(ModelCleanSerializer):
    class Meta:
        model = PriceBook
        fields = ["id", *PRICE_FIELDS, "storage_media", "note", "updated"]


class PriceBookViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """The on-premises price book (there is one). Every team member reads it; platform
    engineers change it."""

    serializer_class = PriceBookSerializer
    queryset = PriceBook.objects.all()

    def get_queryset(self):
        default_book()  # seeded on first use
        if not perms.can(self.request.user, perms.VIEW, PriceBook):
            return PriceBook.objects.none()
        return PriceBook.objects.order_by("pk")

    def perform_update(self, serializer):
        try:
            check_may_change_book(self.request.user)
        except DjangoPermissionDenied as denied:
            raise PermissionDenied(str(denied)) from None
        serializer.save()

    def check_object_permissions(self, request, obj):
        # The book has no team: visibility is the queryset, changes perform_update.
        return None


class PriceBookOverrideSerializer(ModelCleanSerializer):
    parent_field = "environment"
    environment = VisibleRelatedField(queryset=Environment.objects.all())

    class Meta:
        model = PriceBookOverride
        fields = ["id", "environment", *PRICE_FIELDS, "storage_media", "updated"]


class PriceBookOverrideViewSet(TeamScopedViewSet):
    """An environment's own prices; empty fields inherit the price book."""

    queryset = PriceBookOverride.objects.select_related("environment__project")
    serializer_class = PriceBookOverrideSerializer
    parent_field = "environment"


class EstimateRequestSerializer(serializers.Serializer):
    environment = VisibleRelatedField(queryset=Environment.objects.all())
    values = serializers.DictField(required=False, default=dict)


class StackVersionEstimateViewSet(viewsets.GenericViewSet):
    """Estimate a stack version with values in an environment, without deploying."""

    serializer_class = EstimateRequestSerializer

    def get_queryset(self):
        return visible_versions(self.request.user)

    @extend_schema(
        request=EstimateRequestSerializer,
        responses={
            200: inline_serializer(
                "Estimate", {"totalMonthlyCost": serializers.CharField()}, many=False
            )
        },
        description="The estimate JSON: Infracost's shape (projects, breakdown, "
        "totalMonthlyCost...) plus Plateau's carbon section (docs/estimation.md).",
    )
    @action(detail=True, methods=["post"])
    def estimate(self, request, pk=None):
        version = get_object_or_404(self.get_queryset(), pk=pk)
        body = EstimateRequestSerializer(data=request.data, context={"request": request})
        body.is_valid(raise_exception=True)
        environment = body.validated_data["environment"]
        try:
            result = estimate_stack_version(version, body.validated_data["values"], environment)
        except StackEstimateError as error:
            raise ValidationError(error.errors) from None
        return Response(result)


class RunEstimateSerializer(serializers.ModelSerializer):
    class Meta:
        model = RunEstimate
        fields = ["id", "run", "currency", "monthly_cost", "monthly_kgco2e", "created", "estimate"]


class RunEstimateViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Each run's estimate, with its diff against what was deployed; filter with ``?run=``
    or ``?deployment=``."""

    serializer_class = RunEstimateSerializer
    queryset = RunEstimate.objects.select_related("run__deployment__environment__project")

    def get_queryset(self):
        estimates = perms.scope(self.request.user, self.queryset.all())
        for parameter, lookup in (("run", "run_id"), ("deployment", "run__deployment_id")):
            value = self.request.query_params.get(parameter)
            if value is not None:
                if not value.isdigit():
                    raise ValidationError({parameter: "Give a number (an id)."})
                estimates = estimates.filter(**{lookup: int(value)})
        return estimates


class CostReportViewSet(viewsets.ViewSet):
    """The cost and carbon report: one row per environment the user may view, with its
    deployments' monthly cost (in its budget currency) and emissions as last applied, its
    budget and the share used. ``?team=<id>`` narrows it to one team."""

    @extend_schema(
        responses=inline_serializer(
            "CostReportRow",
            {column: serializers.JSONField() for column in budgets.REPORT_COLUMNS},
            many=True,
        )
    )
    def list(self, request):
        team = request.query_params.get("team")
        if team is not None and not team.isdigit():
            raise ValidationError({"team": "Give a number (a team id)."})
        rows = budgets.cost_report(request.user, int(team) if team else None)
        return Response([budgets.row_as_dict(row) for row in rows])
