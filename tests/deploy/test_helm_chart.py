"""The Helm chart that deploys Plateau (deploy/helm/plateau), checked offline with `helm`.

No cluster is needed: `helm lint` and `helm template` render the chart locally and the
manifests are read back with PyYAML. Run with `pytest -p no:django tests/deploy`.
"""

import base64
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml
from cryptography.fernet import Fernet

REPO = Path(__file__).resolve().parents[2]
CHART = REPO / "deploy" / "helm" / "plateau"
MINIMAL = CHART / "ci" / "minimal-values.yaml"
FULL = CHART / "ci" / "full-values.yaml"
DOCKERFILE = REPO / "deploy" / "Dockerfile"
RELEASE = "plateau"
NAMESPACE = "platform"
FULLNAME = "plateau"  # the release name already contains the chart name

MINIMAL_VALUES = yaml.safe_load(MINIMAL.read_text())
DATABASE_URL = MINIMAL_VALUES["database"]["url"]
BROKER_URL = MINIMAL_VALUES["broker"]["url"]
SECRET_VARIABLES = (
    "PLATEAU_SECRET_KEY",
    "PLATEAU_CREDENTIAL_KEYS",
    "DATABASE_URL",
    "CELERY_BROKER_URL",
)
# Two valid Fernet keys (32 url-safe base64-encoded bytes each), fixed for the tests.
KEY_NEW = base64.urlsafe_b64encode(b"n" * 32).decode()
KEY_OLD = base64.urlsafe_b64encode(b"o" * 32).decode()


def find_helm() -> str | None:
    on_path = shutil.which("helm")
    if on_path:
        return on_path
    beside_python = Path(sys.executable).parent / "helm"  # where scripts/install_tools.py puts it
    return str(beside_python) if beside_python.is_file() else None


@pytest.fixture(scope="session")
def helm(tmp_path_factory):
    """Runs helm with its caches and config in a temporary folder; returns the result."""
    binary = find_helm()
    if binary is None:
        pytest.fail("helm is neither on PATH nor next to python: run scripts/install_tools.py")
    home = tmp_path_factory.mktemp("helm-home")
    env = {
        **os.environ,
        "HELM_CACHE_HOME": str(home / "cache"),
        "HELM_CONFIG_HOME": str(home / "config"),
        "HELM_DATA_HOME": str(home / "data"),
        "NO_COLOR": "1",
    }

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [binary, *args], capture_output=True, text=True, env=env, timeout=60, check=False
        )

    return run


def set_args(values: dict[str, str] | None) -> list[str]:
    return [arg for key, value in (values or {}).items() for arg in ("--set", f"{key}={value}")]


@pytest.fixture(scope="session")
def render(helm):
    """Renders the chart into a list of manifests; fails the test on a rendering error."""

    def _render(*files: Path, values: dict[str, str] | None = None) -> list[dict]:
        args = ["template", RELEASE, str(CHART), "--namespace", NAMESPACE]
        for values_file in files:
            args += ["--values", str(values_file)]
        result = helm(*args, *set_args(values))
        assert result.returncode == 0, result.stderr
        return [doc for doc in yaml.safe_load_all(result.stdout) if doc]

    return _render


@pytest.fixture(scope="session")
def minimal(render):
    return render(MINIMAL)


@pytest.fixture(scope="session")
def full(render):
    return render(FULL)


def find(docs: list[dict], kind: str, name: str) -> dict:
    matches = [d for d in docs if d["kind"] == kind and d["metadata"]["name"] == name]
    assert len(matches) == 1, f"expected one {kind} {name}, found {len(matches)}"
    return matches[0]


def kinds(docs: list[dict]) -> set[tuple[str, str]]:
    return {(d["kind"], d["metadata"]["name"]) for d in docs}


def deployment(docs: list[dict], component: str) -> dict:
    return find(docs, "Deployment", f"{FULLNAME}-{component}")


def containers(workload: dict, init: bool = True) -> list[dict]:
    spec = workload["spec"]["template"]["spec"]
    return spec["containers"] + (spec.get("initContainers", []) if init else [])


def main_container(workload: dict) -> dict:
    return workload["spec"]["template"]["spec"]["containers"][0]


def env_by_name(container: dict) -> dict[str, dict]:
    return {item["name"]: item for item in container.get("env", [])}


def workloads(docs: list[dict]) -> list[dict]:
    return [d for d in docs if d["kind"] in ("Deployment", "Job")]


# ------------------------------------------------------------------------------ lint


def test_lint_passes_with_minimal_values(helm):
    result = helm("lint", str(CHART), "--values", str(MINIMAL))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 chart(s) failed" in result.stdout


