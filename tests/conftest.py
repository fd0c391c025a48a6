"""Shared fixtures. Django-dependent imports stay inside the fixtures, so that the
engine-room tests (tests/iac, tests/deploy) also run with ``-p no:django``."""

import pytest


@pytest.fixture(autouse=True)
def fast_password_hashing(request):
    if not request.config.pluginmanager.hasplugin("django"):
        return
    settings = request.getfixturevalue("settings")
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def private_data_dir(request, tmp_path):
    """Snapshots, workspaces and caches a test writes go to its own folder."""
    if not request.config.pluginmanager.hasplugin("django"):
        return
    settings = request.getfixturevalue("settings")
    settings.DATA_DIR = tmp_path / "data"
    settings.DATA_DIR.mkdir()


@pytest.fixture
def team(db):
    from tests.factories import TeamFactory

    return TeamFactory(name="Payments", slug="payments")


@pytest.fixture
def member(team):
    """``member(role)`` -> a user holding ``role`` in ``team``."""

    from tests.factories import MembershipFactory, UserFactory

    def make(role: str, username: str | None = None):
        user = UserFactory(username=username or f"{role}-{team.slug}")
        MembershipFactory(team=team, user=user, role=role)
        return user

    return make


@pytest.fixture
def developer(member):
    return member("developer")


@pytest.fixture
def superuser(db):
    from tests.factories import UserFactory

    return UserFactory(username="root", is_superuser=True, is_staff=True)


@pytest.fixture
def api_client():
    from rest_framework.test import APIClient

    return APIClient()


@pytest.fixture(scope="session")
def moto():
    """A moto server (AWS API emulator) on 127.0.0.1, for the importer tests."""
    from tests.iac.importers.moto_server import MotoServer

    server = MotoServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def estate(moto):
    """The small AWS estate of the import tests (tests/iac/importers/moto_server.py)."""
    from tests.iac.importers.moto_server import build_estate, build_second_region

    moto.reset()
    ids = build_estate(moto)
    ids["eu"] = build_second_region(moto)
    return ids


@pytest.fixture(scope="session")
def imported(moto, estate):
    from iac.importers import run_import
    from tests.iac.importers.moto_server import aws_importer

    return run_import(aws_importer(moto))
