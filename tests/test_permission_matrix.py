"""Every role against every action on every team-owned object, through the pages and
through the API. The expectations are written out here, independently of the policy
table in ``portal.accounts.permissions``, so a change to the policy must change them too.

Roles: a Django superuser ("root"), the four team roles, and an "outsider" who is a
developer in another team (so they can create things, just not here).
"""

import pytest
from django.urls import reverse

from portal.accounts.models import Membership, Team
from portal.projects.models import Environment, Project
from tests.factories import (
    EnvironmentFactory,
    MembershipFactory,
    ProjectFactory,
    TeamFactory,
    UserFactory,
)

ROLES = ["root", "admin", "platform_engineer", "developer", "viewer", "outsider"]
TEAM_ROLES = ["admin", "platform_engineer", "developer", "viewer"]

# Which roles may do what. Everyone in the team may view; outsiders may do nothing here.
ALLOWED = {
    "team": {"view": TEAM_ROLES, "change": ["admin"], "delete": [], "add": []},
    "membership": {
        "view": TEAM_ROLES,
        "change": ["admin"],
        "delete": ["admin"],
        "add": ["admin"],
    },
    "project": {
        "view": TEAM_ROLES,
        "change": ["admin", "platform_engineer", "developer"],
        "delete": ["admin", "platform_engineer"],
        "add": ["admin", "platform_engineer", "developer"],
    },
    "environment": {
        "view": TEAM_ROLES,
        "change": ["admin", "platform_engineer"],
        "delete": ["admin", "platform_engineer"],
        "add": ["admin", "platform_engineer"],
    },
}
# Superusers may do everything.
ALLOWED = {
    kind: {action: [*roles, "root"] for action, roles in rules.items()}
    for kind, rules in ALLOWED.items()
}


@pytest.fixture
def world(db):
    team = TeamFactory(slug="alpha", name="Alpha")
    other = TeamFactory(slug="beta", name="Beta")
    users = {"root": UserFactory(username="root", is_superuser=True, is_staff=True)}
    for role in TEAM_ROLES:
        users[role] = UserFactory(username=role)
        MembershipFactory(team=team, user=users[role], role=role)
    users["outsider"] = UserFactory(username="outsider")
    MembershipFactory(team=other, user=users["outsider"], role="developer")
    project = ProjectFactory(team=team, slug="shop", name="Shop")
    environment = EnvironmentFactory(project=project, name="dev")
    target_membership = MembershipFactory(team=team, user=UserFactory(username="extra"))
    return {
        "team": team,
        "other": other,
        "users": users,
        "project": project,
        "environment": environment,
        "membership": target_membership,
    }


def target(world, kind):
    if kind == "team":
        return world["team"]
    return world[kind]


EDIT_PAYLOADS = {
    "team": lambda w: {"name": "Alpha 2", "slug": "alpha", "description": "renamed"},
    "membership": lambda w: {
        "team": w["team"].pk,
        "user": w["membership"].user_id,
        "role": "viewer",
    },
    "project": lambda w: {"team": w["team"].pk, "name": "Shop 2", "slug": "shop"},
    "environment": lambda w: {
        "project": w["project"].pk,
        "name": "dev",
        "provider": "aws",
        "region": "eu-west-1",
        "residency": "any",
        "budget_currency": "EUR",
    },
}
NEW_PAYLOADS = {
    "team": lambda w: {"name": "Gamma", "slug": "gamma"},
    "membership": lambda w: {
        "team": w["team"].pk,
        "user": UserFactory(username="newbie").pk,
        "role": "viewer",
    },
    "project": lambda w: {"team": w["team"].pk, "name": "Blog", "slug": "blog"},
    "environment": lambda w: {
        "project": w["project"].pk,
        "name": "prod",
        "provider": "scaleway",
        "region": "fr-par",
        "residency": "eu",
        "budget_currency": "EUR",
    },
}
MODELS = {"team": Team, "membership": Membership, "project": Project, "environment": Environment}
URL_NAMES = {
    "team": "accounts:team",
    "membership": "accounts:membership",
    "project": "projects:project",
    "environment": "projects:environment",
}
API_PREFIX = {
    "team": "teams",
    "membership": "memberships",
    "project": "projects",
    "environment": "environments",
}


def expected_for_existing(kind, action, role, success):
    if role == "outsider":
        return 404
    return success if role in ALLOWED[kind][action] else 403