@pytest.mark.parametrize("values_file", [MINIMAL, FULL], ids=["minimal", "full"])
def test_lint_strict_passes(helm, values_file):
    result = helm("lint", "--strict", str(CHART), "--values", str(values_file))
    assert result.returncode == 0, result.stdout + result.stderr


def test_lint_rejects_missing_database(helm):
    """`helm lint` only logs `fail`; the chart still makes lint report the missing setting."""
    result = helm("lint", str(CHART), "--set", f"broker.url={BROKER_URL}")
    assert result.returncode != 0
    assert "database.url or database.existingSecret is required" in result.stdout


# ----------------------------------------------------------------- bad values rejected


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"broker.url": BROKER_URL}, "database.url or database.existingSecret is required"),
        ({"database.url": DATABASE_URL}, "broker.url or broker.existingSecret is required"),
        ({"database.existingSecret": "db"}, "broker.url or broker.existingSecret is required"),
    ],
    ids=["no-database", "no-broker", "no-broker-with-existing-database-secret"],
)
def test_missing_connection_settings_fail_clearly(helm, values, message):
    result = helm("template", RELEASE, str(CHART), *set_args(values))
    assert result.returncode != 0
    assert message in result.stderr


@pytest.mark.parametrize(
    ("values", "message"),
    [
        (
            {"database.url": DATABASE_URL, "database.existingSecret": "db"},
            "database.url and database.existingSecret are both set",
        ),
        ({"secretKey.value": "too-short"}, "secretKey.value must be at least 32 characters"),
        (
            {"credentialKeys.value": f"{{{KEY_NEW}}}", "credentialKeys.existingSecret": "keys"},
            "credentialKeys.value and credentialKeys.existingSecret are both set",
        ),
        (
            {"config.extra.PLATEAU_CREDENTIAL_KEYS": KEY_NEW},
            "config.extra.PLATEAU_CREDENTIAL_KEYS: secrets do not belong in the ConfigMap",
        ),
        (
            {"config.extra.PLATEAU_CREDENTIAL_KEY_FILE": "/keys/credential-keys"},
            "config.extra.PLATEAU_CREDENTIAL_KEY_FILE: the chart sets PLATEAU_CREDENTIAL_KEYS",
        ),
        (
            {"extraEnv[0].name": "PLATEAU_CREDENTIAL_KEYS", "extraEnv[0].value": KEY_NEW},
            "extraEnv PLATEAU_CREDENTIAL_KEYS: the chart sets PLATEAU_CREDENTIAL_KEYS",
        ),
        (
            {"config.extra.DATABASE_URL": "postgresql://x"},
            "config.extra.DATABASE_URL: secrets do not belong in the ConfigMap",
        ),
        (
            {"web.pdb.enabled": "true", "web.pdb.maxUnavailable": "1"},
            "web.pdb: set minAvailable or maxUnavailable, not both",
        ),
        (
            {"web.autoscaling.enabled": "true", "web.autoscaling.minReplicas": "5"}
            | {"web.autoscaling.maxReplicas": "2"},
            "web.autoscaling.minReplicas must not be greater",
        ),
        (
            {"config.staticRoot": "/var/lib/plateau/staticfiles"},
            "config.staticRoot (/var/lib/plateau/staticfiles) must be outside config.dataDir",
        ),
        (
            {"config.staticRoot": "/srv/plateau/static", "config.dataDir": "/srv/plateau/"},
            "config.staticRoot (/srv/plateau/static) must be outside config.dataDir",
        ),
    ],
    ids=[
        "database-twice",
        "short-secret-key",
        "credential-keys-twice",
        "credential-keys-in-config",
        "credential-key-file-in-config",
        "credential-keys-in-extra-env",
        "secret-in-config",
        "pdb-both",
        "hpa-min-max",
        "static-root-in-data-dir",
        "static-root-in-data-dir-with-slash",
    ],
)
def test_inconsistent_values_fail_clearly(helm, values, message):
    result = helm("template", RELEASE, str(CHART), "--values", str(MINIMAL), *set_args(values))
    assert result.returncode != 0
    assert message in result.stderr


@pytest.mark.parametrize(
    ("values", "path"),
    [
        ({"web.replicas": "two"}, "/web/replicas"),
        ({"worker.concurrency": "0"}, "/worker/concurrency"),
        ({"web.workers": "true"}, "/web/workers"),
        ({"database.url": "mysql://plateau@db/plateau"}, "/database/url"),
        ({"broker.url": "filesystem://"}, "/broker/url"),
        ({"config.logLevel": "LOUD"}, "/config/logLevel"),
        ({"image.pullPolicy": "Sometimes"}, "/image/pullPolicy"),
        ({"web.ingress.enabled": "yes-please"}, "/web/ingress/enabled"),
        ({"config.https": "sometimes"}, "/config/https"),
        ({"config.staticRoot": "staticfiles"}, "/config/staticRoot"),
        ({"config.secureCookies": "true"}, "secureCookies"),
        ({"web.staticFiles.copyFromImage": "true"}, "staticFiles"),
        ({"beat.replicas": "2"}, "/beat"),
        ({"databse.url": DATABASE_URL}, "databse"),
        ({"credentialKeys.existingSecretKey": ""}, "/credentialKeys/existingSecretKey"),
    ],
    ids=lambda v: v if isinstance(v, str) else next(iter(v)),
)
def test_schema_rejects_invalid_values(helm, values, path):
    args = ["--values", str(MINIMAL), *set_args(values)]
    for command in (["template", RELEASE], ["lint"]):
        result = helm(*command, str(CHART), *args)
        assert result.returncode != 0, f"helm {command[0]} accepted {values}"
        assert path in result.stdout + result.stderr


