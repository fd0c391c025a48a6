from rest_framework import mixins, serializers, viewsets
from rest_framework.exceptions import ValidationError

from portal.audit.filters import filtered_events
from portal.audit.models import AuditEvent


class AuditEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "created",
            "actor_name",
            "action",
            "object_type",
            "object_id",
            "object_repr",
            "team_id",
            "changes",
            "remote_addr",
        ]


class AuditEventViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The audit trail, newest first. Filters: actor, action, object_type, object_id,
    since, until (dates). Admins see every event; team admins their teams' events."""

    serializer_class = AuditEventSerializer
    queryset = AuditEvent.objects.all()

    def get_queryset(self):
        form, events = filtered_events(self.request.user, self.request.query_params)
        if self.action == "list" and not form.is_valid():
            raise ValidationError({field: list(errors) for field, errors in form.errors.items()})
        return events