def clear_children_for_delete(world, kind):
    """Teams with projects and projects with environments are protected from deletion
    (tested in test_bad_input); empty them first."""
    if kind in ("team", "project"):
        Environment.objects.all().delete()
    if kind == "team":
        Project.objects.all().delete()


CASES = [(kind, role) for kind in MODELS for role in ROLES]


def case_id(case):
    return "-".join(case)


@pytest.mark.parametrize(("kind", "role"), CASES, ids=[case_id(c) for c in CASES])
def test_pages(client, world, kind, role):
    client.force_login(world["users"][role])
    obj = target(world, kind)
    prefix = URL_NAMES[kind]

    if kind in ("team", "project", "environment"):
        response = client.get(reverse(f"{prefix}_detail", args=[obj.pk]))
        assert response.status_code == expected_for_existing(kind, "view", role, 200)
        listing = client.get(reverse(f"{prefix}_list"))
        assert listing.status_code == 200
        assert (f'href="{obj.get_absolute_url()}"' in listing.content.decode()) == (
            role != "outsider"
        )

    edit_url = reverse(f"{prefix}_edit", args=[obj.pk])
    assert client.get(edit_url).status_code == expected_for_existing(kind, "change", role, 200)
    response = client.post(edit_url, EDIT_PAYLOADS[kind](world))
    assert response.status_code == expected_for_existing(kind, "change", role, 302), (
        response.content.decode()[:2000]
    )

    clear_children_for_delete(world, kind)
    response = client.post(reverse(f"{prefix}_delete", args=[obj.pk]))
    assert response.status_code == expected_for_existing(kind, "delete", role, 302)
    still_there = MODELS[kind].objects.filter(pk=obj.pk).exists()
    assert still_there == (role not in ALLOWED[kind]["delete"])


@pytest.mark.parametrize(("kind", "role"), CASES, ids=[case_id(c) for c in CASES])
def test_page_create(client, world, kind, role):
    client.force_login(world["users"][role])
    model = MODELS[kind]
    before = model.objects.count()
    response = client.post(reverse(f"{URL_NAMES[kind]}_add"), NEW_PAYLOADS[kind](world))
    allowed = role in ALLOWED[kind]["add"]
    if allowed:
        assert response.status_code == 302
        assert model.objects.count() == before + 1
        return
    assert model.objects.count() == before
    may_add_elsewhere = role == "outsider" and "developer" in ALLOWED[kind]["add"]
    if not may_add_elsewhere:
        # No team where this role may create one: the page itself is refused.
        assert response.status_code == 403
    else:
        # The role may create elsewhere; here the parent field says why not.
        assert response.status_code == 400
        parent = "team" if kind in ("membership", "project") else "project"
        assert f'data-field="{parent}"' in response.content.decode()


@pytest.mark.parametrize(("kind", "role"), CASES, ids=[case_id(c) for c in CASES])
def test_api(api_client, world, kind, role):
    api_client.force_authenticate(world["users"][role])
    obj = target(world, kind)
    base = f"/api/v1/{API_PREFIX[kind]}/"
    detail = f"{base}{obj.pk}/"

    response = api_client.get(detail)
    assert response.status_code == expected_for_existing(kind, "view", role, 200)
    listed = {item["id"] for item in api_client.get(base).json()["results"]}
    assert (obj.pk in listed) == (role != "outsider")

    patch = {"description": "x"} if kind != "membership" else {"role": "viewer"}
    response = api_client.patch(detail, patch, format="json")
    assert response.status_code == expected_for_existing(kind, "change", role, 200)

    model = MODELS[kind]
    before = model.objects.count()
    payload = NEW_PAYLOADS[kind](world)
    if kind == "membership":
        payload["user"] = "newbie"
    response = api_client.post(base, payload, format="json")
    if role in ALLOWED[kind]["add"]:
        assert response.status_code == 201, response.json()
        assert model.objects.count() == before + 1
    else:
        assert model.objects.count() == before
        # Outsiders cannot even see the parent: it "does not exist" for them.
        assert response.status_code == (400 if role == "outsider" and kind != "team" else 403)

    clear_children_for_delete(world, kind)
    response = api_client.delete(detail)
    assert response.status_code == expected_for_existing(kind, "delete", role, 204)
