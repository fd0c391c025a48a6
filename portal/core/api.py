"""The shared base of every API endpoint: authentication that feeds the audit trail,
the role-based permission class, and a viewset for team-owned objects.

The checks are the ones the pages use (``portal.accounts.permissions``): an object the
user may not view is simply not in the queryset (404); one they may view but not change
answers 403 with the role that is missing.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import ProtectedError
from rest_framework import serializers, viewsets
from rest_framework.exceptions import APIException, PermissionDenied

from portal.accounts import permissions as perms
from portal.core.deletion import protected_message


class VisibleRelatedField(serializers.PrimaryKeyRelatedField):
    """A foreign key that only accepts objects the requesting user can see, so that a
    foreign team's object is "does not exist" rather than a confirmation that it does."""

    def get_queryset(self):
        return perms.scope(self.context["request"].user, super().get_queryset())


class ModelCleanSerializer(serializers.ModelSerializer):
    """Runs the model's own ``clean()`` rules, so the API refuses what the forms refuse,
    and keeps an object's parent fixed after creation, as the forms do."""

    parent_field: str | None = None

    def validate(self, attrs):
        attrs = super().validate(attrs)
        parent_changed = (
            self.instance is not None
            and self.parent_field in attrs
            and attrs[self.parent_field] != getattr(self.instance, self.parent_field)
        )
        if parent_changed:
            raise serializers.ValidationError(
                {self.parent_field: "This cannot be changed after creation."}
            )
        candidate = self.Meta.model(
            **{
                field.attname: getattr(self.instance, field.attname)
                for field in self.Meta.model._meta.concrete_fields
            }
            if self.instance is not None
            else {}
        )
        for name, value in attrs.items():
            setattr(candidate, name, value)
        try:
            candidate.clean()
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.message_dict) from None
        return attrs


class TeamScopedViewSet(viewsets.ModelViewSet):
    """CRUD for a team-owned model: listing is scoped to the user's teams, creation
    checks the role in the parent's team."""

    parent_field: str | None = None

    def get_queryset(self):
        return perms.scope(self.request.user, self.queryset.all())

    def perform_create(self, serializer):
        model = serializer.Meta.model
        parent = serializer.validated_data.get(self.parent_field) if self.parent_field else None
        team_id = parent.owning_team_id if parent is not None else None
        allowed = (
            perms.can(self.request.user, perms.ADD, model, team_id=team_id)
            if team_id is not None
            else self.request.user.is_superuser
        )
        if not allowed:
            raise PermissionDenied(perms.describe_requirement(model, perms.ADD))
        serializer.save()

    def perform_destroy(self, instance):
        try:
            instance.delete()
        except ProtectedError as error:
            raise Conflict(protected_message(instance, error)) from None


class Conflict(APIException):
    status_code = 409
    default_code = "conflict"