@pytest.mark.parametrize(
    "value",
    [
        KEY_NEW,  # a string, even one valid key: the value is a list
        f"{KEY_NEW},{KEY_OLD}",  # nor a comma string
        "{not-a-fernet-key}",  # a list, but of something else
        f"{{{KEY_NEW}x}}",
        f"{{{KEY_NEW},{KEY_NEW}}}",  # the same key twice
    ],
    ids=["one-key-string", "comma-string", "not-a-key", "key-too-long", "duplicate"],
)
def test_schema_rejects_credential_keys_that_are_not_a_list_of_fernet_keys(helm, value):
    args = ["--values", str(MINIMAL), "--set", f"credentialKeys.value={value}"]
    for command in (["template", RELEASE], ["lint"]):
        result = helm(*command, str(CHART), *args)
        assert result.returncode != 0, f"helm {command[0]} accepted credentialKeys.value={value}"
        assert "/credentialKeys/value" in result.stdout + result.stderr


def test_schema_credential_keys_accepts_a_list_of_keys_and_rejects_other_types():
    schema = json.loads((CHART / "values.schema.json").read_text())
    defaults = yaml.safe_load((CHART / "values.yaml").read_text())
    base = merge(defaults, MINIMAL_VALUES)
    good = merge(base, {"credentialKeys": {"value": [KEY_NEW, KEY_OLD]}})
    jsonschema.validate(good, schema)
    for bad in (KEY_NEW, f"{KEY_NEW},{KEY_OLD}", 42, None, {"key": KEY_NEW}, [42]):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(merge(base, {"credentialKeys": {"value": bad}}), schema)


def test_schema_is_valid_and_accepts_the_shipped_values():
    schema = json.loads((CHART / "values.schema.json").read_text())
    jsonschema.Draft7Validator.check_schema(schema)
    defaults = yaml.safe_load((CHART / "values.yaml").read_text())
    for extra in (MINIMAL, FULL):
        merged = merge(defaults, yaml.safe_load(extra.read_text()))
        jsonschema.validate(merged, schema)


def merge(base: dict, override: dict) -> dict:
    result = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(result.get(key), dict):
            result[key] = merge(result[key], value)
        else:
            result[key] = value
    return result


# ------------------------------------------------------------------- what is rendered


def test_minimal_render_has_the_processes_and_nothing_optional(minimal):
    rendered = kinds(minimal)
    for expected in [
        ("Deployment", f"{FULLNAME}-web"),
        ("Deployment", f"{FULLNAME}-worker"),
        ("Deployment", f"{FULLNAME}-beat"),
        ("Job", f"{FULLNAME}-migrate"),
        ("Service", FULLNAME),
        ("ConfigMap", FULLNAME),
        ("Secret", FULLNAME),
        ("ServiceAccount", FULLNAME),
    ]:
        assert expected in rendered
    optional = {"Ingress", "HorizontalPodAutoscaler", "PodDisruptionBudget"}
    assert not optional & {kind for kind, _ in rendered}
    assert "PersistentVolumeClaim" not in {kind for kind, _ in rendered}
    assert all(d["metadata"].get("namespace", NAMESPACE) == NAMESPACE for d in minimal)


