"""Validating a stack folder: stack.yaml, its files, then each step with its own tool."""

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from iac.problems import Problem, has_errors

from .loader import load_stack
from .paths import step_path_problem
from .sources import folder_version
from .step_checks import StepValidator, default_step_validators


@dataclass
class ValidationReport:
    slug: str
    path: str
    version: str | None
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not has_errors(self.problems)

    @property
    def error_count(self) -> int:
        return sum(problem.severity == "error" for problem in self.problems)

    @property
    def warning_count(self) -> int:
        return len(self.problems) - self.error_count

    def as_dict(self) -> dict:
        return {
            "slug": self.slug,
            "path": self.path,
            "version": self.version,
            "ok": self.ok,
            "problems": [problem.as_dict() for problem in self.problems],
        }


def validate_stack(
    path: Path | str,
    step_validators: Mapping[str, StepValidator] | None = None,
    version: str | None = None,
) -> ValidationReport:
    """Everything `load_stack` checks, then every step whose path is usable with the
    validator of its engine (`default_step_validators()` when None is given). `version`
    defaults to the folder's content hash."""
    root = Path(path)
    validators = default_step_validators() if step_validators is None else step_validators
    stack, problems = load_stack(root)
    report = ValidationReport(
        slug=stack.slug if stack else root.resolve().name,
        path=str(root),
        version=version or (folder_version(root) if root.is_dir() else None),
        problems=problems,
    )
    if stack is None:
        return report
    for step in stack.steps:
        if step_path_problem(root, step.engine, step.path):
            continue  # already reported by load_stack
        validator = validators.get(step.engine)
        if validator is None:
            report.problems.append(
                Problem(
                    f"no validator for engine {step.engine}: step {step.name!r} was not checked",
                    severity="warning",
                )
            )
            continue
        target = (root / step.path).resolve()
        step_folder = PurePosixPath(
            step.path if target.is_dir() else PurePosixPath(step.path).parent
        )
        report.problems += [
            _rebase(problem, step_folder, step.name) for problem in validator(target, step)
        ]
    return report


def _rebase(problem: Problem, step_folder: PurePosixPath, step_name: str) -> Problem:
    """A step validator's problem, with its file relative to the stack folder."""
    file = (
        str(step_folder) if problem.file is None else os.path.normpath(step_folder / problem.file)
    )
    return Problem(
        f"step {step_name}: {problem.message}",
        file,
        problem.line,
        problem.path,
        problem.severity,
    )
