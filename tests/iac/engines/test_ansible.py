import threading
from pathlib import Path

import psutil
import pytest

from iac.engines import EngineCancelled, EngineError, StepContext, get_engine

from .conftest import processes_with_token, write_files

PLAYBOOK = """
    - hosts: all
      gather_facts: false
      tasks:
        - name: write the greeting
          ansible.builtin.copy:
            dest: "{{ target }}"
            content: "hello {{ who }}\\n"
        - name: publish outputs
          ansible.builtin.set_stats:
            per_host: false
            data:
              path: "{{ target }}"
              greeting: "hello {{ who }}"
"""


@pytest.fixture
def step(tmp_path: Path) -> Path:
    return write_files(tmp_path / "step", {"playbook.yml": PLAYBOOK})


def test_check_mode_plans_and_apply_makes_the_change(step, tmp_path, events):
    target = tmp_path / "greeting.txt"
    engine = get_engine("ansible")
    ctx = StepContext(workdir=step, inputs={"target": str(target), "who": "world"})

    plan = engine.plan(ctx, events)
    assert plan.has_changes
    assert plan.summary["changed"] == 1
    assert plan.changes == [{"task": "write the greeting", "host": "localhost"}]
    assert "+hello world" in plan.diff
    assert not target.exists()
    changed = [e for e in events if e.payload.get("changed")]
    assert [(e.line, e.payload["task"], e.payload["host"]) for e in changed] == [
        ("changed: [localhost]", "write the greeting", "localhost")
    ]

    applied = engine.apply(ctx, plan, events)
    assert target.read_text() == "hello world\n"
    assert applied.outputs == {"path": str(target), "greeting": "hello world"}
    assert applied.summary["changed"] == 1
    assert engine.outputs(ctx).outputs == applied.outputs

    assert not engine.plan(ctx).has_changes


def test_syntax_check_reports_file_and_line(step):
    engine = get_engine("ansible")
    assert engine.validate(StepContext(workdir=step)) == []
    (step / "playbook.yml").write_text(
        "- hosts: all\n  tasks:\n    - name: typo\n      no_such_module_xyz: {}\n"
    )
    [problem] = engine.validate(StepContext(workdir=step))
    assert "no_such_module_xyz" in problem.message
    assert (problem.file, problem.line) == ("playbook.yml", 3)


def test_a_failing_task_fails_the_run_with_its_name(step):
    (step / "playbook.yml").write_text(
        "- hosts: all\n  gather_facts: false\n  tasks:\n"
        "    - name: refuse\n      ansible.builtin.fail:\n        msg: not today\n"
    )
    engine = get_engine("ansible")
    ctx = StepContext(workdir=step)
    with pytest.raises(EngineError, match="'refuse' failed on localhost: not today"):
        engine.apply(ctx, engine.plan(ctx))


def test_destroy_without_a_destroy_playbook_changes_nothing(step):
    engine = get_engine("ansible")
    plan = engine.plan(StepContext(workdir=step), destroy=True)
    assert not plan.has_changes


def test_cancel_during_a_long_task_leaves_no_process(step, events):
    (step / "playbook.yml").write_text(
        "- hosts: all\n  gather_facts: false\n  tasks:\n"
        "    - name: wait\n      ansible.builtin.command: sleep 60\n"
    )
    ctx = StepContext(workdir=step, cancel_grace=2)
    # As in a run: the plan and the apply are done by two engine instances.
    plan = get_engine("ansible").plan(ctx)  # check mode skips `command`
    engine = get_engine("ansible")
    sleeping = threading.Event()

    def module_running() -> bool:
        for proc in engine.supervisor.processes():
            try:
                if proc.cmdline()[:1] == ["sleep"]:
                    return True
            except psutil.Error:
                pass
        return False

    def cancel_when_sleeping():
        # Cancel once the module really runs, whatever session it moved to.
        while not module_running():
            if sleeping.wait(0.1):
                return
        engine.cancel()

    canceller = threading.Thread(target=cancel_when_sleeping)
    canceller.start()
    try:
        with pytest.raises(EngineCancelled):
            engine.apply(ctx, plan, events)
    finally:
        sleeping.set()
        canceller.join()
    assert processes_with_token(engine.run_token) == []
    # Credentials in the environment are never written next to runner's artifacts.
    assert list(step.rglob("envvars")) == []
