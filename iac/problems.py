"""The one shape every validator in Plateau reports in: stack schema checks, parameter
checks, Terraform/Ansible/Helm step checks, estimators and importers alike."""

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Problem:
    message: str
    file: str | None = None  # relative to the stack (or module) root
    line: int | None = None
    path: str | None = None  # key path inside the file, e.g. "parameters[2].default"
    severity: str = "error"  # "error" blocks publication; "warning" is only shown

    def __str__(self) -> str:
        where = self.file or ""
        if self.line is not None:
            where += f":{self.line}"
        if self.path:
            where += f" [{self.path}]" if where else self.path
        return f"{where}: {self.severity}: {self.message}" if where else self.message

    def as_dict(self) -> dict:
        return asdict(self)


def has_errors(problems: list[Problem]) -> bool:
    return any(problem.severity == "error" for problem in problems)
