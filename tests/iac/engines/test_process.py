import sys
import textwrap
import uuid

import pytest

from iac.engines import ENGINES, EngineError, get_engine
from iac.engines.errors import EngineCancelled, EngineTimeout
from iac.engines.process import RUN_TOKEN_ENV, ProcessSupervisor, stream_process

from .conftest import processes_with_token


def python(code: str) -> list[str]:
    return [sys.executable, "-u", "-c", textwrap.dedent(code)]


def run(argv, supervisor, tmp_path, on_line, **options):
    env = supervisor.env({"GREETING": "hi"})
    return stream_process(
        argv, supervisor=supervisor, cwd=tmp_path, env=env, on_line=on_line, **options
    )


def test_lines_arrive_while_the_process_still_runs(tmp_path):
    """The child waits for a file that the callback writes on the first line: buffered
    output would never get there (the timeout turns that into a failure)."""
    flag = tmp_path / "seen"
    lines = []

    def on_line(stream, line):
        lines.append((stream, line))
        if line == "first":
            flag.touch()

    code = f"""
        import os, sys, time
        print("first")
        while not os.path.exists({str(flag)!r}):
            time.sleep(0.01)
        print("oops", file=sys.stderr)
        print(os.environ["GREETING"], end="")
    """
    supervisor = ProcessSupervisor(uuid.uuid4().hex)
    assert run(python(code), supervisor, tmp_path, on_line, timeout=30) == 0
    assert lines[0] == ("stdout", "first")
    assert sorted(lines[1:]) == [("stderr", "oops"), ("stdout", "hi")]


def test_stdin_is_passed_and_exit_code_returned(tmp_path):
    lines = []
    code = "import sys; print(sys.stdin.read().upper()); sys.exit(3)"
    supervisor = ProcessSupervisor(uuid.uuid4().hex)
    returncode = run(python(code), supervisor, tmp_path, lambda s, x: lines.append(x), stdin=b"ab")
    assert (returncode, lines) == (3, ["AB"])


def test_cancel_reaches_processes_that_left_the_session(tmp_path):
    code = """
        import os, subprocess, time
        subprocess.Popen(["sleep", "60"], start_new_session=True)
        subprocess.Popen(["sleep", "61"])
        print("started")
        time.sleep(60)
    """
    supervisor = ProcessSupervisor(uuid.uuid4().hex, grace=1)

    def on_line(stream, line):
        if line == "started":
            supervisor.cancel()

    with pytest.raises(EngineCancelled):
        run(python(code), supervisor, tmp_path, on_line)
    assert processes_with_token(supervisor.token) == []


def test_a_process_ignoring_sigint_is_killed_after_the_grace_period(tmp_path):
    code = """
        import signal, time
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        print("ready")
        time.sleep(60)
    """
    supervisor = ProcessSupervisor(uuid.uuid4().hex, grace=0.5)

    def on_line(stream, line):
        supervisor.cancel()

    with pytest.raises(EngineCancelled):
        run(python(code), supervisor, tmp_path, on_line)
    assert processes_with_token(supervisor.token) == []


def test_timeout_stops_the_command(tmp_path):
    supervisor = ProcessSupervisor(uuid.uuid4().hex, grace=1)
    with pytest.raises(EngineTimeout):
        run(["sleep", "60"], supervisor, tmp_path, lambda s, x: None, timeout=0.5)
    assert processes_with_token(supervisor.token) == []


def test_a_missing_executable_is_a_clear_error(tmp_path):
    supervisor = ProcessSupervisor(uuid.uuid4().hex)
    with pytest.raises(EngineError, match="no-such-tool not found"):
        run(["no-such-tool"], supervisor, tmp_path, lambda s, x: None)


def test_registry_builds_a_fresh_engine_per_run():
    assert set(ENGINES) == {"terraform", "opentofu", "ansible", "helm"}
    first, second = get_engine("terraform"), get_engine("terraform")
    assert first is not second
    assert first.run_token != second.run_token
    assert get_engine("opentofu").name == "opentofu"
    with pytest.raises(EngineError, match="unknown engine 'pulumi'"):
        get_engine("pulumi")


def test_commands_do_not_inherit_plateau_secrets_or_ambient_credentials(tmp_path, monkeypatch):
    monkeypatch.setenv("PLATEAU_SECRET_KEY", "do-not-leak-1")
    monkeypatch.setenv("DATABASE_URL", "postgres://u:do-not-leak-2@db/x")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "do-not-leak-3")
    monkeypatch.setenv("HARMLESS_SETTING", "kept")
    supervisor = ProcessSupervisor("token-env")
    env = supervisor.env({"AWS_SECRET_ACCESS_KEY": "bound-credential"})
    assert "PLATEAU_SECRET_KEY" not in env and "DATABASE_URL" not in env
    assert env["AWS_SECRET_ACCESS_KEY"] == "bound-credential"  # given explicitly: passed
    assert env["HARMLESS_SETTING"] == "kept"
    assert env[RUN_TOKEN_ENV] == "token-env"