def test_optional_resources_render_when_enabled(full):
    ingress = find(full, "Ingress", FULLNAME)
    assert ingress["spec"]["ingressClassName"] == "nginx"
    tls = [{"hosts": ["plateau.example.com"], "secretName": "plateau-tls"}]
    assert ingress["spec"]["tls"] == tls
    rule = ingress["spec"]["rules"][0]
    assert rule["host"] == "plateau.example.com"
    backend = rule["http"]["paths"][0]["backend"]["service"]
    assert backend == {"name": FULLNAME, "port": {"number": 80}}

    hpa = find(full, "HorizontalPodAutoscaler", f"{FULLNAME}-web")
    assert hpa["spec"]["scaleTargetRef"]["name"] == f"{FULLNAME}-web"
    assert (hpa["spec"]["minReplicas"], hpa["spec"]["maxReplicas"]) == (2, 8)
    assert {m["resource"]["name"] for m in hpa["spec"]["metrics"]} == {"cpu", "memory"}
    # The HPA owns the replica count.
    assert "replicas" not in deployment(full, "web")["spec"]

    web_pdb = find(full, "PodDisruptionBudget", f"{FULLNAME}-web")
    assert web_pdb["spec"]["minAvailable"] == 1
    worker_pdb = find(full, "PodDisruptionBudget", f"{FULLNAME}-worker")
    assert worker_pdb["spec"]["maxUnavailable"] == 1
    assert worker_pdb["spec"]["selector"]["matchLabels"]["app.kubernetes.io/component"] == "worker"

    pvc = find(full, "PersistentVolumeClaim", f"{FULLNAME}-data")
    assert pvc["spec"]["accessModes"] == ["ReadWriteMany"]
    assert pvc["spec"]["storageClassName"] == "nfs-client"
    assert pvc["metadata"]["annotations"]["helm.sh/resource-policy"] == "keep"


def test_service_selects_the_web_pods(minimal):
    service = find(minimal, "Service", FULLNAME)
    web = deployment(minimal, "web")
    assert service["spec"]["ports"][0]["targetPort"] == "http"
    pod_labels = web["spec"]["template"]["metadata"]["labels"]
    assert service["spec"]["selector"].items() <= pod_labels.items()
    assert service["spec"]["selector"]["app.kubernetes.io/component"] == "web"


# ------------------------------------------------------------------ processes, probes


def test_web_runs_gunicorn_with_http_probes(minimal):
    web = deployment(minimal, "web")
    assert web["spec"]["replicas"] == 2
    container = main_container(web)
    assert "command" not in container  # the image's ENTRYPOINT (tini) stays PID 1
    assert container["args"] == [
        "gunicorn",
        "portal.wsgi:application",
        "--bind",
        "0.0.0.0:8000",
        "--workers",
        "2",
        "--access-logfile",
        "-",
    ]
    assert container["ports"] == [{"name": "http", "containerPort": 8000, "protocol": "TCP"}]
    for probe, path in [
        ("livenessProbe", "/healthz/live"),
        ("readinessProbe", "/healthz/ready"),
        ("startupProbe", "/healthz/live"),
    ]:
        http_get = container[probe]["httpGet"]
        assert (http_get["path"], http_get["port"]) == (path, "http")
        # Kubelet probes carry the pod IP as Host unless told otherwise: send one Django allows.
        assert http_get["httpHeaders"] == [{"name": "Host", "value": "localhost"}]


def test_web_workers_and_extra_args(render):
    docs = render(MINIMAL, values={"web.workers": "5", "web.extraArgs[0]": "--timeout"})
    web = deployment(docs, "web")
    args = main_container(web)["args"]
    assert args[args.index("--workers") + 1] == "5"
    assert args[-1] == "--timeout"


def test_worker_runs_celery_with_a_generous_ping_probe(minimal):
    worker = deployment(minimal, "worker")
    assert worker["spec"]["replicas"] == 2
    container = main_container(worker)
    assert container["args"] == [
        "celery",
        "-A",
        "portal",
        "worker",
        "--loglevel",
        "INFO",
        "--concurrency",
        "2",
    ]
    probe = container["livenessProbe"]
    command = probe["exec"]["command"]
    # A shell is needed to expand $HOSTNAME: Kubernetes does not expand exec probes.
    assert command[:2] == ["sh", "-c"]
    assert re.search(r"celery -A portal inspect ping -d \"?celery@\$HOSTNAME\"?", command[2])
    assert probe["timeoutSeconds"] >= 30
    assert probe["periodSeconds"] >= 60
    assert probe["initialDelaySeconds"] >= 30
    assert "readinessProbe" not in container and "ports" not in container
    assert worker["spec"]["template"]["spec"]["terminationGracePeriodSeconds"] >= 300


def test_worker_scaling_values(render):
    docs = render(MINIMAL, values={"worker.replicas": "7", "worker.concurrency": "3"})
    worker = deployment(docs, "worker")
    assert worker["spec"]["replicas"] == 7
    args = main_container(worker)["args"]
    assert args[args.index("--concurrency") + 1] == "3"


def test_beat_is_a_single_replica_recreated(minimal, full):
    for docs in (minimal, full):
        beat = deployment(docs, "beat")
        assert beat["spec"]["replicas"] == 1
        assert beat["spec"]["strategy"] == {"type": "Recreate"}
    assert main_container(deployment(minimal, "beat"))["args"] == [
        "celery",
        "-A",
        "portal",
        "beat",
        "--loglevel",
        "INFO",
    ]


