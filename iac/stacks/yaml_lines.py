"""YAML loading that remembers where every key and item is, so problems can name a line.

PyYAML's composer gives nodes with start marks; we construct the data from the same nodes
and record `key path -> line` (paths written like `parameters[2].default`).
"""

from dataclasses import dataclass

import yaml


class YamlError(Exception):
    def __init__(self, message: str, line: int | None, column: int | None):
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


@dataclass
class LocatedYaml:
    data: object
    lines: dict[str, int]  # key path -> 1-based line
    duplicate_keys: list[tuple[str, int]]  # (key path, line of the repeated key)

    def line_of(self, path: str) -> int | None:
        """Line of `path`, or of its closest ancestor that has one."""
        while True:
            if path in self.lines:
                return self.lines[path]
            if not path:
                return None
            path = parent_path(path)


def join_path(base: str, part: str | int) -> str:
    if isinstance(part, int):
        return f"{base}[{part}]"
    return f"{base}.{part}" if base else str(part)


def format_path(parts) -> str:
    path = ""
    for part in parts:
        path = join_path(path, part)
    return path


def parent_path(path: str) -> str:
    cut = max(path.rfind("."), path.rfind("["))
    return path[:cut] if cut > 0 else ""


def load_yaml(text: str) -> LocatedYaml:
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        message = " ".join(filter(None, [error.context, error.problem]))
        raise YamlError(
            message or str(error),
            mark.line + 1 if mark else None,
            mark.column + 1 if mark else None,
        ) from error
    except yaml.YAMLError as error:
        raise YamlError(str(error), None, None) from error
    finally:
        loader.dispose()
    located = LocatedYaml(data, {"": 1}, [])
    if node is not None:
        _record(node, "", located)
    return located


def _record(node: yaml.Node, path: str, located: LocatedYaml) -> None:
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node.value)
            child = join_path(path, key)
            line = key_node.start_mark.line + 1
            if child in located.lines:
                located.duplicate_keys.append((child, line))
            located.lines[child] = line
            _record(value_node, child, located)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            child = join_path(path, index)
            located.lines[child] = item.start_mark.line + 1
            _record(item, child, located)
