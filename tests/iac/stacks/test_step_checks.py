"""The default step validators with the real tools, on small broken steps."""

from pathlib import Path

from iac.stacks.model import Step
from iac.stacks.step_checks import check_ansible, check_helm, check_terraform


def write(folder: Path, files: dict[str, str]) -> Path:
    for name, content in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(content)
    return folder


def messages(problems):
    return sorted(((p.file, p.line, p.severity, p.message) for p in problems), key=str)


def test_terraform_offline_checks_variables_inputs_and_outputs(tmp_path):
    module = write(
        tmp_path,
        {
            "main.tf": (
                "terraform {\n  required_providers {\n"
                '    aws = { source = "hashicorp/aws" }\n  }\n}\n'
                'variable "size" {\n  type = string\n}\n'
                'resource "aws_instance" "web" {\n  instance_type = var.size\n'
                '  tags = { Name = "${var.nmae}-web" }  # var.in_comment is ignored\n}\n'
            )
        },
    )
    step = Step("main", "terraform", ".", inputs={"size": "x", "colour": "red"}, outputs=("ip",))
    assert messages(check_terraform(module, step)) == [
        ("main.tf", 11, "error", "reference to undeclared input variable var.nmae"),
        (None, None, "error", "declared output 'ip' is not an output of the module"),
        (None, None, "error", "input 'colour' is not a variable of the module (declared: size)"),
        (
            None,
            None,
            "warning",
            "provider hashicorp/aws is not available offline: "
            "arguments of its resources were not checked",
        ),
    ]
    step = Step("main", "terraform", ".")
    assert ("main.tf", 6, "error", "variable 'size' has no default and no step input") in messages(
        check_terraform(module, step)
    )


def test_terraform_offline_reports_terraform_diagnostics(tmp_path):
    module = write(
        tmp_path,
        {
            "main.tf": (
                'resource "aws_instance" "web" {\n  count = 1\n'
                "  lifecycle {\n    bogus = true\n  }\n}\n"
            )
        },
    )
    problems = messages(check_terraform(module, Step("main", "terraform", ".")))
    assert (
        "main.tf",
        4,
        "error",
        'Unsupported argument: An argument named "bogus" is not expected here.',
    ) in problems


def test_terraform_syntax_error(tmp_path):
    module = write(tmp_path, {"main.tf": 'variable "a" {\n  type = string\n\n'})
    [problem] = check_terraform(module, Step("main", "terraform", "."))
    assert problem.file == "main.tf" and problem.message.startswith("HCL syntax error")


def test_terraform_validate_with_builtin_provider(tmp_path):
    module = write(
        tmp_path,
        {"main.tf": ('resource "terraform_data" "x" {\n  input = 1 + 1\n  colour = "red"\n}\n')},
    )
    assert messages(check_terraform(module, Step("main", "terraform", "."))) == [
        (
            "main.tf",
            3,
            "error",
            'Unsupported argument: An argument named "colour" is not expected here.',
        ),
    ]
    assert not (tmp_path / ".terraform").exists()  # validate ran in a private copy


def test_ansible_unknown_module_with_line(tmp_path):
    write(
        tmp_path,
        {
            "site.yml": (
                "- hosts: localhost\n  gather_facts: false\n  tasks:\n"
                "    - community.postgresql.postgresql_nope:\n        name: x\n"
            )
        },
    )
    [problem] = check_ansible(tmp_path / "site.yml", Step("main", "ansible", "site.yml"))
    assert (problem.file, problem.line) == ("site.yml", 4)
    assert (
        "couldn't resolve module/action 'community.postgresql.postgresql_nope'" in problem.message
    )


def test_ansible_declared_output_needs_set_stats(tmp_path):
    write(
        tmp_path,
        {
            "site.yml": (
                "- hosts: localhost\n  gather_facts: false\n  tasks:\n"
                "    - ansible.builtin.set_stats:\n        data: {url: x}\n"
            )
        },
    )
    step = Step("main", "ansible", "site.yml", outputs=("url", "token"))
    assert messages(check_ansible(tmp_path / "site.yml", step)) == [
        ("site.yml", None, "error", "declared output 'token' is set by no set_stats task")
    ]


def test_helm_lint_and_template_errors(tmp_path):
    chart = write(
        tmp_path,
        {
            "Chart.yaml": "apiVersion: v2\nname: demo\nversion: 1.0.0\n",
            "values.yaml": "name: x\n",
            "templates/cm.yaml": (
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n"
                "data:\n  a: {{ .Values.name | nope }}\n"
            ),
        },
    )
    [problem] = check_helm(chart, Step("main", "helm", "."))
    assert problem.severity == "error"
    assert problem.file == "templates/" and problem.line == 6
    assert 'function "nope" not defined' in problem.message
