"""docs/reliability.md names tests that exist: a renamed or deleted test shows up here."""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_test_the_reliability_guide_names_exists():
    guide = (ROOT / "docs" / "reliability.md").read_text()
    named = re.findall(r"`(tests/[\w/]+\.py)(?:::(\w+))?`", guide)
    assert len(named) > 20
    for path, name in named:
        source = ROOT / path
        assert source.is_file(), path
        if name:
            functions = {
                node.name
                for node in ast.walk(ast.parse(source.read_text()))
                if isinstance(node, ast.FunctionDef)
            }
            assert name in functions, f"{path}::{name}"
