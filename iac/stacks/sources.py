"""Where stacks come from, and what a version is.

- `LocalStackSource`: the `stacks/` folder shipped with Plateau; a version is the content
  hash of a stack's folder (relative paths and bytes, sorted: the same on every machine).
- `GitStackSource`: a catalog git repository. A version is a tag (immutable once seen:
  a moved tag is reported and its first-seen commit kept) or, for the branch head, the
  content hash of the stack's folder, computed the same way as for a local folder.

The repository is untrusted input: only allowed URL schemes are fetched, no hook or
repository config ever runs, size is capped, and exported trees may not hold symlinks
leaving the stack folder.
"""

import base64
import contextlib
import hashlib
import io
import os
import posixpath
import re
import shlex
import shutil
import subprocess
import tarfile
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from .paths import outside_symlinks
from .schema import STACK_FILE

DEFAULT_ALLOWED_SCHEMES = ("https", "ssh")
DEFAULT_MAX_BYTES = 100 * 1024 * 1024
# Never part of a stack's content: tool caches that runs and validation may leave behind.
IGNORED_NAMES = {".git", ".terraform", "__pycache__"}
SEEN_TAGS = "refs/plateau/seen-tags/"  # first-seen commit of every tag, kept in the cache
_SYMLINK_MODE = "120000"
# Never ask: a refresh runs in a worker, with nobody to type a passphrase or accept a key.
SSH_COMMAND = "ssh -o BatchMode=yes"


class SourceError(Exception):
    """A source that cannot or must not be used; the message says why."""


@dataclass(frozen=True)
class SourceVersion:
    slug: str
    version: str  # a tag name, or a content hash "sha256-..."
    commit: str | None  # None for a local folder
    path: str  # the stack folder: relative inside a repository, absolute for a folder
    kind: str  # "tag", "branch" or "folder"


@dataclass(frozen=True)
class MovedTag:
    tag: str
    first_commit: str  # the one kept
    new_commit: str  # the one ignored

    def __str__(self) -> str:
        return (
            f"tag {self.tag} moved from {self.first_commit[:12]} to {self.new_commit[:12]}; "
            f"tags are immutable, {self.first_commit[:12]} is kept"
        )


@dataclass
class RefreshResult:
    versions: list[SourceVersion] = field(default_factory=list)
    gone: list[str] = field(default_factory=list)  # tags seen before, now deleted
    moved: list[MovedTag] = field(default_factory=list)


# --- content hashing --------------------------------------------------------------------


class _ContentHash:
    def __init__(self):
        self._entries: list[tuple[str, bytes]] = []

    def add(self, relative: str, content: bytes) -> None:
        if not IGNORED_NAMES.intersection(PurePosixPath(relative).parts):
            self._entries.append((relative, content))

    def hexdigest(self) -> str:
        digest = hashlib.sha256()
        for relative, content in sorted(self._entries):
            name = relative.encode()
            # Length prefixes keep "a" + "bc" distinct from "ab" + "c".
            digest.update(b"%d:%s%d:" % (len(name), name, len(content)))
            digest.update(content)
        return "sha256-" + digest.hexdigest()[:16]


def folder_version(root: Path) -> str:
    """Content hash of a folder: files' bytes and symlinks' targets by relative path."""
    content = _ContentHash()
    for directory, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d not in IGNORED_NAMES]
        for name in dirnames + filenames:
            path = Path(directory, name)
            relative = path.relative_to(root).as_posix()
            if path.is_symlink():
                content.add(relative, os.readlink(path).encode())
            elif path.is_file():
                content.add(relative, path.read_bytes())
    return content.hexdigest()


# --- the shipped folder -----------------------------------------------------------------


class LocalStackSource:
    def __init__(self, root: Path | str):
        self.root = Path(root)

    def versions(self) -> list[SourceVersion]:
        return [
            SourceVersion(folder.name, folder_version(folder), None, str(folder), "folder")
            for folder in sorted(self.root.iterdir())
            if (folder / STACK_FILE).is_file()
        ]

    def export(self, version: SourceVersion, target: Path) -> Path:
        folder = Path(version.path)
        escaping = outside_symlinks(folder)
        if escaping:
            raise SourceError(f"{version.slug}: symlink {escaping[0][0]} points outside the stack")
        shutil.copytree(
            folder, target, symlinks=True, ignore=shutil.ignore_patterns(*IGNORED_NAMES)
        )
        return target


