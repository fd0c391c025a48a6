"""Benchmark: refreshing a catalog git source, against the bare tools doing the same work.

A private repository served over HTTP with basic auth (git http-backend, as in the tests)
holds S stacks (a Terraform step with terraform_data, so `terraform validate` really runs)
tagged twice. Measured:

- the first refresh: Plateau (decrypt the credential, fetch, list versions, export a
  snapshot of each, validate it, store it) against the same work with the bare tools:
  `git clone --mirror`, `git archive` of each stack at each version, and `validate_stack`
  (iac, no Django) on it;
- a refresh that finds nothing new, the one beat repeats all day: Plateau against a bare
  `git fetch` into the same kind of mirror.

Each figure is the median of N rounds; a round of the first refresh starts from an empty
catalog and mirror. Everything lives in a temporary folder with its own SQLite database.

Run: .venv/bin/python bench/catalog_refresh.py [-n 3] [--stacks 10]
"""

import argparse
import logging
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "bench-token-0123456789"
STACK_YAML = """\
stack_format: 1
name: Bench {number}
slug: bench-{number}
description: Benchmark stack {number}.
parameters:
  - name: label
    type: string
    default: bench
steps:
  - name: data
    engine: terraform
    path: terraform
    inputs:
      label: "{{{{ parameters.label }}}}"
"""
MODULE = """\
variable "label" {
  type = string
}

resource "terraform_data" "label" {
  input = var.label
}
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=3, help="rounds per measure (default 3)")
    parser.add_argument("--stacks", type=int, default=10, help="stacks in the repository")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="plateau-bench-catalog-"))
    try:
        os.environ.update(
            DJANGO_SETTINGS_MODULE="portal.settings",
            PLATEAU_DATA_DIR=str(work / "data"),
            DATABASE_URL=f"sqlite:///{work / 'bench.sqlite3'}",
        )
        sys.path.insert(0, str(ROOT))
        set_up_django()
        from tests.catalog.git_server import PrivateGitServer

        versions = make_repository(work / "repositories", args.stacks)
        with PrivateGitServer(work / "repositories", "oauth2", TOKEN) as forge:
            url = forge.url("catalog.git")
            print(f"{args.stacks} stacks x {versions} versions each, {args.n} rounds, {url}")
            first_plateau = median(args.n, lambda: plateau_first_refresh(url))
            first_bare = median(args.n, lambda: bare_first_refresh(url, work / "bare"))
            report("first refresh (fetch, export, validate)", first_plateau, first_bare)
            again_plateau = median(args.n, lambda: plateau_refresh_again(url))
            again_bare = median(args.n, lambda: bare_fetch_again(work / "bare" / "mirror.git"))
            report("refresh with nothing new", again_plateau, again_bare)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def set_up_django() -> None:
    import django

    django.setup()
    logging.disable(logging.WARNING)  # per-version log lines are not the bench's output
    from django.core.management import call_command

    from portal.accounts.models import Team
    from portal.credentials.models import Credential

    call_command("migrate", verbosity=0)
    team = Team.objects.create(name="Bench", slug="bench")
    credential = Credential(team=team, name="catalog-reader", kind="git")
    credential.set_material({"token": TOKEN, "username": "oauth2"})
    credential.save()


def git(cwd: Path, *args: str) -> str:
    environment = {
        **os.environ,
        "GIT_AUTHOR_NAME": "bench",
        "GIT_AUTHOR_EMAIL": "bench@example.com",
        "GIT_COMMITTER_NAME": "bench",
        "GIT_COMMITTER_EMAIL": "bench@example.com",
        "GIT_CONFIG_GLOBAL": os.devnull,
    }
    return subprocess.run(
        ["git", *args], cwd=cwd, env=environment, capture_output=True, check=True, text=True
    ).stdout


def make_repository(root: Path, stacks: int) -> int:
    """catalog.git under ``root``: tags v1 and v2 and a branch head; the versions of each
    stack (each tag, and the head, whose content equals v2's but is its own version)."""
    root.mkdir(parents=True)
    git(root, "init", "--bare", "-q", "-b", "main", "catalog.git")
    work = root / "work"
    git(root, "clone", "-q", str(root / "catalog.git"), str(work))
    git(work, "checkout", "-q", "-b", "main")
    for release in ("v1", "v2"):
        for number in range(stacks):
            folder = work / "stacks" / f"bench-{number}"
            (folder / "terraform").mkdir(parents=True, exist_ok=True)
            (folder / "stack.yaml").write_text(STACK_YAML.format(number=number))
            (folder / "terraform" / "main.tf").write_text(MODULE)
            (folder / "README.md").write_text(f"# Bench {number}\n\nRelease {release}.\n")
        git(work, "add", "-A")
        git(work, "commit", "-q", "-m", release)
        git(work, "tag", release)
        git(work, "push", "-q", "--tags", "origin", "main")
    shutil.rmtree(work)
    return 3


def median(rounds: int, measure) -> float:
    return statistics.median(measure() for _ in range(rounds))


def fresh_source(url: str):
    from portal.catalog.models import Stack, StackSource, StackVersion
    from portal.catalog.sync import git_cache_root
    from portal.credentials.models import Credential

    StackVersion.objects.all().delete()
    Stack.objects.all().delete()
    StackSource.objects.all().delete()
    shutil.rmtree(git_cache_root(), ignore_errors=True)
    shutil.rmtree(Path(os.environ["PLATEAU_DATA_DIR"]) / "stack-versions", ignore_errors=True)
    from django.conf import settings

    settings.PLATEAU_STACK_GIT_SCHEMES = ["https", "ssh", "http"]
    return StackSource.objects.create(
        name="bench",
        kind="git",
        location=url,
        subdir="stacks",
        credential=Credential.objects.get(name="catalog-reader"),
    )


def plateau_first_refresh(url: str) -> float:
    from portal.catalog.models import StackVersion
    from portal.catalog.sync import refresh

    source = fresh_source(url)
    started = time.perf_counter()
    result = refresh(source.pk)
    elapsed = time.perf_counter() - started
    valid = StackVersion.objects.filter(status="valid").count()
    assert not result.errors and valid == len(result.added), (result, valid)
    return elapsed


def plateau_refresh_again(url: str) -> float:
    from portal.catalog.models import StackSource
    from portal.catalog.sync import refresh

    source = StackSource.objects.get(name="bench")
    started = time.perf_counter()
    result = refresh(source.pk)
    elapsed = time.perf_counter() - started
    assert not result.added and not result.errors, result
    return elapsed


def bare_environment() -> dict[str, str]:
    from iac.stacks import GitCredential

    return {**os.environ, **GitCredential(token=TOKEN, username="oauth2").environment()}


def bare_first_refresh(url: str, root: Path) -> float:
    """What the refresh does, with git and iac's validation only: no database, no
    snapshot bookkeeping, no credential decryption."""
    from iac.stacks import validate_stack

    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    mirror = root / "mirror.git"
    environment = bare_environment()
    started = time.perf_counter()
    subprocess.run(
        ["git", "clone", "-q", "--mirror", url, str(mirror)], env=environment, check=True
    )
    refs = ["v1", "v2", "main"]
    for ref in refs:
        listing = subprocess.run(
            ["git", "--git-dir", str(mirror), "ls-tree", "--name-only", f"{ref}:stacks"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
        for slug in listing:
            target = root / ref / slug
            target.mkdir(parents=True)
            archive = subprocess.run(
                ["git", "--git-dir", str(mirror), "archive", f"{ref}:stacks/{slug}"],
                capture_output=True,
                check=True,
            ).stdout
            subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
            assert validate_stack(target, version=ref).ok
    return time.perf_counter() - started


def bare_fetch_again(mirror: Path) -> float:
    started = time.perf_counter()
    subprocess.run(
        ["git", "--git-dir", str(mirror), "fetch", "-q", "--prune"],
        env=bare_environment(),
        check=True,
    )
    return time.perf_counter() - started


def report(what: str, plateau: float, bare: float) -> None:
    print(f"{what}: Plateau {plateau:.2f} s, bare tools {bare:.2f} s, ratio {plateau / bare:.2f}")


if __name__ == "__main__":
    main()
