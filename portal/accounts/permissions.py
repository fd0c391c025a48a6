"""Who may do what: the single place where Plateau decides access.

Every page, API endpoint and form goes through these functions. Objects belong to a team
(a model says how to reach it with ``permission_team_path``); a user's role in that team
must reach the minimum the policy sets for the action. Django superusers ("admins" in
the docs) may do everything. An object the user may not *view* is treated as absent, so
callers answer 404 rather than revealing that it exists.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404

from portal.accounts.roles import ROLE_RANK, Role, role_at_least

VIEW, ADD, CHANGE, DELETE = "view", "add", "change", "delete"
ACTIONS = (VIEW, ADD, CHANGE, DELETE)

SUPERUSER_ONLY = None

# Minimum team role per model and action; SUPERUSER_ONLY keeps an action for admins.
POLICY: dict[str, dict[str, str | None]] = {
    "accounts.team": {
        VIEW: Role.VIEWER,
        ADD: SUPERUSER_ONLY,
        CHANGE: Role.ADMIN,
        DELETE: SUPERUSER_ONLY,
    },
    "accounts.membership": {
        VIEW: Role.VIEWER,
        ADD: Role.ADMIN,
        CHANGE: Role.ADMIN,
        DELETE: Role.ADMIN,
    },
    "projects.project": {
        VIEW: Role.VIEWER,
        ADD: Role.DEVELOPER,
        CHANGE: Role.DEVELOPER,
        DELETE: Role.PLATFORM_ENGINEER,
    },
    "projects.environment": {
        VIEW: Role.VIEWER,
        ADD: Role.PLATFORM_ENGINEER,
        CHANGE: Role.PLATFORM_ENGINEER,
        DELETE: Role.PLATFORM_ENGINEER,
    },
    "audit.auditevent": {
        VIEW: Role.ADMIN,
        ADD: SUPERUSER_ONLY,
        CHANGE: SUPERUSER_ONLY,
        DELETE: SUPERUSER_ONLY,
    },
}


class TeamOwned:
    """Mixin for models whose objects belong to a team. ``permission_team_path`` is the
    lookup from the model to its team's id: querysets are scoped with it (``scope``) and
    one object's team is found by following it (``owning_team_id``)."""

    permission_team_path: str

    @property
    def owning_team_id(self) -> int | None:
        value = self
        for name in self.permission_team_path.split("__"):
            value = getattr(value, name)
            if value is None:
                return None
        return value


def register_policy(model_label: str, rules: dict[str, str | None]) -> None:
    """Later apps (catalog, deployments, ...) declare their rules here."""
    POLICY[model_label] = rules


def _label(model: type[Model] | Model) -> str:
    return model._meta.label_lower


def required_role(model, action: str) -> str | None:
    try:
        return POLICY[_label(model)][action]
    except KeyError:
        raise PermissionDenied(f"No permission policy for {_label(model)}.{action}") from None


def roles_by_team(user) -> dict[int, str]:
    """The user's role in each of their teams, loaded once per user object (per request)."""
    if not user.is_authenticated:
        return {}
    cached = getattr(user, "_plateau_roles", None)
    if cached is None:
        from portal.accounts.models import Membership

        cached = dict(Membership.objects.filter(user=user).values_list("team_id", "role"))
        user._plateau_roles = cached
    return cached


def forget_roles(user) -> None:
    user.__dict__.pop("_plateau_roles", None)


def team_ids_allowing(user, model, action: str) -> list[int]:
    minimum = required_role(model, action)
    if minimum is None:
        return []
    return [team for team, role in roles_by_team(user).items() if role_at_least(role, minimum)]


def can(user, action: str, obj_or_model, team_id: int | None = None) -> bool:
    """May ``user`` do ``action`` on an object, or (with ``team_id``) add one to that team?"""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    minimum = required_role(obj_or_model, action)
    if minimum is None:
        return False
    if team_id is None:
        if isinstance(obj_or_model, type):
            # "Could this user do it in any team?" (e.g. to show a "New" button).
            return bool(team_ids_allowing(user, obj_or_model, action))
        team_id = obj_or_model.owning_team_id
    return role_at_least(roles_by_team(user).get(team_id), minimum)


def scope(user, queryset: QuerySet, action: str = VIEW) -> QuerySet:
    """Only the objects of ``queryset`` that ``user`` may ``action``."""
    if user.is_authenticated and user.is_active and user.is_superuser:
        return queryset
    if not user.is_authenticated or not user.is_active:
        return queryset.none()
    model = queryset.model
    lookup = f"{model.permission_team_path}__in"
    return queryset.filter(**{lookup: team_ids_allowing(user, model, action)})


def get_for(user, queryset: QuerySet, action: str = VIEW, **lookup) -> Model:
    """Fetch one object for ``action``: 404 when the user may not see it at all, 403 when
    they see it but may not do ``action``."""
    try:
        obj = scope(user, queryset, VIEW).get(**lookup)
    except queryset.model.DoesNotExist:
        raise Http404(f"No {queryset.model._meta.verbose_name} matches the given query.") from None
    if action != VIEW and not can(user, action, obj):
        raise PermissionDenied(describe_requirement(obj, action))
    return obj


def describe_requirement(obj_or_model, action: str) -> str:
    minimum = required_role(obj_or_model, action)
    noun = obj_or_model._meta.verbose_name
    if minimum is None:
        return f"Only administrators may {action} a {noun}."
    return f"You need the {Role(minimum).label.lower()} role in the team to {action} this {noun}."


def highest_role(user) -> str | None:
    roles = roles_by_team(user).values()
    return max(roles, key=lambda role: ROLE_RANK[Role(role)], default=None)
