"""Who sees what in the catalog: the one place pages and API ask.

The catalog is not owned by a team the way projects are: every signed-in user browses
it. Developers and viewers see the stacks whose latest version is valid and still
offered, from published sources, and only valid versions. Curators (platform engineers
of any team, team admins and superusers) see every stack and version with the
validation reports, and manage the sources. Anything a user may not see answers 404.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import OuterRef, QuerySet, Subquery
from django.http import Http404

from portal.accounts import permissions as perms
from portal.accounts.roles import Role, role_at_least
from portal.catalog.models import GIT_CREDENTIAL_KIND, Stack, StackSource, StackVersion
from portal.credentials.models import BIND, Credential
from portal.projects.models import Environment

SOURCE_POLICY = {
    perms.VIEW: Role.PLATFORM_ENGINEER,
    perms.ADD: Role.PLATFORM_ENGINEER,
    perms.CHANGE: Role.PLATFORM_ENGINEER,
    perms.DELETE: Role.PLATFORM_ENGINEER,
}
# The role a user needs in an environment's team to deploy there.
DEPLOY_ROLE = Role.DEVELOPER


def is_curator(user) -> bool:
    """Platform engineers in any team see the whole catalog and manage its sources."""
    return perms.can(user, perms.CHANGE, StackSource)


def check_curator(user, action: str = perms.CHANGE) -> None:
    if not perms.can(user, action, StackSource):
        raise PermissionDenied(perms.describe_requirement(StackSource, action))


def usable_source_credentials(user, current=None) -> QuerySet[Credential]:
    """Git credentials ``user`` may give a source: those they may bind, and the one the
    source already has."""
    usable = perms.scope(user, Credential.objects.filter(kind=GIT_CREDENTIAL_KIND), BIND)
    if current is not None:
        usable = usable | Credential.objects.filter(pk=current.pk)
    return usable.select_related("team").order_by("team__name", "name")


def check_source_credential(user, credential, location: str, original=None) -> None:
    """A source sends its credential to its URL. So giving a source a credential, or
    pointing a source that has one at another URL, needs the right to bind that
    credential (platform engineer in its team): a curator of another team must not be
    able to send it to a server of their choosing."""
    if credential is None:
        return
    unchanged = (
        original is not None
        and original.credential_id == credential.pk
        and original.location == location
    )
    if not unchanged and not perms.can(user, BIND, credential):
        raise ValidationError(
            {
                "credential": f"Only a platform engineer of the team {credential.team} may "
                f"give a source the credential {credential}, or change the URL of a source "
                "that uses it."
            }
        )


def visible_stacks(user) -> QuerySet[Stack]:
    stacks = Stack.objects.select_related("team", "source", "latest_version")
    if not (user.is_authenticated and user.is_active):
        return stacks.none()
    if is_curator(user):
        newest = StackVersion.objects.filter(stack=OuterRef("pk")).order_by("-first_seen", "-id")
        return stacks.annotate(newest_status=Subquery(newest.values("status")[:1]))
    return stacks.filter(
        source__published=True,
        latest_version__status=StackVersion.Status.VALID,
        latest_version__gone=False,
    )


def visible_versions(user) -> QuerySet[StackVersion]:
    versions = StackVersion.objects.filter(stack__in=visible_stacks(user)).select_related("stack")
    if is_curator(user):
        return versions
    return versions.filter(status=StackVersion.Status.VALID)


def get_stack(user, slug: str) -> Stack:
    try:
        return visible_stacks(user).get(slug=slug)
    except Stack.DoesNotExist:
        raise Http404("No stack matches the given query.") from None


def get_version(user, stack: Stack, pk: int) -> StackVersion:
    try:
        return visible_versions(user).get(stack=stack, pk=pk)
    except StackVersion.DoesNotExist:
        raise Http404("No stack version matches the given query.") from None


def is_usable(version: StackVersion) -> bool:
    """Values can be checked against it: it passed validation."""
    return version.status == StackVersion.Status.VALID


def is_deployable(version: StackVersion) -> bool:
    """New deployments may use it: valid and still offered by its source (deployments of
    a gone version keep working, but no new one starts from it)."""
    return is_usable(version) and not version.gone


def deploy_environments(user) -> QuerySet[Environment]:
    environments = Environment.objects.select_related("project__team").order_by(
        "project__team__name", "project__name", "name"
    )
    if user.is_authenticated and user.is_active and user.is_superuser:
        return environments
    teams = [
        team for team, role in perms.roles_by_team(user).items() if role_at_least(role, DEPLOY_ROLE)
    ]
    return environments.filter(project__team_id__in=teams)


def check_can_deploy(user) -> None:
    if not deploy_environments(user).exists():
        raise PermissionDenied(
            f"You need the {DEPLOY_ROLE.label.lower()} role in a team with an environment "
            "to deploy a stack."
        )