# --- git repositories -------------------------------------------------------------------


@dataclass(frozen=True)
class GitCredential:
    """Given by the caller (decrypted from a Plateau credential): an HTTPS token, sent as
    basic-auth password, and/or the path of an SSH private key file, with the path of a
    known_hosts file that pins the servers' host keys."""

    token: str | None = None
    username: str = "x-access-token"  # GitHub's convention; GitLab takes "oauth2"
    ssh_key_path: Path | None = None
    known_hosts_path: Path | None = None

    def environment(self) -> dict[str, str]:
        """Variables that make any git process (ours, or Terraform fetching a module)
        authenticate with it: through the environment, not argv, since command lines
        are visible to every user of the machine."""
        env = {}
        if self.token:
            pair = f"{self.username}:{self.token}".encode()
            env |= {
                "GIT_CONFIG_COUNT": "1",
                "GIT_CONFIG_KEY_0": "http.extraHeader",
                "GIT_CONFIG_VALUE_0": "Authorization: Basic " + base64.b64encode(pair).decode(),
            }
        ssh = [SSH_COMMAND]
        if self.ssh_key_path:
            ssh.append(f"-o IdentitiesOnly=yes -i {shlex.quote(str(self.ssh_key_path))}")
        if self.known_hosts_path:
            known_hosts = shlex.quote(str(self.known_hosts_path))
            ssh.append(f"-o StrictHostKeyChecking=yes -o UserKnownHostsFile={known_hosts}")
        if len(ssh) > 1:
            env["GIT_SSH_COMMAND"] = " ".join(ssh)
        return env


def url_scheme(url: str) -> str:
    """The transport git would use: "https", "ssh", "file", "ext"..."""
    if "::" in url.split("/", 1)[0]:
        return url.split("::", 1)[0].lower()  # remote helper syntax, e.g. ext::command
    if "://" in url:
        return url.split("://", 1)[0].lower()
    if re.match(r"^[^/.][^/]*:", url):
        return "ssh"  # scp-like user@host:path
    return "file"