def test_migration_job_is_a_pre_install_and_pre_upgrade_hook(minimal):
    job = find(minimal, "Job", f"{FULLNAME}-migrate")
    annotations = job["metadata"]["annotations"]
    assert set(annotations["helm.sh/hook"].split(",")) == {"pre-install", "pre-upgrade"}
    assert annotations["helm.sh/hook-delete-policy"] == "before-hook-creation"
    pod = job["spec"]["template"]["spec"]
    assert pod["restartPolicy"] == "Never"
    container = main_container(job)
    assert container["args"] == ["python", "manage.py", "migrate", "--noinput"]
    # The hook runs before the release's Secret and ConfigMap exist: it reads a hook Secret
    # created just before it, and its (non-secret) settings inline.
    hook_secret = find(minimal, "Secret", f"{FULLNAME}-migrate")
    hook_annotations = hook_secret["metadata"]["annotations"]
    assert hook_annotations["helm.sh/hook"] == annotations["helm.sh/hook"]
    assert int(hook_annotations["helm.sh/hook-weight"]) < int(annotations["helm.sh/hook-weight"])
    assert "hook-succeeded" in hook_annotations["helm.sh/hook-delete-policy"]
    env = env_by_name(container)
    for name in SECRET_VARIABLES:
        assert env[name]["valueFrom"]["secretKeyRef"]["name"] == f"{FULLNAME}-migrate"
    assert env["PLATEAU_DATA_DIR"]["value"] == "/var/lib/plateau"
    assert "envFrom" not in container
    assert "serviceAccountName" not in pod  # the chart's ServiceAccount does not exist yet
    # The generated secret key is the same in both Secrets.
    assert hook_secret["data"] == find(minimal, "Secret", FULLNAME)["data"]


def test_migration_job_can_be_disabled(render):
    docs = render(MINIMAL, values={"migrate.enabled": "false"})
    assert not [d for d in docs if d["kind"] == "Job" or d["metadata"]["name"].endswith("-migrate")]


# ---------------------------------------------------------------------------- secrets


def test_connection_settings_come_from_the_secret_never_literals(minimal):
    secret = find(minimal, "Secret", FULLNAME)
    decoded = {k: base64.b64decode(v).decode() for k, v in secret["data"].items()}
    assert decoded["database-url"] == DATABASE_URL
    assert decoded["broker-url"] == BROKER_URL
    assert len(decoded["secret-key"]) >= 32

    for workload in workloads(minimal):
        for container in containers(workload, init=False):
            env = env_by_name(container)
            for name in SECRET_VARIABLES:
                assert "value" not in env[name], f"{name} is a literal in {workload['kind']}"
                assert env[name]["valueFrom"]["secretKeyRef"]["name"].startswith(FULLNAME)
        text = yaml.safe_dump(workload)
        assert DATABASE_URL not in text and BROKER_URL not in text
        assert "change-me" not in text
    for component in ("web", "worker", "beat"):
        env = env_by_name(main_container(deployment(minimal, component)))
        assert env["DATABASE_URL"]["valueFrom"]["secretKeyRef"] == {
            "name": FULLNAME,
            "key": "database-url",
        }
        assert env["CELERY_BROKER_URL"]["valueFrom"]["secretKeyRef"] == {
            "name": FULLNAME,
            "key": "broker-url",
        }

    config = find(minimal, "ConfigMap", FULLNAME)["data"]
    assert not set(SECRET_VARIABLES) & set(config)
    assert "change-me" not in yaml.safe_dump(config)


def test_existing_secrets_are_referenced_and_no_secret_is_rendered(full):
    assert not [d for d in full if d["kind"] == "Secret"]
    for workload in workloads(full):
        env = env_by_name(main_container(workload))
        refs = {name: env[name]["valueFrom"]["secretKeyRef"] for name in SECRET_VARIABLES}
        assert refs == {
            "PLATEAU_SECRET_KEY": {"name": "plateau-credentials", "key": "secret-key"},
            "PLATEAU_CREDENTIAL_KEYS": {"name": "plateau-credentials", "key": "credential-keys"},
            "DATABASE_URL": {"name": "plateau-credentials", "key": "database-url"},
            "CELERY_BROKER_URL": {"name": "plateau-credentials", "key": "broker-url"},
        }
        assert env["PLATEAU_EXAMPLE_TOKEN"]["valueFrom"]["secretKeyRef"]["key"] == "example-token"


