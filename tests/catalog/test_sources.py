"""Catalog git sources with real repositories (bare repos in tmp_path; the `file` scheme
allowed through settings), the refresh task, the beat schedule and the source pages."""

import os
import subprocess
from pathlib import Path

import pytest
from django.utils import timezone

from portal.catalog.models import Stack, StackSource, StackVersion
from portal.catalog.tasks import refresh_due_sources, refresh_source
from portal.celery import app as celery_app
from tests.catalog.conftest import SMALL_TF, small_stack

GIT_ENV = {
    **os.environ,
    "GIT_AUTHOR_NAME": "t",
    "GIT_AUTHOR_EMAIL": "t@example.com",
    "GIT_COMMITTER_NAME": "t",
    "GIT_COMMITTER_EMAIL": "t@example.com",
    "GIT_CONFIG_GLOBAL": os.devnull,
}


def git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, env=GIT_ENV, capture_output=True, check=True)


class Repository:
    """A platform team's catalog: a working clone pushing to a bare repository."""

    def __init__(self, root: Path):
        self.bare, self.work = root / "catalog.git", root / "work"
        git(root, "init", "--bare", "-q", "-b", "main", str(self.bare))
        git(root, "clone", "-q", str(self.bare), str(self.work))
        git(self.work, "checkout", "-q", "-b", "main")
        self.url = self.bare.as_uri()

    def commit(self, files: dict[str, str]) -> None:
        for name, content in files.items():
            (self.work / name).parent.mkdir(parents=True, exist_ok=True)
            (self.work / name).write_text(content)
        git(self.work, "add", "-A")
        git(self.work, "commit", "-q", "-m", "change")
        git(self.work, "push", "-q", "origin", "main")

    def tag(self, name: str) -> None:
        git(self.work, "tag", "-a", name, "-m", name)
        git(self.work, "push", "-q", "origin", name)

    def delete_tag(self, name: str) -> None:
        git(self.work, "push", "-q", "origin", f":refs/tags/{name}")


def app_files(description: str) -> dict[str, str]:
    return {
        "stacks/app/stack.yaml": small_stack("app", "App", description=description),
        "stacks/app/tf/main.tf": SMALL_TF,
        "stacks/app/README.md": "# App\n",
    }


@pytest.fixture
def repository(tmp_path, settings):
    settings.PLATEAU_STACK_GIT_SCHEMES = ["https", "ssh", "file"]
    repository = Repository(tmp_path)
    repository.commit(app_files("First."))
    repository.tag("v1")
    return repository


@pytest.fixture
def git_source(db, repository):
    return StackSource.objects.create(
        name="team", kind="git", location=repository.url, subdir="stacks", refresh_minutes=30
    )


def tags(stack_slug="app") -> dict[str, bool]:
    return dict(
        StackVersion.objects.filter(stack__slug=stack_slug, kind="tag").values_list("name", "gone")
    )


def test_a_new_tag_appears_after_a_refresh(git_source, repository):
    summary = refresh_source(git_source.pk)
    assert summary["errors"] == [] and tags() == {"v1": False}
    repository.commit(app_files("Second."))
    repository.tag("v2")
    refresh_source(git_source.pk)
    assert tags() == {"v1": False, "v2": False}
    stack = Stack.objects.get(slug="app")
    assert stack.description == "Second." and stack.source == git_source
    git_source.refresh_from_db()
    assert git_source.last_refreshed is not None and git_source.last_error == ""
    assert git_source.refresh_started is None


def test_a_deleted_tag_is_gone_but_stays_usable(git_source, repository, client, users):
    refresh_source(git_source.pk)
    repository.commit(app_files("Second."))
    repository.tag("v2")
    refresh_source(git_source.pk)
    repository.delete_tag("v1")
    summary = refresh_source(git_source.pk)
    assert "app@v1" in summary["gone"]
    assert tags() == {"v1": True, "v2": False}
    v1 = StackVersion.objects.get(stack__slug="app", name="v1")
    assert v1.files_path.is_dir() and v1.load().slug == "app"  # deployments keep working

    client.force_login(users["developer"])
    page = client.get("/catalog/app/").content.decode()
    assert "<code>v1</code>" in page and "gone" in page
    assert client.get(f"/catalog/app/versions/{v1.pk}/deploy/").status_code in (403, 409)


