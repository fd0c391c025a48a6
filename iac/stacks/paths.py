"""Keeping stack files inside their folder: a stack comes from a git repository its
authors control, and its paths must not reach the rest of the machine."""

import os
from pathlib import Path, PurePosixPath


def path_escape(root: Path, relative: str) -> str | None:
    """Why `relative` leaves `root` (absolute, `..`, or a symlink on the way pointing
    outside), or None when it stays inside."""
    pure = PurePosixPath(relative)
    if pure.is_absolute() or Path(relative).is_absolute():
        return f"path {relative!r} is absolute; use a path relative to the stack folder"
    if ".." in pure.parts:
        return f"path {relative!r} leaves the stack folder ('..')"
    real_root = root.resolve()
    target = (root / relative).resolve()
    if target != real_root and real_root not in target.parents:
        return f"path {relative!r} resolves outside the stack folder (symlink)"
    return None


def outside_symlinks(root: Path) -> list[tuple[str, str]]:
    """(relative path, link target) of every symlink under `root` pointing outside it."""
    real_root = root.resolve()
    found = []
    for directory, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            path = Path(directory) / name
            if not path.is_symlink():
                continue
            target = path.resolve()
            if target != real_root and real_root not in target.parents:
                found.append((path.relative_to(root).as_posix(), os.readlink(path)))
    return sorted(found)


def step_path_problem(root: Path, engine: str, relative: str) -> str | None:
    """Why a step's `path` cannot be used, or None: it must stay inside the stack and be
    a folder (Terraform module, Helm chart) or, for Ansible, a playbook file."""
    escape = path_escape(root, relative)
    if escape:
        return escape
    target = root / relative
    if not target.exists():
        return f"{relative!r} does not exist in the stack folder"
    if engine == "ansible":
        if not target.is_file() or target.suffix not in (".yml", ".yaml"):
            return f"an Ansible step's path must be a playbook file (.yml), not {relative!r}"
    elif not target.is_dir():
        return f"a {engine} step's path must be a folder, not {relative!r}"
    return None