def test_credential_keys_reach_every_plateau_container_through_the_secret(minimal):
    """Web, worker, beat and the migration hook share one generated key, never a literal."""
    secret = find(minimal, "Secret", FULLNAME)
    hook_secret = find(minimal, "Secret", f"{FULLNAME}-migrate")
    generated = base64.b64decode(secret["data"]["credential-keys"]).decode()
    Fernet(generated)  # one valid Fernet key, no comma
    assert hook_secret["data"]["credential-keys"] == secret["data"]["credential-keys"]

    expected = {
        ("Deployment", f"{FULLNAME}-web"): FULLNAME,
        ("Deployment", f"{FULLNAME}-worker"): FULLNAME,
        ("Deployment", f"{FULLNAME}-beat"): FULLNAME,
        ("Job", f"{FULLNAME}-migrate"): f"{FULLNAME}-migrate",
    }
    seen = {}
    for workload in workloads(minimal):
        for container in containers(workload):
            env = env_by_name(container)
            ref = env["PLATEAU_CREDENTIAL_KEYS"]
            assert set(ref) == {"name", "valueFrom"}, "the keys must never be a literal"
            seen[(workload["kind"], workload["metadata"]["name"])] = ref["valueFrom"][
                "secretKeyRef"
            ]
            assert "PLATEAU_CREDENTIAL_KEY_FILE" not in env
        assert generated not in yaml.safe_dump(workload)
    assert seen == {
        workload: {"name": name, "key": "credential-keys"} for workload, name in expected.items()
    }
    for config_map in (d for d in minimal if d["kind"] == "ConfigMap"):
        assert not {"PLATEAU_CREDENTIAL_KEYS", "PLATEAU_CREDENTIAL_KEY_FILE"} & set(
            config_map["data"]
        )
        assert generated not in yaml.safe_dump(config_map)


def test_given_credential_keys_are_stored_comma_separated_first_one_first(render):
    docs = render(MINIMAL, values={"credentialKeys.value": f"{{{KEY_NEW},{KEY_OLD}}}"})
    for name in (FULLNAME, f"{FULLNAME}-migrate"):
        data = find(docs, "Secret", name)["data"]
        assert base64.b64decode(data["credential-keys"]).decode() == f"{KEY_NEW},{KEY_OLD}"
    for workload in workloads(docs):
        text = yaml.safe_dump(workload)
        assert KEY_NEW not in text and KEY_OLD not in text


def test_credential_keys_from_an_existing_secret(render):
    docs = render(
        MINIMAL,
        values={
            "credentialKeys.existingSecret": "plateau-keys",
            "credentialKeys.existingSecretKey": "keys",
        },
    )
    # The chart still owns the URLs and the secret key, not the credential keys.
    for name in (FULLNAME, f"{FULLNAME}-migrate"):
        data = find(docs, "Secret", name)["data"]
        assert "credential-keys" not in data
        assert {"secret-key", "database-url", "broker-url"} <= set(data)
    for workload in workloads(docs):
        for container in containers(workload):
            ref = env_by_name(container)["PLATEAU_CREDENTIAL_KEYS"]["valueFrom"]["secretKeyRef"]
            assert ref == {"name": "plateau-keys", "key": "keys"}


def test_notes_warn_offline_renderers_about_generated_credential_keys(helm):
    def notes(*extra: str) -> str:
        args = ["install", RELEASE, str(CHART), "--namespace", NAMESPACE, "--dry-run=client"]
        result = helm(*args, "--values", str(MINIMAL), *extra)
        assert result.returncode == 0, result.stderr
        return result.stdout.split("NOTES:", 1)[1]

    warning = "PLATEAU_CREDENTIAL_KEYS (the key that encrypts stored credentials) was generated"
    generated = notes()
    assert warning in generated
    assert "set credentialKeys.value" in " ".join(generated.split())
    assert warning not in notes("--set", f"credentialKeys.value={{{KEY_NEW}}}")
    assert warning not in notes("--set", "credentialKeys.existingSecret=plateau-keys")


def test_a_given_secret_key_is_stored_as_is(render):
    key = "k" * 40
    docs = render(MINIMAL, values={"secretKey.value": key})
    data = find(docs, "Secret", FULLNAME)["data"]
    assert base64.b64decode(data["secret-key"]).decode() == key


# ----------------------------------------------------------------------------- config


def test_config_map_holds_the_plateau_settings(minimal, full):
    config = find(minimal, "ConfigMap", FULLNAME)["data"]
    assert config["PLATEAU_DEBUG"] == "false"
    assert config["PLATEAU_LOG_LEVEL"] == "INFO"
    assert config["PLATEAU_TIME_ZONE"] == "UTC"
    assert config["PLATEAU_DATA_DIR"] == "/var/lib/plateau"
    assert config["PLATEAU_STATIC_ROOT"] == "/app/staticfiles"
    assert config["PLATEAU_HTTPS"] == "false"
    assert "PLATEAU_SECURE_COOKIES" not in config  # renamed PLATEAU_HTTPS in settings.py
    hosts = config["PLATEAU_ALLOWED_HOSTS"].split(",")
    assert {"localhost", FULLNAME, f"{FULLNAME}.{NAMESPACE}.svc"} <= set(hosts)
    assert config["PLATEAU_SITE_URL"] == f"http://{FULLNAME}.{NAMESPACE}.svc"

    config = find(full, "ConfigMap", FULLNAME)["data"]
    assert "plateau.example.com" in config["PLATEAU_ALLOWED_HOSTS"].split(",")
    assert config["PLATEAU_CSRF_TRUSTED_ORIGINS"] == "https://plateau.example.com"
    assert config["PLATEAU_SITE_URL"] == "https://plateau.example.com"
    assert config["PLATEAU_HTTPS"] == "true"  # the ingress has TLS
    assert config["PLATEAU_TIME_ZONE"] == "Europe/Paris"
    assert config["PLATEAU_DISABLE_PLUGIN_AUTOLOAD"] == "1"

    for component in ("web", "worker", "beat"):
        container = main_container(deployment(minimal, component))
        assert {"configMapRef": {"name": FULLNAME}} in container["envFrom"]


