import textwrap
from pathlib import Path

import pytest

MINIMAL = """\
stack_format: 1
name: Demo
slug: demo
description: A demo stack.
parameters:
  - name: size
    type: integer
    default: 1
steps:
  - name: main
    engine: terraform
    path: tf
    inputs:
      size: "{{ parameters.size }}"
"""

MODULE = """\
variable "size" {
  type    = number
  default = 1
}

resource "terraform_data" "x" {
  input = var.size
}

output "id" {
  value = terraform_data.x.id
}
"""


@pytest.fixture
def make_stack(tmp_path):
    """Writes a stack folder `demo` with stack.yaml and extra files; returns its path."""

    def make(stack_yaml: str = MINIMAL, files: dict[str, str] | None = None) -> Path:
        root = tmp_path / "demo"
        root.mkdir(exist_ok=True)
        (root / "stack.yaml").write_text(textwrap.dedent(stack_yaml))
        (root / "README.md").write_text("# Demo\n")
        for name, content in ({"tf/main.tf": MODULE} | (files or {})).items():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_text(content)
        return root

    return make