class GitStackSource:
    """A catalog repository with stacks in `<subdir>/<slug>/stack.yaml`, mirrored into
    `cache_dir` (a bare repository private to this source) with the git CLI. `environment`
    adds variables to git's, e.g. `GitCredential.environment()` for a private repository."""

    def __init__(
        self,
        url: str,
        cache_dir: Path | str,
        *,
        branch: str = "main",
        subdir: str = "",
        environment: Mapping[str, str] | None = None,
        allowed_schemes: tuple[str, ...] = DEFAULT_ALLOWED_SCHEMES,
        max_bytes: int = DEFAULT_MAX_BYTES,
        timeout: float = 300,
    ):
        scheme = url_scheme(url)
        if url.startswith("-"):
            raise SourceError(f"invalid repository URL {url!r}")
        if scheme in ("http", "https") and _has_password(url):
            raise SourceError(
                "the URL holds a password or token; give it as the source's credential, "
                "where it is encrypted, instead"
            )
        if scheme not in allowed_schemes:
            allowed = ", ".join(allowed_schemes)
            raise SourceError(f"URL scheme {scheme!r} is not allowed (allowed: {allowed})")
        pure = PurePosixPath(subdir)
        if pure.is_absolute() or ".." in pure.parts:
            raise SourceError(f"subdir {subdir!r} must stay inside the repository")
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._/-]*", branch) or ".." in branch:
            raise SourceError(f"invalid branch name {branch!r}")
        self.url = url
        self.cache = Path(cache_dir)
        self.branch = branch
        self.subdir = "" if str(pure) == "." else str(pure)
        self.environment = dict(environment or {})
        self.allowed_schemes = tuple(allowed_schemes)
        self.max_bytes = max_bytes
        self.timeout = timeout

    # git plumbing

    def _config(self) -> list[str]:
        options = {
            "core.hooksPath": os.devnull,
            "core.fsmonitor": "false",
            "credential.helper": "",
            "protocol.allow": "never",
            "transfer.fsckObjects": "true",
        }
        options |= {f"protocol.{scheme}.allow": "always" for scheme in self.allowed_schemes}
        return [argument for key, value in options.items() for argument in ("-c", f"{key}={value}")]

    def _env(self) -> dict[str, str]:
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "LANG": "C",
            "GIT_TERMINAL_PROMPT": "0",
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_CONFIG_GLOBAL": os.devnull,
            "GIT_SSH_COMMAND": SSH_COMMAND,
        }
        return env | self.environment

    def _git(self, *args: str, input: bytes | None = None) -> bytes:
        result = subprocess.run(
            ["git", *self._config(), "--git-dir", str(self.cache), *args],
            input=input,
            env=self._env(),
            capture_output=True,
            timeout=self.timeout,
            check=False,
        )
        if result.returncode != 0:
            raise SourceError(
                f"git {args[0]} failed: {result.stderr.decode(errors='replace').strip()}"
            )
        return result.stdout

    def _fetch(self) -> None:
        if not (self.cache / "HEAD").exists():
            self.cache.mkdir(parents=True, exist_ok=True)
            self._git("init", "--bare", "--quiet")
        command = ["git", *self._config(), "--git-dir", str(self.cache), "fetch", "--quiet"]
        command += ["--prune", "--force", "--no-write-fetch-head", "--end-of-options", self.url]
        command += [
            f"+refs/heads/{self.branch}:refs/heads/{self.branch}",
            "+refs/tags/*:refs/tags/*",
        ]
        process = subprocess.Popen(
            command, env=self._env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        deadline = time.monotonic() + self.timeout
        # Watch the cache while git writes to it, so a huge repository is stopped early
        # instead of filling the disk.
        while True:
            try:
                process.wait(timeout=0.1)  # returns as soon as git is done
                break
            except subprocess.TimeoutExpired:
                pass
            if _disk_usage(self.cache) > self.max_bytes or time.monotonic() > deadline:
                process.kill()
                process.wait()
                self._reject_size()
        stderr = process.stderr.read().decode(errors="replace").strip()
        process.stderr.close()
        if process.returncode != 0:
            hint = _access_hint(stderr, with_credential=bool(self.environment))
            raise SourceError(f"git fetch of {self.url} failed: {hint}{stderr}")
        if _disk_usage(self.cache) > self.max_bytes:
            self._reject_size()

    def _reject_size(self):
        shutil.rmtree(self.cache, ignore_errors=True)
        raise SourceError(
            f"repository {self.url} exceeds the size limit of {self.max_bytes} bytes "
            "(or its fetch timed out); it was not kept"
        )

    def _refs(self, prefix: str) -> dict[str, str]:
        """name (without prefix) -> commit, annotated tags peeled to their commit."""
        out = self._git(
            "for-each-ref",
            "--format=%(refname) %(objectname) %(*objectname) %(*objecttype) %(objecttype)",
            prefix,
        )
        refs = {}
        for line in out.decode().splitlines():
            name, obj, peeled, peeled_type, obj_type = (line.split(" ") + [""] * 5)[:5]
            commit, kind = (peeled, peeled_type) if peeled else (obj, obj_type)
            if kind == "commit":
                refs[name.removeprefix(prefix)] = commit
        return refs

    def _tree(self, commit: str, path: str) -> list[tuple[str, str, int, str]]:
        """(mode, sha, size, path relative to `path`) of every file under `path` (the
        whole tree for "")."""
        pathspec = ["--", path + "/"] if path else []
        out = self._git("ls-tree", "-r", "-l", "-z", "--full-tree", commit, *pathspec)
        entries = []
        for record in out.decode().split("\0"):
            if not record:
                continue
            meta, name = record.split("\t", 1)
            mode, kind, sha, size = meta.split()
            if kind == "blob":
                entries.append((mode, sha, int(size), posixpath.relpath(name, path or ".")))
        return entries

    def _blobs(self, shas: list[str]) -> dict[str, bytes]:
        out = self._git("cat-file", "--batch", input="".join(f"{sha}\n" for sha in shas).encode())
        stream, blobs = io.BytesIO(out), {}
        for sha in shas:
            header = stream.readline().split()
            size = int(header[2])
            blobs[sha] = stream.read(size)
            stream.read(1)  # the newline after each object
        return blobs

    def _stack_paths(self, commit: str) -> dict[str, str]:
        """slug -> stack folder inside the repository, at `commit`."""
        prefix = f"{self.subdir}/" if self.subdir else ""
        out = self._git("ls-tree", "-r", "-z", "--name-only", "--full-tree", commit)
        found = {}
        for name in out.decode().split("\0"):
            rest = name.removeprefix(prefix)
            if name.startswith(prefix) and rest.count("/") == 1 and rest.endswith("/" + STACK_FILE):
                slug = rest.split("/")[0]
                found[slug] = prefix + slug
        return found

    def _tree_versions(self, commit: str, paths: dict[str, str]) -> dict[str, str]:
        """slug -> content hash of its folder (``paths``: slug -> folder) at ``commit``,
        with two git processes however many stacks there are."""
        entries = self._tree(commit, self.subdir)
        by_folder: dict[str, list[tuple[str, str]]] = {}
        for _, sha, _, relative in entries:
            folder, _, inside = relative.partition("/")
            by_folder.setdefault(folder, []).append((inside, sha))
        blobs = self._blobs(sorted({sha for _, sha, _, _ in entries}))
        versions = {}
        for slug, path in paths.items():
            content = _ContentHash()
            for inside, sha in by_folder.get(posixpath.basename(path), []):
                content.add(inside, blobs[sha])
            versions[slug] = content.hexdigest()
        return versions

    # public API

    def refresh(self) -> RefreshResult:
        """Fetch, then list every stack version: one per tag and stack, plus the branch
        head's. Compare with earlier versions to mark the vanished tags as gone."""
        self._fetch()
        result = RefreshResult()
        tags = self._refs("refs/tags/")
        seen = self._refs(SEEN_TAGS)
        for tag, commit in sorted(tags.items()):
            if tag not in seen:
                self._git("update-ref", SEEN_TAGS + tag, commit)
                seen[tag] = commit
            elif seen[tag] != commit:
                result.moved.append(MovedTag(tag, seen[tag], commit))
            first = seen[tag]
            for slug, path in sorted(self._stack_paths(first).items()):
                result.versions.append(SourceVersion(slug, tag, first, path, "tag"))
        result.gone = sorted(set(seen) - set(tags))
        head = self._refs("refs/heads/").get(self.branch)
        if head:
            paths = self._stack_paths(head)
            versions = self._tree_versions(head, paths)
            for slug, path in sorted(paths.items()):
                result.versions.append(SourceVersion(slug, versions[slug], head, path, "branch"))
        return result

    def export(self, version: SourceVersion, target: Path) -> Path:
        """Write the stack folder of `version` into `target` (new or empty), refusing trees
        over the size limit or with symlinks that leave the stack folder."""
        entries = self._tree(version.commit, version.path)
        size = sum(entry[2] for entry in entries)
        if size > self.max_bytes:
            raise SourceError(f"{version.slug}@{version.version}: {size} bytes exceeds the limit")
        links = [entry for entry in entries if entry[0] == _SYMLINK_MODE]
        targets = self._blobs([sha for _, sha, _, _ in links]) if links else {}
        for _, sha, _, relative in links:
            pointed = posixpath.normpath(
                posixpath.join(posixpath.dirname(relative), targets[sha].decode())
            )
            if posixpath.isabs(pointed) or pointed == ".." or pointed.startswith("../"):
                raise SourceError(
                    f"{version.slug}@{version.version}: symlink {relative} points outside the stack"
                )
        archive = self._git("archive", "--format=tar", f"{version.commit}:{version.path}")
        target.mkdir(parents=True, exist_ok=True)
        if any(target.iterdir()):
            raise SourceError(f"export target {target} is not empty")
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(target, filter="data")  # refuses absolute and escaping members
        return target


_ACCESS_REFUSED = ("could not read Username", "Authentication failed", "Permission denied (")


def _access_hint(stderr: str, with_credential: bool) -> str:
    """git's words when a server wants credentials are about a terminal prompt; say what
    to do in Plateau's terms first."""
    if "Host key verification failed" in stderr:
        return (
            "the SSH server's host key is not trusted: add it, as ssh-keyscan prints it, to "
            "the known hosts of the source's credential. "
        )
    if not any(words in stderr for words in _ACCESS_REFUSED):
        return ""
    if with_credential:
        return "the server refused the source's credential (check its token, user name or key). "
    return "the server asks for credentials: give the source a Git repository access credential. "


def _has_password(url: str) -> bool:
    authority = url.split("://", 1)[1].split("/", 1)[0]
    return ":" in authority.rpartition("@")[0]


def _disk_usage(path: Path) -> int:
    total = 0
    for directory, _, filenames in os.walk(path):
        for name in filenames:
            with contextlib.suppress(FileNotFoundError):  # git renames temporary files
                total += os.lstat(os.path.join(directory, name)).st_size
    return total
