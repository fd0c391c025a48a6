from django.contrib.auth import get_user_model
from rest_framework import serializers

from portal.accounts.models import Membership, Team
from portal.core.api import ModelCleanSerializer, TeamScopedViewSet, VisibleRelatedField


class TeamSerializer(ModelCleanSerializer):
    class Meta:
        model = Team
        fields = ["id", "name", "slug", "description", "created", "updated"]


class MembershipSerializer(ModelCleanSerializer):
    parent_field = "team"
    team = VisibleRelatedField(queryset=Team.objects.all())
    user = serializers.SlugRelatedField(
        slug_field="username", queryset=get_user_model().objects.filter(is_active=True)
    )

    class Meta:
        model = Membership
        fields = ["id", "team", "user", "role", "created"]

    def validate(self, attrs):
        attrs = super().validate(attrs)
        if self.instance is not None and "user" in attrs and attrs["user"] != self.instance.user:
            raise serializers.ValidationError({"user": "This cannot be changed after creation."})
        team, user = attrs.get("team"), attrs.get("user")
        if self.instance is None and Membership.objects.filter(team=team, user=user).exists():
            raise serializers.ValidationError({"user": f"{user} is already a member of {team}."})
        return attrs


class TeamViewSet(TeamScopedViewSet):
    queryset = Team.objects.order_by("name")
    serializer_class = TeamSerializer


class MembershipViewSet(TeamScopedViewSet):
    queryset = Membership.objects.select_related("user", "team").order_by("team__name", "id")
    serializer_class = MembershipSerializer
    parent_field = "team"
