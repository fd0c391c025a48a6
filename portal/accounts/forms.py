from django import forms
from django.contrib.auth import get_user_model

from portal.accounts.models import Membership, Team
from portal.core.generic import TeamScopedForm


class TeamForm(TeamScopedForm):
    class Meta:
        model = Team
        fields = ["name", "slug", "description"]


class MembershipForm(TeamScopedForm):
    parent_field = "team"

    class Meta:
        model = Membership
        fields = ["team", "user", "role"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = (
            get_user_model().objects.filter(is_active=True).order_by("username")
        )
        if self.instance.pk:
            self.fields["user"].disabled = True


class TokenForm(forms.Form):
    confirm = forms.BooleanField(
        required=True, label="Replace my current API token (scripts using it will stop working)"
    )
