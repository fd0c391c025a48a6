from pathlib import Path

import pytest

from iac.engines import EngineError, StepContext, get_engine
from iac.engines.helm import NO_CLUSTER

from .conftest import write_files

CHART = {
    "chart/Chart.yaml": """
        apiVersion: v2
        name: web
        version: 0.1.0
    """,
    "chart/values.yaml": """
        greeting: hello
        service:
          port: 8080
    """,
    "chart/templates/configmap.yaml": """
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: {{ .Release.Name }}-config
        data:
          greeting: {{ .Values.greeting | quote }}
    """,
    "chart/templates/service.yaml": """
        apiVersion: v1
        kind: Service
        metadata:
          name: {{ .Release.Name }}
        spec:
          ports:
            - port: {{ .Values.service.port }}
    """,
}

UNREACHABLE_KUBECONFIG = """
    apiVersion: v1
    kind: Config
    clusters:
      - name: lab
        cluster: {server: "https://127.0.0.1:1"}
    contexts:
      - name: lab
        context: {cluster: lab, user: ci}
    current-context: lab
    users:
      - name: ci
        user: {token: not-a-secret}
"""


@pytest.fixture
def step(tmp_path: Path) -> Path:
    return write_files(tmp_path / "step", CHART)


def context(step: Path, **changes) -> StepContext:
    return StepContext(workdir=step, chart="chart", release="shop", namespace="apps", **changes)


def test_lint_and_default_template_accept_a_valid_chart(step):
    assert get_engine("helm").validate(context(step)) == []


def test_lint_reports_a_broken_template_with_file_and_line(step):
    (step / "chart/templates/broken.yaml").write_text("kind: ConfigMap\nname: {{ .Release.Name\n")
    problems = get_engine("helm").validate(context(step))
    errors = [p for p in problems if p.severity == "error"]
    assert errors
    assert (errors[0].file, errors[0].line) == ("chart/templates/broken.yaml", 2)


def test_plan_renders_and_counts_objects(step, events):
    plan = get_engine("helm").plan(context(step, inputs={"greeting": "bonjour"}), events)
    assert plan.summary == {"add": 2, "change": 0, "destroy": 0}
    assert plan.has_changes
    assert {(c["kind"], c["name"], c["action"]) for c in plan.changes} == {
        ("ConfigMap", "shop-config", "create"),
        ("Service", "shop", "create"),
    }
    assert 'greeting: "bonjour"' in plan.manifests
    assert "Plan: 2 to add, 0 to change, 0 to destroy." in events.lines()


def test_plan_diffs_against_the_last_release(step):
    engine = get_engine("helm")
    previous = engine.plan(context(step)).manifests
    (step / "chart/templates/service.yaml").unlink()

    plan = engine.plan(context(step, inputs={"greeting": "hi"}, previous_manifest=previous))
    assert plan.summary == {"add": 0, "change": 1, "destroy": 1}
    assert "-  greeting: hello\n+  greeting: hi\n" in plan.diff
    assert "--- a/Service/shop" in plan.diff

    same = engine.plan(context(step, previous_manifest=plan.manifests, inputs={"greeting": "hi"}))
    assert not same.has_changes
    assert same.diff == ""


def test_destroy_plan_removes_every_object_of_the_release(step):
    engine = get_engine("helm")
    previous = engine.plan(context(step)).manifests
    plan = engine.plan(context(step, previous_manifest=previous), destroy=True)
    assert plan.summary == {"add": 0, "change": 0, "destroy": 2}


def test_apply_without_a_cluster_fails_clearly(step):
    engine = get_engine("helm")
    ctx = context(step)
    with pytest.raises(EngineError, match=NO_CLUSTER):
        engine.apply(ctx, engine.plan(ctx))


def test_apply_against_an_unreachable_cluster_fails_clearly(step, tmp_path):
    kubeconfig = write_files(tmp_path, {"kubeconfig": UNREACHABLE_KUBECONFIG}) / "kubeconfig"
    engine = get_engine("helm")
    ctx = context(step, kubeconfig=kubeconfig)
    with pytest.raises(EngineError, match=r"cluster at https://127\.0\.0\.1:1 unreachable"):
        engine.apply(ctx, engine.plan(ctx))
