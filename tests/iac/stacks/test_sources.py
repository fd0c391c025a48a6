"""Stack sources with real git repositories (bare repos in tmp_path, file:// allowed)."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from iac.stacks import GitStackSource, LocalStackSource, SourceError, folder_version
from iac.stacks.cli import DEFAULT_STACKS_DIR
from iac.stacks.sources import url_scheme

from .conftest import MINIMAL, MODULE

GIT_ENV = {
    **os.environ,
    "GIT_AUTHOR_NAME": "t",
    "GIT_AUTHOR_EMAIL": "t@example.com",
    "GIT_COMMITTER_NAME": "t",
    "GIT_COMMITTER_EMAIL": "t@example.com",
    "GIT_CONFIG_GLOBAL": os.devnull,
}


def git(cwd: Path, *args: str) -> str:
    result = subprocess.run(
        ["git", *args], cwd=cwd, env=GIT_ENV, capture_output=True, text=True, check=True
    )
    return result.stdout.strip()


class Catalog:
    """A working clone pushing to a bare repository, as a platform team would."""

    def __init__(self, tmp_path: Path):
        self.bare = tmp_path / "catalog.git"
        self.work = tmp_path / "work"
        git(tmp_path, "init", "--bare", "-q", "-b", "main", str(self.bare))
        git(tmp_path, "clone", "-q", str(self.bare), str(self.work))
        git(self.work, "checkout", "-q", "-b", "main")
        self.url = self.bare.as_uri()

    def commit(self, files: dict[str, str], message: str = "change") -> str:
        for name, content in files.items():
            (self.work / name).parent.mkdir(parents=True, exist_ok=True)
            (self.work / name).write_text(content)
        git(self.work, "add", "-A")
        git(self.work, "commit", "-q", "-m", message)
        git(self.work, "push", "-q", "origin", "main")
        return git(self.work, "rev-parse", "HEAD")

    def tag(self, name: str, force: bool = False) -> None:
        git(self.work, "tag", *(["-f"] if force else []), "-a", name, "-m", name)
        git(self.work, "push", "-q", *(["--force"] if force else []), "origin", name)


DEMO = {"demo/stack.yaml": MINIMAL, "demo/tf/main.tf": MODULE, "demo/README.md": "# Demo\n"}


@pytest.fixture
def catalog(tmp_path):
    return Catalog(tmp_path)


def source(catalog, tmp_path, **options):
    return GitStackSource(
        catalog.url, tmp_path / "cache", allowed_schemes=("https", "ssh", "file"), **options
    )


def test_tags_and_branch_head_are_versions(catalog, tmp_path):
    first = catalog.commit(DEMO)
    catalog.tag("v1")
    src = source(catalog, tmp_path)
    result = src.refresh()
    assert [(v.slug, v.version, v.commit, v.path, v.kind) for v in result.versions] == [
        ("demo", "v1", first, "demo", "tag"),
        ("demo", result.versions[1].version, first, "demo", "branch"),
    ]
    assert result.gone == [] and result.moved == []
    # The branch version is the content hash of the exported folder, as for a local one.
    exported = src.export(result.versions[1], tmp_path / "export")
    assert result.versions[1].version == folder_version(exported)
    assert (exported / "tf" / "main.tf").read_text() == MODULE

    second = catalog.commit({"demo/README.md": "# Demo v2\n"})
    catalog.tag("v2")
    versions = {(v.version, v.commit) for v in src.refresh().versions if v.kind == "tag"}
    assert versions == {("v1", first), ("v2", second)}


def test_each_stack_of_a_branch_head_gets_its_own_content_hash(catalog, tmp_path):
    other = MINIMAL.replace("slug: demo", "slug: other")
    catalog.commit(
        {f"catalog/{name}": text for name, text in DEMO.items()}
        | {"catalog/other/stack.yaml": other, "catalog/other/tf/main.tf": MODULE}
        | {"catalog/README.md": "# The catalog\n"}
    )
    src = source(catalog, tmp_path, subdir="catalog")
    heads = {v.slug: v for v in src.refresh().versions if v.kind == "branch"}
    assert set(heads) == {"demo", "other"}
    assert heads["demo"].version != heads["other"].version
    for slug, version in heads.items():
        exported = src.export(version, tmp_path / "export" / slug)
        assert version.version == folder_version(exported)


def test_deleted_tag_is_reported_gone(catalog, tmp_path):
    catalog.commit(DEMO)
    catalog.tag("v1")
    catalog.tag("v2")
    src = source(catalog, tmp_path)
    src.refresh()
    git(catalog.work, "push", "-q", "origin", ":refs/tags/v1")
    result = src.refresh()
    assert result.gone == ["v1"]
    assert [v.version for v in result.versions if v.kind == "tag"] == ["v2"]


def test_moved_tag_is_reported_and_first_commit_kept(catalog, tmp_path):
    first = catalog.commit(DEMO)
    catalog.tag("v1")
    src = source(catalog, tmp_path)
    src.refresh()
    second = catalog.commit({"demo/README.md": "# Changed under the same tag\n"})
    catalog.tag("v1", force=True)
    result = src.refresh()
    [moved] = result.moved
    assert (moved.tag, moved.first_commit, moved.new_commit) == ("v1", first, second)
    assert "tags are immutable" in str(moved)
    [tagged] = [v for v in result.versions if v.kind == "tag"]
    assert tagged.commit == first
    exported = src.export(tagged, tmp_path / "v1")
    assert (exported / "README.md").read_text() == "# Demo\n"


def test_symlink_leaving_the_stack_is_refused_on_export(catalog, tmp_path):
    catalog.commit(DEMO)
    os.symlink("../../etc/passwd", catalog.work / "demo" / "leak")
    catalog.commit({})
    src = source(catalog, tmp_path)
    [head] = src.refresh().versions
    with pytest.raises(SourceError, match="symlink leak points outside the stack"):
        src.export(head, tmp_path / "out")


def test_size_limit(catalog, tmp_path):
    catalog.commit(DEMO | {"demo/blob.bin": os.urandom(400_000).hex()})
    with pytest.raises(SourceError, match="exceeds the size limit of 100000 bytes"):
        source(catalog, tmp_path, max_bytes=100_000).refresh()
    assert not (tmp_path / "cache").exists()


@pytest.mark.parametrize(
    ("url", "scheme"),
    [
        ("https://git.example.com/a.git", "https"),
        ("git@git.example.com:team/a.git", "ssh"),
        ("ssh://git@git.example.com/a.git", "ssh"),
        ("/srv/git/a.git", "file"),
        ("file:///srv/git/a.git", "file"),
        ("ext::sh -c touch% /tmp/pwned", "ext"),
        ("git://git.example.com/a.git", "git"),
    ],
)
def test_url_schemes(url, scheme):
    assert url_scheme(url) == scheme


@pytest.mark.parametrize("url", ["file:///srv/a.git", "/srv/a.git", "ext::sh -c id", "git://h/a"])
def test_schemes_not_allowed_by_default(url, tmp_path):
    with pytest.raises(SourceError, match="is not allowed"):
        GitStackSource(url, tmp_path / "cache")


@pytest.mark.parametrize("subdir", ["../other", "/abs"])
def test_subdir_must_stay_inside(subdir, tmp_path):
    with pytest.raises(SourceError, match="must stay inside"):
        GitStackSource("https://h/a.git", tmp_path / "c", subdir=subdir)


def test_credential_is_passed_through_the_environment(tmp_path):
    from iac.stacks import GitCredential

    credential = GitCredential(token="T0K")
    src = GitStackSource("https://h/a.git", tmp_path / "c", environment=credential.environment())
    env = src._env()
    assert env["GIT_CONFIG_KEY_0"] == "http.extraHeader"
    assert env["GIT_CONFIG_VALUE_0"].startswith("Authorization: Basic ")
    assert "T0K" not in " ".join(src._config())
    assert "core.hooksPath=/dev/null" in src._config()


def test_local_folder_versions_are_stable_content_hashes(tmp_path):
    copy = tmp_path / "stacks"
    shutil.copytree(DEFAULT_STACKS_DIR, copy)
    versions = {v.slug: v.version for v in LocalStackSource(copy).versions()}
    assert versions == {v.slug: v.version for v in LocalStackSource(DEFAULT_STACKS_DIR).versions()}
    (copy / "web-service" / "README.md").write_text("changed")
    (copy / "web-service" / ".terraform").mkdir()  # tool caches do not count
    changed = {v.slug: v.version for v in LocalStackSource(copy).versions()}
    assert changed["web-service"] != versions["web-service"]
    assert changed["postgres-database"] == versions["postgres-database"]
    [web] = [v for v in LocalStackSource(copy).versions() if v.slug == "web-service"]
    exported = LocalStackSource(copy).export(web, tmp_path / "export")
    assert folder_version(exported) == web.version and not (exported / ".terraform").exists()
