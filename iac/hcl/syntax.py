"""A small HCL emitter whose output `terraform fmt` leaves unchanged.

It follows hclwrite's rules: two spaces per nesting level; the `=` of consecutive
one-line attributes aligned one column after the longest name; a line that opens a
bracket (`tags = {`) ends the alignment run, as does a blank line or a block."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

INDENT = "  "
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
# Words an unquoted object key would be read as (a literal or a `for` expression).
_RESERVED_KEYS = {"true", "false", "null", "for", "in", "if"}


class Expression(str):
    """HCL written verbatim: a reference such as `aws_vpc.main.id`."""


@dataclass(frozen=True)
class FunctionCall:
    """`name(argument)` with one argument, e.g. `jsonencode({...})`."""

    name: str
    argument: Any


@dataclass
class Attribute:
    name: str
    value: Any


@dataclass
class Block:
    type: str
    labels: Sequence[str] = ()
    body: list[Attribute | Block | None] = field(default_factory=list)  # None: blank line


def quote(text: str) -> str:
    """A quoted HCL string that reads back as `text`, template markers included."""
    escaped = json.dumps(text, ensure_ascii=False)[1:-1]
    # ${ and %{ start template sequences in HCL; doubling the sigil makes them literal.
    escaped = escaped.replace("${", "$${").replace("%{", "%%{")
    return f'"{escaped}"'


def object_key(key: str) -> str:
    return key if _IDENTIFIER.match(key) and key not in _RESERVED_KEYS else quote(key)


def is_identifier(name: str) -> bool:
    return bool(_IDENTIFIER.match(name))


def value_lines(value: Any, depth: int) -> list[str]:
    """The value as lines; the first continues the line it is assigned on, the others
    carry their own indentation for `depth` (the nesting level of the attribute)."""
    if isinstance(value, Expression):
        return [str(value)]
    if isinstance(value, bool):
        return ["true" if value else "false"]
    if value is None:
        return ["null"]
    if isinstance(value, int | float):
        return [json.dumps(value)]
    if isinstance(value, str):
        return [quote(value)]
    if isinstance(value, FunctionCall):
        inner = value_lines(value.argument, depth)
        inner[0] = f"{value.name}({inner[0]}"
        inner[-1] += ")"
        return inner
    if isinstance(value, Mapping):
        if not value:
            return ["{}"]
        body = assignments([(object_key(str(k)), v) for k, v in value.items()], depth + 1)
        return ["{", *body, INDENT * depth + "}"]
    if isinstance(value, list | tuple):
        items = [value_lines(item, depth + 1) for item in value]
        if all(len(item) == 1 for item in items):
            return ["[" + ", ".join(item[0] for item in items) + "]"]
        pad = INDENT * (depth + 1)
        lines = ["["]
        for item in items:
            lines.append(pad + item[0])
            lines.extend(item[1:])
            lines[-1] += ","
        return [*lines, INDENT * depth + "]"]
    raise TypeError(f"cannot write {type(value).__name__} as HCL")


def assignments(pairs: Sequence[tuple[str, Any]], depth: int) -> list[str]:
    """Indented `name = value` lines, `=` aligned within runs of one-line values."""
    pad = INDENT * depth
    lines: list[str] = []
    run: list[tuple[int, str]] = []  # (line index, name) of the current alignment run

    def close_run() -> None:
        width = max(len(name) for _, name in run)
        for index, name in run:
            lines[index] = pad + name.ljust(width) + lines[index][len(pad) + len(name) :]
        run.clear()

    for name, value in pairs:
        rendered = value_lines(value, depth)
        if len(rendered) == 1:
            run.append((len(lines), name))
        elif run:
            close_run()
        lines.append(f"{pad}{name} = {rendered[0]}")
        lines.extend(rendered[1:])
    if run:
        close_run()
    return lines


def render_block(block: Block, depth: int = 0) -> list[str]:
    pad = INDENT * depth
    header = " ".join([block.type, *(quote(label) for label in block.labels)])
    lines = [f"{pad}{header} {{"]
    pending: list[tuple[str, Any]] = []
    for item in block.body:
        if isinstance(item, Attribute):
            pending.append((item.name, item.value))
            continue
        lines.extend(assignments(pending, depth + 1))
        pending.clear()
        lines.extend([""] if item is None else render_block(item, depth + 1))
    lines.extend(assignments(pending, depth + 1))
    lines.append(f"{pad}}}")
    return lines


def render_file(blocks: Sequence[Block]) -> str:
    chunks = ["\n".join(render_block(block)) for block in blocks]
    return "\n\n".join(chunks) + "\n"
