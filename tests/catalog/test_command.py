"""`python manage.py stacks validate`: the report platform teams run in their CI."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.catalog.conftest import SMALL_TF, small_stack, write_stack

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def good(stacks_dir):
    return write_stack(
        stacks_dir,
        "good",
        small_stack("good", "Good"),
        {"tf/main.tf": SMALL_TF, "README.md": "# Good\n"},
    )


@pytest.fixture
def bad(stacks_dir):
    text = small_stack("bad", "Bad").replace("steps:", "colour: red\nsteps:")
    return write_stack(stacks_dir, "bad", text, {"tf/main.tf": SMALL_TF})


def test_valid_stacks_exit_0_with_a_summary(good, capsys):
    call_command("stacks", "validate", str(good))
    out = capsys.readouterr().out
    assert out.startswith("good (sha256-") and ": ok" in out.splitlines()[0]
    assert out.splitlines()[-1].startswith("1 stack(s) validated: 1 ok, 0 failed")


def test_any_error_exits_1_with_one_line_per_problem(good, bad, stacks_dir, capsys):
    with pytest.raises(SystemExit) as exit_:
        call_command("stacks", "validate", str(stacks_dir))
    assert exit_.value.code == 1
    out = capsys.readouterr().out
    assert "bad (sha256-" in out and "FAILED" in out
    assert "  stack.yaml:7 [colour]: error: unknown key 'colour'" in out
    assert "2 stack(s) validated: 1 ok, 1 failed" in out


def test_exit_codes_of_the_real_command(good, bad, tmp_path):
    def run(*paths):
        return subprocess.run(
            [sys.executable, "manage.py", "stacks", "validate", *map(str, paths)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            env={**os.environ, "PLATEAU_DATA_DIR": str(tmp_path / "data")},
        )

    assert run(good).returncode == 0
    failed = run(bad)
    assert failed.returncode == 1 and "unknown key 'colour'" in failed.stdout
    missing = run(tmp_path / "nowhere")
    assert missing.returncode == 2 and "no stack found" in missing.stderr


def test_sync_reports_an_unusable_source_and_keeps_going(folder_source, good, db, capsys):
    from portal.catalog.models import StackSource

    StackSource.objects.create(name="remote", kind="git", location="ftp://example.com/x.git")
    call_command("stacks", "sync", "local", "remote")
    captured = capsys.readouterr()
    assert "local: 1 added, 0 invalid, 0 gone" in captured.out
    assert "error: URL scheme 'ftp' is not allowed" in captured.err
    assert "URL scheme 'ftp'" in StackSource.objects.get(name="remote").last_error
