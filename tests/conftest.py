import pytest
from rest_framework.test import APIClient

from portal.accounts.roles import Role
from tests.factories import MembershipFactory, TeamFactory, UserFactory


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def team(db):
    return TeamFactory(name="Payments", slug="payments")


@pytest.fixture
def member(team):
    """``member(role)`` -> a user holding ``role`` in ``team``."""

    def make(role: str, username: str | None = None):
        user = UserFactory(username=username or f"{role}-{team.slug}")
        MembershipFactory(team=team, user=user, role=role)
        return user

    return make


@pytest.fixture
def developer(member):
    return member(Role.DEVELOPER)


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_superuser=True, is_staff=True)


@pytest.fixture
def api_client():
    return APIClient()
