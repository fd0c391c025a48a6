"""Private catalog repositories: a git source with a credential, read for real from a
local forge that demands basic auth (git http-backend), and who may give a source which
credential."""

import pytest

from portal.accounts.roles import Role
from portal.audit.models import AuditEvent
from portal.catalog.models import StackSource
from portal.catalog.sync import git_cache_root, refresh
from tests.catalog.git_server import PrivateGitServer, PrivateSshGitServer, ssh_keypair
from tests.catalog.test_sources import Repository, app_files, tags
from tests.factories import CredentialFactory, MembershipFactory, TeamFactory, UserFactory
from tests.test_query_counts import query_count

TOKEN = "forge-token-0123456789abcdef"
WRONG_TOKEN = "forge-token-wrong-9876543210"
SSH_KEY = (
    "-----BEGIN OPENSSH PRIVATE KEY-----\n"
    "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n"
    "QyNTUxOQAAACDprivatesourceprivatesourceprivatesourceAAAAAAAAAAAAAAAA==\n"
    "-----END OPENSSH PRIVATE KEY-----\n"
)


@pytest.fixture
def forge(tmp_path, settings):
    settings.PLATEAU_STACK_GIT_SCHEMES = ["https", "ssh", "http"]
    repository = Repository(tmp_path)
    repository.commit(app_files("Private."))
    repository.tag("v1")
    with PrivateGitServer(tmp_path, "oauth2", TOKEN) as server:
        yield server


def git_credential(team, name="catalog-reader", **material):
    return CredentialFactory(
        team=team,
        name=name,
        kind="git",
        material=material or {"token": TOKEN, "username": "oauth2"},
    )


def private_source(forge, credential=None) -> StackSource:
    return StackSource.objects.create(
        name="private",
        kind="git",
        location=forge.url("catalog.git"),
        subdir="stacks",
        credential=credential,
    )


def refreshed(source) -> StackSource:
    refresh(source.pk)
    source.refresh_from_db()
    return source


def test_a_private_repository_is_read_with_the_sources_credential(forge, team):
    source = refreshed(private_source(forge))
    assert "the server asks for credentials: give the source a Git repository access" in (
        source.last_error
    )
    assert forge.refused and not forge.served
    assert tags() == {}

    source.credential = git_credential(team)
    source.save()
    source = refreshed(source)
    assert source.last_error == ""
    assert forge.served
    assert tags() == {"v1": False}
    # The decrypted material lived only for the refresh.
    assert [path.name for path in git_cache_root().iterdir() if path.name.startswith(".")] == []


def test_a_wrong_token_is_refused_and_never_shown(forge, team):
    credential = git_credential(team, token=WRONG_TOKEN)
    source = refreshed(private_source(forge, credential))
    assert "the server refused the source's credential (check its token" in source.last_error
    assert WRONG_TOKEN not in source.last_error
    assert tags() == {}


def test_a_private_repository_over_ssh_is_read_with_its_deploy_key(tmp_path, team, settings):
    settings.PLATEAU_STACK_GIT_SCHEMES = ["ssh"]
    (tmp_path / "repositories").mkdir()
    (tmp_path / "keys").mkdir()
    repository = Repository(tmp_path / "repositories")
    repository.commit(app_files("Private."))
    repository.tag("v1")
    deploy_key, deploy_public = ssh_keypair(tmp_path / "keys", "deploy")
    other_key, _ = ssh_keypair(tmp_path / "keys", "other")
    with PrivateSshGitServer(tmp_path / "repositories", tmp_path / "keys", deploy_public) as forge:
        credential = git_credential(team, private_key=other_key, known_hosts=forge.known_hosts)
        source = StackSource.objects.create(
            name="over-ssh",
            kind="git",
            location=forge.url("catalog.git"),
            subdir="stacks",
            credential=credential,
        )
        assert "the server refused the source's credential" in refreshed(source).last_error
        assert forge.refused and not forge.served

        credential.set_material({"private_key": deploy_key})  # no known hosts
        credential.save()
        assert "the SSH server's host key is not trusted" in refreshed(source).last_error
        assert not forge.served

        credential.set_material({"private_key": deploy_key, "known_hosts": forge.known_hosts})
        credential.save()
        assert refreshed(source).last_error == ""
        assert forge.served and tags() == {"v1": False}
    assert deploy_key.splitlines()[1] not in str(list(AuditEvent.objects.values()))
    assert [path.name for path in git_cache_root().iterdir() if path.name.startswith(".")] == []


@pytest.fixture
def curators(team, member):
    """``owner``: platform engineer of the credential's team. ``neighbour``: platform
    engineer elsewhere and developer in that team (sees the credential, may not bind it).
    ``stranger``: platform engineer elsewhere only."""
    elsewhere = TeamFactory(name="Elsewhere", slug="elsewhere")
    neighbour, stranger = UserFactory(username="neighbour"), UserFactory(username="stranger")
    MembershipFactory(team=elsewhere, user=neighbour, role=Role.PLATFORM_ENGINEER)
    MembershipFactory(team=team, user=neighbour, role=Role.DEVELOPER)
    MembershipFactory(team=elsewhere, user=stranger, role=Role.PLATFORM_ENGINEER)
    return {"owner": member(Role.PLATFORM_ENGINEER), "neighbour": neighbour, "stranger": stranger}


def post_source(api_client, user, **body):
    api_client.force_login(user)  # through the session, as a browser: the audit names them
    body = {"name": "private", "location": "https://git.example.com/private.git", **body}
    return api_client.post("/api/v1/stack-sources/", body, format="json")