def test_explicit_config_wins(render):
    docs = render(
        MINIMAL,
        values={
            "config.allowedHosts[0]": "portal.example.org",
            "config.siteUrl": "https://portal.example.org",
            "config.https": "true",
            "config.debug": "true",
        },
    )
    config = find(docs, "ConfigMap", FULLNAME)["data"]
    assert config["PLATEAU_ALLOWED_HOSTS"] == "portal.example.org,localhost"
    assert config["PLATEAU_SITE_URL"] == "https://portal.example.org"
    assert config["PLATEAU_HTTPS"] == "true"
    assert config["PLATEAU_DEBUG"] == "true"


def test_https_can_be_turned_off_behind_a_tls_ingress(render):
    docs = render(FULL, values={"config.https": "false"})
    config = find(docs, "ConfigMap", FULLNAME)["data"]
    assert config["PLATEAU_HTTPS"] == "false"
    # The browser still uses https://: the CSRF origins follow the ingress TLS.
    assert config["PLATEAU_CSRF_TRUSTED_ORIGINS"] == "https://plateau.example.com"


def test_probe_paths_are_exempt_from_the_https_redirect(minimal):
    """With PLATEAU_HTTPS, kubelet's plain-HTTP probes must hit SECURE_REDIRECT_EXEMPT."""
    settings = (REPO / "portal" / "settings.py").read_text()
    exempt = re.search(r"^SECURE_REDIRECT_EXEMPT = \[(.*)\]$", settings, re.MULTILINE)
    assert exempt, "settings.py no longer defines SECURE_REDIRECT_EXEMPT"
    patterns = re.findall(r"r?\"([^\"]+)\"", exempt.group(1))
    container = main_container(deployment(minimal, "web"))
    for probe in ("livenessProbe", "readinessProbe", "startupProbe"):
        path = container[probe]["httpGet"]["path"].lstrip("/")
        assert any(re.search(p, path) for p in patterns), f"{probe} {path} would be redirected"


def test_checksums_restart_pods_when_config_or_secrets_change(render):
    pinned = {"secretKey.value": "s" * 40, "credentialKeys.value": f"{{{KEY_NEW}}}"}

    def checksums(**extra: str) -> dict[str, str]:
        web = deployment(render(MINIMAL, values=pinned | extra), "web")
        annotations = web["spec"]["template"]["metadata"]["annotations"]
        return {k: v for k, v in annotations.items() if k.startswith("checksum/")}

    base = checksums()
    assert set(base) == {"checksum/config", "checksum/secret"}
    assert checksums() == base  # stable when nothing changes
    changed_config = checksums(**{"config.logLevel": "DEBUG"})
    assert changed_config["checksum/config"] != base["checksum/config"]
    assert changed_config["checksum/secret"] == base["checksum/secret"]
    changed_secret = checksums(**{"database.url": "postgresql://other@db:5432/plateau"})
    assert changed_secret["checksum/secret"] != base["checksum/secret"]
    assert changed_secret["checksum/config"] == base["checksum/config"]
    # Adding a key for a rotation restarts the pods, so that they all pick it up.
    rotated = checksums(**{"credentialKeys.value": f"{{{KEY_OLD},{KEY_NEW}}}"})
    assert rotated["checksum/secret"] != base["checksum/secret"]


# --------------------------------------------------------------- pods: safety, storage


def test_every_container_has_resources(minimal, full):
    for docs in (minimal, full):
        for workload in workloads(docs):
            for container in containers(workload):
                resources = container.get("resources") or {}
                assert resources.get("requests"), f"{container['name']} has no requests"
                assert resources.get("limits", {}).get("memory"), container["name"]


