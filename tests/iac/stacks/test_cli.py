"""`stacks validate`: readable report, JSON, exit codes."""

import io
import json
import subprocess
import sys

from iac.stacks.cli import main

from .conftest import MINIMAL


def run(argv):
    out = io.StringIO()
    return main(argv, out=out), out.getvalue()


def test_valid_stack_exits_0(make_stack):
    code, out = run(["validate", str(make_stack())])
    assert code == 0
    assert out.splitlines()[0].startswith("demo (sha256-")
    assert out.splitlines()[-1] == "1 stack(s) validated: 1 ok, 0 failed (0 error(s), 0 warning(s))"


def test_errors_exit_1_with_one_line_per_problem(make_stack):
    root = make_stack(MINIMAL.replace("default: 1\n", "default: 1\n    colour: red\n"))
    code, out = run(["validate", str(root.parent)])  # a folder of stacks
    assert code == 1
    assert "  stack.yaml:9 [parameters[0].colour]: error: unknown key 'colour'" in out
    assert "0 ok, 1 failed (1 error(s), 0 warning(s))" in out


def test_json_format(make_stack):
    code, out = run(["validate", "--format", "json", str(make_stack())])
    document = json.loads(out)
    assert code == 0 and document["ok"] is True
    assert document["stacks"][0]["slug"] == "demo"


def test_usage_errors_exit_2(tmp_path, capsys):
    assert run(["validate", str(tmp_path / "nothing")])[0] == 2
    assert "no stack found" in capsys.readouterr().err
    assert run(["frobnicate"])[0] == 2
    assert run(["validate", "--format", "xml"])[0] == 2


def test_python_dash_m(make_stack):
    result = subprocess.run(
        [sys.executable, "-m", "iac.stacks", "validate", str(make_stack())],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 ok, 0 failed" in result.stdout