def test_only_who_may_bind_a_credential_gives_it_to_a_source(api_client, team, curators):
    credential = git_credential(team)
    response = post_source(api_client, curators["stranger"], credential=credential.pk)
    assert response.status_code == 400
    assert "does not exist" in response.json()["credential"][0]  # another team's: unseen
    response = post_source(api_client, curators["neighbour"], credential=credential.pk)
    assert response.status_code == 400
    assert response.json()["credential"] == [
        f"Only a platform engineer of the team {team} may give a source the credential "
        "catalog-reader, or change the URL of a source that uses it."
    ]
    assert not StackSource.objects.exists()

    response = post_source(api_client, curators["owner"], credential=credential.pk)
    assert response.status_code == 201
    assert response.json()["credential_name"] == f"{team} / catalog-reader"
    event = AuditEvent.objects.get(action="create", object_repr="private")
    assert event.actor == curators["owner"] and event.changes["credential"][1] == credential.pk


def test_another_curator_edits_a_source_but_cannot_send_its_credential_elsewhere(
    api_client, team, curators
):
    source = StackSource.objects.create(
        name="private",
        kind="git",
        location="https://git.example.com/private.git",
        credential=git_credential(team),
    )
    url = f"/api/v1/stack-sources/{source.pk}/"
    api_client.force_authenticate(curators["stranger"])
    assert api_client.patch(url, {"refresh_minutes": 5}, format="json").status_code == 200
    moved = api_client.patch(url, {"location": "https://attacker.example/x.git"}, format="json")
    assert moved.status_code == 400 and "change the URL" in moved.json()["credential"][0]
    source.refresh_from_db()
    assert source.location == "https://git.example.com/private.git"
    assert source.refresh_minutes == 5
    assert api_client.patch(url, {"credential": None}, format="json").status_code == 200
    source.refresh_from_db()
    assert source.credential is None


@pytest.mark.parametrize(
    ("location", "material", "kind", "field", "words"),
    [
        (
            "https://git.example.com/private.git",
            {"host": "db", "user": "admin", "password": "pg-password"},
            "postgresql",
            "credential",
            "is a PostgreSQL connection credential; a source needs one of type Git repository",
        ),
        (
            "https://git.example.com/private.git",
            {"private_key": SSH_KEY},
            "git",
            "credential",
            "has no access token, which this URL needs",
        ),
        (
            "git@git.example.com:team/private.git",
            {"token": TOKEN},
            "git",
            "credential",
            "has no SSH private key, which this URL needs",
        ),
        (
            f"https://oauth2:{TOKEN}@git.example.com/private.git",
            None,
            None,
            "location",
            "the URL holds a password or token; give it as the source's credential",
        ),
    ],
)
def test_a_source_checks_its_credential_against_its_url(
    api_client, team, curators, location, material, kind, field, words
):
    body = {"location": location}
    if kind:
        body["credential"] = CredentialFactory(team=team, kind=kind, material=material).pk
    response = post_source(api_client, curators["owner"], **body)
    assert response.status_code == 400
    assert words in response.json()[field][0]
    assert TOKEN not in str(response.json())
    assert not StackSource.objects.exists()


def test_a_credential_used_by_a_source_is_listed_and_not_deleted(
    client, api_client, team, curators
):
    credential = git_credential(team)
    StackSource.objects.create(
        name="private", kind="git", location="https://git.example.com/x.git", credential=credential
    )
    client.force_login(curators["owner"])
    page = client.get(f"/credentials/{credential.pk}/").content.decode()
    assert "<h2>Stack sources</h2>" in page and "https://git.example.com/x.git" in page
    api_client.force_authenticate(curators["owner"])
    response = api_client.delete(f"/api/v1/credentials/{credential.pk}/")
    assert response.status_code == 409 and "private" in response.json()["detail"]
    assert type(credential).objects.filter(pk=credential.pk).exists()


def test_the_source_form_offers_the_credentials_the_user_may_bind(client, team, curators):
    mine = git_credential(team)
    git_credential(TeamFactory(name="Third", slug="third"), name="not-mine")
    client.force_login(curators["owner"])
    html = client.get("/stack-sources/add/").content.decode()
    assert f"{team} / catalog-reader" in html and "not-mine" not in html
    data = {
        "name": "private",
        "location": "https://git.example.com/private.git",
        "branch": "main",
        "credential": str(mine.pk),
        "refresh_minutes": "60",
    }
    assert client.post("/stack-sources/add/", data).status_code == 302
    source = StackSource.objects.get(name="private")
    assert source.credential == mine
    assert f"credential {team} / catalog-reader" in client.get("/stack-sources/").content.decode()

    # The neighbour keeps it while editing, but may not point the source elsewhere.
    client.force_login(curators["neighbour"])
    edit = f"/stack-sources/{source.pk}/edit/"
    assert client.post(edit, data | {"refresh_minutes": "5"}).status_code == 302
    response = client.post(edit, data | {"location": "https://attacker.example/x.git"})
    assert response.status_code == 400
    assert "or change the URL of a source that uses it" in response.content.decode()
    source.refresh_from_db()
    assert (source.location, source.refresh_minutes) == ("https://git.example.com/private.git", 5)


@pytest.mark.parametrize("url", ["/stack-sources/", "/api/v1/stack-sources/"])
def test_source_lists_do_not_grow_in_queries_with_sources(client, team, curators, url):
    client.force_login(curators["owner"])

    def add(number):
        StackSource.objects.create(
            name=f"private-{number}",
            kind="git",
            location=f"https://git.example.com/{number}.git",
            credential=git_credential(team, name=f"reader-{number}"),
        )

    add(0)
    few = query_count(client, url)
    for number in range(1, 6):
        add(number)
    assert query_count(client, url) == few