def test_pods_run_locked_down(minimal):
    for workload in workloads(minimal):
        pod = workload["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert pod["securityContext"]["runAsUser"] != 0
        assert pod["automountServiceAccountToken"] is False
        for container in containers(workload):
            security = container["securityContext"]
            assert security["readOnlyRootFilesystem"] is True
            assert security["allowPrivilegeEscalation"] is False
            assert security["capabilities"]["drop"] == ["ALL"]
            mounts = {m["mountPath"] for m in container["volumeMounts"]}
            # A read-only root still needs somewhere to write.
            assert {"/tmp", "/var/lib/plateau"} <= mounts


def test_data_volume_is_an_empty_dir_unless_persistence_is_enabled(minimal, full):
    def data_volume(workload: dict) -> dict:
        volumes = workload["spec"]["template"]["spec"]["volumes"]
        return next(v for v in volumes if v["name"] == "data")

    for component in ("web", "worker", "beat"):
        assert data_volume(deployment(minimal, component)) == {"name": "data", "emptyDir": {}}
        claim = data_volume(deployment(full, component))["persistentVolumeClaim"]
        assert claim == {"claimName": f"{FULLNAME}-data"}
    # The migration hook runs before the claim exists, and does not need it.
    assert "emptyDir" in data_volume(find(full, "Job", f"{FULLNAME}-migrate"))


def test_static_files_are_served_from_the_image_outside_the_data_volume(minimal, full):
    """PLATEAU_STATIC_ROOT lies outside PLATEAU_DATA_DIR: no volume hides it, nothing copies."""
    for docs in (minimal, full):
        config = find(docs, "ConfigMap", FULLNAME)["data"]
        static_root = Path(config["PLATEAU_STATIC_ROOT"])
        data_dir = Path(config["PLATEAU_DATA_DIR"])
        assert static_root.is_absolute()
        assert static_root != data_dir and data_dir not in static_root.parents
        for workload in workloads(docs):
            assert "initContainers" not in workload["spec"]["template"]["spec"]
            for container in containers(workload):
                for mount in container["volumeMounts"]:
                    mounted = Path(mount["mountPath"])
                    assert mounted != static_root and mounted not in static_root.parents
    # The migration Job gets the same settings inline.
    env = env_by_name(main_container(find(minimal, "Job", f"{FULLNAME}-migrate")))
    assert env["PLATEAU_STATIC_ROOT"]["value"] == "/app/staticfiles"


def test_scheduling_defaults_and_overrides(full):
    worker = deployment(full, "worker")["spec"]["template"]["spec"]
    web = deployment(full, "web")["spec"]["template"]["spec"]
    assert worker["nodeSelector"] == {"plateau.example.com/runs": "true"}
    assert web["nodeSelector"] == {"kubernetes.io/os": "linux"}
    assert web["tolerations"][0]["key"] == "dedicated"
    assert web["imagePullSecrets"] == [{"name": "registry-credentials"}]
    assert main_container(deployment(full, "web"))["image"] == (
        "registry.example.internal/platform/plateau:0.1.0"
    )


def test_image_tag_defaults_to_the_app_version(minimal):
    chart = yaml.safe_load((CHART / "Chart.yaml").read_text())
    assert chart["apiVersion"] == "v2"
    assert chart["appVersion"] == "0.1.0"
    image = main_container(deployment(minimal, "web"))["image"]
    assert image.endswith(":" + chart["appVersion"])


# -------------------------------------------------------------------------- the image


def test_dockerfile_agrees_with_the_chart():
    dockerfile = DOCKERFILE.read_text()
    values = yaml.safe_load((CHART / "values.yaml").read_text())
    assert re.search(r"^FROM python:3\.11-slim\b", dockerfile, re.MULTILINE)
    user = re.findall(r"^USER (\S+)", dockerfile, re.MULTILINE)
    assert user and user[-1].split(":")[0] == str(values["podSecurityContext"]["runAsUser"])
    assert f"PLATEAU_DATA_DIR={values['config']['dataDir']}" in dockerfile
    # Static files are collected at build time into PLATEAU_STATIC_ROOT, the path the
    # chart gives Plateau, outside the data folder that the volume hides.
    static_root = re.findall(r"\bPLATEAU_STATIC_ROOT=(\S+)", dockerfile)
    assert static_root == [values["config"]["staticRoot"]]
    data_dir = Path(values["config"]["dataDir"])
    assert data_dir not in Path(static_root[0]).parents and Path(static_root[0]) != data_dir
    env_at = dockerfile.index("PLATEAU_STATIC_ROOT=")
    assert env_at < dockerfile.index("manage.py collectstatic --noinput")
    assert "staticFiles" not in values["web"]
    assert re.search(r"pip install .*\.", dockerfile)
    # The chart sets `args`, so the image's ENTRYPOINT must not be the command itself.
    assert 'ENTRYPOINT ["tini", "--"]' in dockerfile
    ignored = (REPO / ".dockerignore").read_text().split()
    assert {".git", ".venv", "var"} <= set(ignored)