def test_a_refused_scheme_is_stored_and_shown(git_source, settings, client, users):
    settings.PLATEAU_STACK_GIT_SCHEMES = ["https", "ssh"]
    summary = refresh_source(git_source.pk)
    git_source.refresh_from_db()
    assert "URL scheme 'file' is not allowed (allowed: https, ssh)" in git_source.last_error
    assert summary["errors"] == [git_source.last_error]
    assert not StackVersion.objects.exists()
    client.force_login(users["platform"])
    page = client.get("/stack-sources/").content.decode()
    assert "URL scheme &#x27;file&#x27; is not allowed" in page


def test_a_symlink_leaving_the_stack_is_refused(git_source, repository):
    link = repository.work / "stacks" / "app" / "secrets"
    link.symlink_to("../../../etc")
    repository.commit({})
    summary = refresh_source(git_source.pk)
    git_source.refresh_from_db()
    assert any("points outside the stack" in error for error in summary["errors"])
    assert "points outside the stack" in git_source.last_error
    assert tags() == {"v1": False}  # the tag before the symlink is still imported


def test_a_running_refresh_is_not_started_twice(git_source):
    StackSource.objects.filter(pk=git_source.pk).update(refresh_started=timezone.now())
    assert refresh_source(git_source.pk) is None
    assert not StackVersion.objects.exists()


@pytest.fixture
def eager(monkeypatch):
    """Tasks queued with .delay() run at once, in this process."""
    monkeypatch.setitem(celery_app.conf, "task_always_eager", True)


def test_beat_refreshes_the_sources_that_are_due(git_source, eager):
    StackSource.objects.create(
        name="manual", kind="git", location="https://e.com/x.git", refresh_minutes=0
    )
    assert refresh_due_sources() == [git_source.pk]
    assert tags() == {"v1": False}
    assert refresh_due_sources() == []  # refreshed a moment ago: not due for 30 minutes
    StackSource.objects.filter(pk=git_source.pk).update(
        last_refreshed=timezone.now() - timezone.timedelta(minutes=31)
    )
    assert refresh_due_sources() == [git_source.pk]


def test_the_beat_schedule_names_the_task(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["catalog-refresh"]
    assert entry["task"] == refresh_due_sources.name


def test_refresh_now_from_the_sources_page(
    client, users, git_source, eager, django_capture_on_commit_callbacks
):
    client.force_login(users["platform"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/stack-sources/{git_source.pk}/refresh/")
    assert response.status_code == 302
    assert tags() == {"v1": False}


def test_add_a_git_source_from_the_page(
    client, users, repository, eager, django_capture_on_commit_callbacks
):
    client.force_login(users["platform"])
    assert client.get("/stack-sources/add/").status_code == 200
    data = {
        "name": "team",
        "location": repository.url,
        "branch": "main",
        "subdir": "stacks",
        "refresh_minutes": "60",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/stack-sources/add/", data)
    assert response.status_code == 302
    source = StackSource.objects.get(name="team")
    assert source.kind == "git" and tags() == {"v1": False}


def test_a_bad_source_is_refused_by_the_page_with_the_rule(client, users, db):
    client.force_login(users["platform"])
    data = {
        "name": "bad",
        "location": "ftp://example.com/x.git",
        "branch": "main",
        "refresh_minutes": "60",
    }
    response = client.post("/stack-sources/add/", data)
    assert response.status_code == 400
    assert "URL scheme &#x27;ftp&#x27; is not allowed" in response.content.decode()
    assert not StackSource.objects.exists()


@pytest.mark.parametrize(
    ("role", "status"), [("developer", 403), ("viewer", 403), ("platform", 200)]
)
def test_the_sources_page_is_for_curators(client, users, git_source, role, status):
    client.force_login(users[role])
    assert client.get("/stack-sources/").status_code == status
    assert client.get(f"/stack-sources/{git_source.pk}/edit/").status_code == status
    if status == 403:
        assert client.post(f"/stack-sources/{git_source.pk}/refresh/").status_code == 403


def test_folder_sources_are_not_edited_in_the_page(client, users, folder_source):
    client.force_login(users["platform"])
    assert client.get(f"/stack-sources/{folder_source.pk}/edit/").status_code == 403


def test_menu_offers_sources_to_curators_only(client, users, db):
    client.force_login(users["developer"])
    html = client.get("/catalog/").content.decode()
    assert 'href="/catalog/"' in html and 'href="/stack-sources/"' not in html
    client.force_login(users["platform"])
    assert 'href="/stack-sources/"' in client.get("/catalog/").content.decode()
