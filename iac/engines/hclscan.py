"""Just enough HCL reading to check variables when Terraform cannot validate.

`TerraformConfig.load_config_dir` neither reports references to undeclared variables nor
says whether a variable has a default, so both are read from the sources here. The text
is first reduced to a skeleton of the same length (comments and literal string parts
blanked, interpolations kept) so that offsets and line numbers stay those of the file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_HEREDOC = re.compile(r"<<-?([A-Za-z_][\w-]*)[ \t]*\n")
_VAR_REF = re.compile(r"(?<![\w.\-])var\.([A-Za-z_][\w-]*)")
_VARIABLE_BLOCK = re.compile(r'(?m)^[ \t]*variable[ \t]+"([^"\n]*)"[ \t]*\{')
_DEFAULT_ATTR = re.compile(r"(?<![\w-])default\s*=(?!=)")


@dataclass(frozen=True)
class Declaration:
    name: str
    line: int
    has_default: bool


def skeleton(src: str) -> str:
    out = list(src)

    def blank(start: int, end: int) -> None:
        for k in range(start, min(end, len(src))):
            if out[k] != "\n":
                out[k] = " "

    # Each frame is ["code", open braces] or ["string"] or ["heredoc", marker].
    stack: list[list] = [["code", 0]]
    i, n = 0, len(src)
    while i < n:
        frame, c = stack[-1], src[i]
        if frame[0] == "code":
            if c == "#" or src.startswith("//", i):
                end = src.find("\n", i)
                end = n if end < 0 else end
            elif src.startswith("/*", i):
                end = src.find("*/", i + 2)
                end = n if end < 0 else end + 2
            else:
                heredoc = _HEREDOC.match(src, i)
                if heredoc:
                    stack.append(["heredoc", heredoc.group(1)])
                    i = heredoc.end()
                elif c == '"':
                    stack.append(["string"])
                    i += 1
                elif c == "}" and frame[1] == 0 and len(stack) > 1:
                    stack.pop()  # end of an interpolation
                    i += 1
                else:
                    frame[1] += {"{": 1, "}": -1}.get(c, 0)
                    i += 1
                continue
            blank(i, end)
            i = end
            continue
        if frame[0] == "heredoc" and (i == 0 or src[i - 1] == "\n"):
            end = src.find("\n", i)
            end = n if end < 0 else end
            if src[i:end].strip() == frame[1]:
                stack.pop()
                i = end
                continue
        if frame[0] == "string" and c in '"\n':
            stack.pop()
            i += 1
        elif frame[0] == "string" and c == "\\":
            blank(i, i + 2)
            i += 2
        elif src.startswith(("$${", "%%{"), i):
            blank(i, i + 3)
            i += 3
        elif src.startswith(("${", "%{"), i):
            stack.append(["code", 0])
            i += 2
        else:
            blank(i, i + 1)
            i += 1
    return "".join(out)


def variable_references(src: str) -> list[tuple[str, int]]:
    """(name, line) of every `var.NAME` in code or interpolations."""
    skel = skeleton(src)
    return [(m.group(1), skel.count("\n", 0, m.start()) + 1) for m in _VAR_REF.finditer(skel)]


def variable_declarations(src: str) -> list[Declaration]:
    skel = skeleton(src)
    declarations = []
    for match in _VARIABLE_BLOCK.finditer(skel):
        body_start = match.end()
        depth, top_level = 0, []
        for k in range(body_start, len(skel)):
            char = skel[k]
            if char == "{":
                depth += 1
            elif char == "}":
                if depth == 0:
                    break
                depth -= 1
            top_level.append(char if depth == 0 else " ")
        name = src[match.start(1) : match.end(1)]  # the label is blanked in the skeleton
        declarations.append(
            Declaration(
                name=name,
                line=skel.count("\n", 0, match.start(1)) + 1,
                has_default=bool(_DEFAULT_ATTR.search("".join(top_level))),
            )
        )
    return declarations
