import hashlib
import hmac
import json
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Prefetch
from django.urls import reverse

from portal.accounts.models import Team, slug_validator
from portal.accounts.permissions import TeamOwned
from portal.credentials import crypto
from portal.credentials.types import UnknownKindError, get_type
from portal.projects.models import Environment

BIND = "bind"  # permission action: choose the environments that may use a credential


class Credential(TeamOwned, models.Model):
    """Secret material of one registered type, encrypted at rest, bound to environments.

    ``ciphertext`` holds every field, secret or not, encrypted together with a random
    salt. The fingerprint is an HMAC of the material under that salt: it changes when the
    material changes, yet cannot be used to test guesses of a short password, since the
    salt is only inside the ciphertext.
    """

    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="credentials")
    name = models.CharField(
        max_length=50,
        validators=[slug_validator],
        help_text="Stacks refer to it by this name, e.g. prod-db-admin.",
    )
    kind = models.CharField(max_length=50)
    description = models.TextField(blank=True)
    ciphertext = models.BinaryField(editable=False)
    fingerprint = models.CharField(max_length=12, editable=False)
    field_names = models.JSONField(default=list, editable=False)
    environments = models.ManyToManyField(Environment, blank=True, related_name="credentials")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    permission_team_path = "team_id"

    class Meta:
        ordering = ["team__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["team", "name"], name="credential_name_unique_in_team")
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("credentials:credential_detail", args=[self.pk])

    @property
    def kind_label(self) -> str:
        try:
            return get_type(self.kind).label
        except UnknownKindError:
            return f"{self.kind} (no plugin provides it)"

    def environment_names(self) -> str:
        return ", ".join(str(environment) for environment in self.environments.all())

    def _envelope(self) -> dict:
        return json.loads(crypto.decrypt(self.ciphertext))

    def material(self) -> dict:
        """The decrypted fields: for runs and for prefilling non-secret form fields only."""
        return self._envelope()["fields"] if self.ciphertext else {}

    def set_material(self, material: dict) -> None:
        salt = self._envelope()["salt"] if self.ciphertext else secrets.token_hex(16)
        canonical = json.dumps(material, sort_keys=True, separators=(",", ":"))
        digest = hmac.new(bytes.fromhex(salt), canonical.encode(), hashlib.sha256)
        self.fingerprint = digest.hexdigest()[:12]
        self.ciphertext = crypto.encrypt(json.dumps({"fields": material, "salt": salt}).encode())
        self.field_names = get_type(self.kind).field_names(material)

    def check_environments(self, environments) -> None:
        """Only environments of the credential's own team may use it."""
        foreign = [str(env) for env in environments if env.project.team_id != self.team_id]
        if foreign:
            raise ValidationError(
                {
                    "environments": f"{', '.join(foreign)}: only environments of the team "
                    f"{self.team.name} can use this credential."
                }
            )


def with_environments() -> Prefetch:
    """Bound environments in one query for a whole list of credentials."""
    return Prefetch(
        "environments", queryset=Environment.objects.select_related("project").order_by("pk")
    )
