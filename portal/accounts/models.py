from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.urls import reverse

from portal.accounts.permissions import TeamOwned
from portal.accounts.roles import Role

slug_validator = RegexValidator(
    r"^[a-z0-9]([a-z0-9-]{0,48}[a-z0-9])?$",
    "Use 1 to 50 lowercase letters, digits and inner hyphens (e.g. payments-team).",
)


class Team(TeamOwned, models.Model):
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=50, unique=True, validators=[slug_validator])
    description = models.TextField(blank=True)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Membership", related_name="teams"
    )

    permission_team_path = "id"

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("accounts:team_detail", args=[self.pk])


class Membership(TeamOwned, models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=32, choices=Role.choices, default=Role.DEVELOPER)
    created = models.DateTimeField(auto_now_add=True)

    permission_team_path = "team_id"

    class Meta:
        ordering = ["team__name", "user__username"]
        constraints = [
            models.UniqueConstraint(fields=["team", "user"], name="one_membership_per_team")
        ]

    def __str__(self):
        return f"{self.user} in {self.team} as {self.get_role_display()}"

    def get_absolute_url(self):
        return reverse("accounts:team_detail", args=[self.team_id])
