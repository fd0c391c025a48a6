"""/api/v1/credentials/: material is write-only; reads return metadata only."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied

from portal.accounts import permissions as perms
from portal.accounts.models import Team
from portal.core.api import ModelCleanSerializer, TeamScopedViewSet, VisibleRelatedField
from portal.credentials.models import BIND, Credential, with_environments
from portal.credentials.services import bind_environments, save_credential
from portal.credentials.types import UnknownKindError, credential_types, get_type
from portal.projects.models import Environment


class CredentialSerializer(ModelCleanSerializer):
    parent_field = "team"
    team = VisibleRelatedField(queryset=Team.objects.all())
    kind = serializers.ChoiceField(choices=[])
    material = serializers.DictField(
        write_only=True,
        required=False,
        help_text="Field name to value (see the kind's fields). On update, fields left out "
        "keep their value, as do empty secret fields; null clears an optional field. "
        "Never returned.",
    )
    environments = VisibleRelatedField(
        queryset=Environment.objects.select_related("project__team"), many=True, required=False
    )
    created_by = serializers.StringRelatedField()
    updated_by = serializers.StringRelatedField()

    class Meta:
        model = Credential
        fields = [
            "id",
            "team",
            "name",
            "kind",
            "description",
            "material",
            "fingerprint",
            "field_names",
            "environments",
            "created_by",
            "created",
            "updated_by",
            "updated",
        ]
        read_only_fields = ["fingerprint", "field_names", "created", "updated"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(kind, t.label) for kind, t in credential_types().items()]

    def validate(self, attrs):
        material = attrs.pop("material", None)
        environments = attrs.pop("environments", None)
        attrs = super().validate(attrs)
        if (
            self.instance is not None
            and attrs.get("kind", self.instance.kind) != self.instance.kind
        ):
            raise serializers.ValidationError({"kind": "This cannot be changed after creation."})
        if self.instance is None and material is None:
            raise serializers.ValidationError({"material": "This field is required."})
        if material is not None:
            current = self.instance.material() if self.instance is not None else {}
            try:
                credential_type = get_type(attrs.get("kind") or self.instance.kind)
            except UnknownKindError as error:
                raise serializers.ValidationError({"kind": str(error)}) from None
            try:
                attrs["material"] = credential_type.update(current, material)
            except DjangoValidationError as error:
                raise serializers.ValidationError({"material": error.message_dict}) from None
        if environments is not None:
            team = attrs.get("team") or self.instance.team
            candidate = Credential(team=team)
            try:
                candidate.check_environments(environments)
            except DjangoValidationError as error:
                raise serializers.ValidationError(error.message_dict) from None
            attrs["environments"] = environments
        return attrs

    def save(self, **kwargs):
        user = self.context["request"].user
        material = self.validated_data.pop("material", None)
        environments = self.validated_data.pop("environments", None)
        credential = self.instance or Credential()
        for name, value in self.validated_data.items():
            setattr(credential, name, value)
        with transaction.atomic():
            save_credential(credential, material, user)
            if environments is not None:
                if not perms.can(user, BIND, credential):
                    raise PermissionDenied(perms.describe_requirement(credential, BIND))
                bind_environments(credential, environments)
        self.instance = credential
        return credential


class CredentialViewSet(TeamScopedViewSet):
    queryset = (
        Credential.objects.select_related("team", "created_by", "updated_by")
        .prefetch_related(with_environments())
        .order_by("team__name", "name")
    )
    serializer_class = CredentialSerializer
    parent_field = "team"
