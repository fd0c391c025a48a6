"""`stacks validate [PATH ...]`: the core of `python manage.py stacks validate` and of
`python -m iac.stacks validate`. Exit codes: 0 all valid, 1 any error, 2 usage error."""

import argparse
import json
import sys
from pathlib import Path

from .schema import STACK_FILE
from .validation import ValidationReport, validate_stack

DEFAULT_STACKS_DIR = Path(__file__).resolve().parents[2] / "stacks"


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # argparse would exit the process; main() returns instead
        raise _UsageError(message)


class _UsageError(Exception):
    pass


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="stacks", description="Validate Plateau stacks.")
    commands = parser.add_subparsers(dest="command", required=True)
    validate = commands.add_parser("validate", help="validate stack folders")
    validate.add_argument(
        "paths",
        nargs="*",
        type=Path,
        metavar="PATH",
        help=f"a stack folder, or a folder of stacks (default: {DEFAULT_STACKS_DIR})",
    )
    validate.add_argument("--format", choices=("text", "json"), default="text")
    return parser


def _stack_folders(path: Path) -> list[Path]:
    if (path / STACK_FILE).is_file():
        return [path]
    if path.is_dir():
        return sorted(child for child in path.iterdir() if (child / STACK_FILE).is_file())
    return []


def _print_text(reports: list[ValidationReport], out) -> None:
    for report in reports:
        status = "ok" if report.ok else "FAILED"
        print(f"{report.slug} ({report.version}): {status}", file=out)
        for problem in report.problems:
            print(f"  {problem}", file=out)
    failed = sum(not report.ok for report in reports)
    errors = sum(report.error_count for report in reports)
    warnings = sum(report.warning_count for report in reports)
    print(
        f"{len(reports)} stack(s) validated: {len(reports) - failed} ok, {failed} failed "
        f"({errors} error(s), {warnings} warning(s))",
        file=out,
    )


def main(argv: list[str] | None = None, out=None) -> int:
    out = out or sys.stdout
    try:
        arguments = _parser().parse_args(argv)
    except _UsageError as error:
        print(f"stacks: error: {error}", file=sys.stderr)
        return 2
    folders = []
    for path in arguments.paths or [DEFAULT_STACKS_DIR]:
        found = _stack_folders(path)
        if not found:
            print(f"stacks: error: no stack found at {path}", file=sys.stderr)
            return 2
        folders += found
    reports = [validate_stack(folder) for folder in folders]
    if arguments.format == "json":
        document = {"ok": all(r.ok for r in reports), "stacks": [r.as_dict() for r in reports]}
        print(json.dumps(document, indent=2), file=out)
    else:
        _print_text(reports, out)
    return 0 if all(report.ok for report in reports) else 1
