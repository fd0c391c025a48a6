"""Reading a stack folder: stack.yaml (YAML, schema, consistency) and README.md."""

from pathlib import Path

from iac.problems import Problem, has_errors

from .model import Stack, stack_from_dict
from .paths import path_escape
from .schema import STACK_FILE, schema_problems
from .semantics import semantic_problems
from .yaml_lines import YamlError, load_yaml

README_FILE = "README.md"


def load_stack(path: Path | str) -> tuple[Stack | None, list[Problem]]:
    """The stack in folder `path` and the problems of its stack.yaml. The stack is None
    when the file cannot be read as a stack at all (unreadable, bad YAML, schema errors);
    it may come with consistency errors, which `has_errors` tells."""
    root = Path(path)
    stack_file = root / STACK_FILE
    if not stack_file.is_file():
        return None, [Problem(f"no {STACK_FILE} in {root}", STACK_FILE)]
    try:
        document = load_yaml(stack_file.read_text(encoding="utf-8"))
    except UnicodeDecodeError as error:
        return None, [Problem(f"not UTF-8 text: {error}", STACK_FILE)]
    except YamlError as error:
        where = f" (column {error.column})" if error.column else ""
        return None, [Problem(f"malformed YAML: {error.message}{where}", STACK_FILE, error.line)]
    problems = [
        Problem(f"duplicate key {path.rsplit('.', 1)[-1]!r}", STACK_FILE, line, path)
        for path, line in document.duplicate_keys
    ]
    if not isinstance(document.data, dict):
        return None, [*problems, Problem("stack.yaml must be a mapping", STACK_FILE, 1)]
    problems += schema_problems(document)
    if has_errors(problems):
        return None, problems
    readme = root / README_FILE
    stack = stack_from_dict(
        document.data,
        root,
        # A README symlinked outside the folder is reported by validation, never read.
        readme.read_text(encoding="utf-8", errors="replace")
        if readme.is_file() and path_escape(root, README_FILE) is None
        else None,
    )
    problems += semantic_problems(stack, root.resolve().name, document.line_of)
    return stack, problems
