from django.conf import settings
from django.db import models

from portal.accounts.permissions import TeamOwned


class AuditEvent(TeamOwned, models.Model):
    created = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    # Kept as text so the trail still says who it was after the user is deleted.
    actor_name = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=40, db_index=True)
    object_type = models.CharField(max_length=100, blank=True, db_index=True)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=200, blank=True)
    # A plain id, not a foreign key: a deleted team must keep its history.
    team_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    changes = models.JSONField(default=dict, blank=True)
    remote_addr = models.GenericIPAddressField(null=True, blank=True)

    permission_team_path = "team_id"

    class Meta:
        ordering = ["-created", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self):
        return f"{self.actor_name or 'system'} {self.action} {self.object_type} {self.object_repr}"

    def as_log_record(self) -> dict:
        return {
            "id": self.pk,
            "created": self.created.isoformat() if self.created else None,
            "actor": self.actor_name,
            "action": self.action,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "object_repr": self.object_repr,
            "team_id": self.team_id,
            "changes": self.changes,
            "remote_addr": self.remote_addr,
        }
