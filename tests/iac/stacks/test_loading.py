"""stack.yaml cases, good and bad: each problem names its file, line and key path."""

import os

import pytest

from iac.stacks import load_stack, validate_stack

from .conftest import MINIMAL


def problems_of(root, validators=None):
    return validate_stack(root, {} if validators is None else validators).problems


def errors_of(root):
    return [p for p in problems_of(root) if p.severity == "error"]


def test_minimal_stack_loads(make_stack):
    stack, problems = load_stack(make_stack())
    assert problems == []
    assert stack.slug == "demo"
    assert stack.parameter("size").default == 1
    assert stack.steps[0].inputs == {"size": "{{ parameters.size }}"}
    assert stack.readme == "# Demo\n"


def test_malformed_yaml_reports_line(make_stack):
    root = make_stack(MINIMAL + "  bad: [unclosed\n")
    stack, problems = load_stack(root)
    assert stack is None
    assert problems[0].message.startswith("malformed YAML")
    assert problems[0].line == 15
    assert "column" in problems[0].message


def test_missing_stack_yaml(tmp_path):
    stack, problems = load_stack(tmp_path)
    assert stack is None and "no stack.yaml" in problems[0].message


def test_unknown_key_named_with_its_line(make_stack):
    root = make_stack(MINIMAL.replace("    default: 1\n", "    default: 1\n    colour: red\n"))
    [problem] = errors_of(root)
    assert problem.path == "parameters[0].colour"
    assert problem.line == 9
    assert "unknown key 'colour'" in problem.message
    assert str(problem).startswith("stack.yaml:9 [parameters[0].colour]: error:")


def test_wrong_type(make_stack):
    root = make_stack(
        MINIMAL.replace("    type: integer\n", "    type: integer\n    required: yes please\n")
    )
    [problem] = errors_of(root)
    assert problem.path == "parameters[0].required"
    assert problem.message == "must be of type boolean, not string"


def test_missing_required_key_and_bad_enum(make_stack):
    text = MINIMAL.replace("name: Demo\n", "").replace("engine: terraform", "engine: pulumi")
    messages = {(p.path, p.message) for p in errors_of(make_stack(text))}
    assert (None, "missing required key 'name'") in messages
    assert ("steps[0].engine", "must be one of terraform, opentofu, ansible, helm") in messages


def test_choice_without_choices(make_stack):
    text = MINIMAL.replace("type: integer\n    default: 1", "type: choice")
    [problem] = errors_of(make_stack(text))
    assert problem.message == "missing required key 'choices'"


def test_default_breaking_its_own_rule(make_stack):
    text = MINIMAL.replace(
        "default: 1\n", "default: 0\n    min: 1\n    error_message: {min: At least one.}\n"
    )
    [problem] = errors_of(make_stack(text))
    assert problem.path == "parameters[0].default"
    assert problem.message == "default 0 breaks its own rule: At least one."
    assert problem.line == 8


def test_environment_default_breaking_pattern(make_stack):
    text = MINIMAL.replace(
        "    type: integer\n    default: 1\n",
        "    type: string\n    pattern: '^[a-z]+$'\n    default: ok\n"
        "    defaults_by_environment: {prod: NOT-OK}\n",
    )
    [problem] = errors_of(make_stack(text))
    assert problem.path == "parameters[0].defaults_by_environment.prod"
    assert "does not match" in problem.message


def test_rule_that_does_not_fit_the_type(make_stack):
    text = MINIMAL.replace("default: 1\n", "default: 1\n    pattern: x\n    choices: [1]\n")
    messages = sorted(p.message for p in errors_of(make_stack(text)))
    assert messages == [
        "'choices' only applies to type choice, not integer",
        "'pattern' does not apply to a parameter of type integer",
    ]


def test_duplicate_yaml_key(make_stack):
    text = MINIMAL.replace("type: integer\n", "type: integer\n    type: string\n")
    [problem] = errors_of(make_stack(text))
    assert (problem.message, problem.line) == ("duplicate key 'type'", 8)


def test_duplicate_parameter(make_stack):
    text = MINIMAL.replace("steps:\n", "  - name: size\n    type: string\nsteps:\n")
    [problem] = errors_of(make_stack(text))
    assert (problem.path, problem.message) == ("parameters[1].name", "duplicate parameter 'size'")


def test_visible_when_names_a_missing_parameter(make_stack):
    text = MINIMAL.replace("default: 1\n", "default: 1\n    visible_when: {advanced: true}\n")
    [problem] = errors_of(make_stack(text))
    assert problem.path == "parameters[0].visible_when.advanced"
    assert problem.message == "unknown parameter 'advanced'"


def test_reference_to_undefined_output_and_later_step(make_stack):
    text = MINIMAL.replace('size: "{{ parameters.size }}"', 'size: "{{ steps.second.outputs.id }}"')
    text += (
        "  - name: second\n    engine: terraform\n    path: tf\n    outputs: [id]\n"
        "    inputs: {size: '{{ parameters.size }}'}\n"
        "outputs:\n"
        "  - name: url\n    value: '{{ steps.main.outputs.url }}'\n"
        "  - name: other\n    value: '{{ steps.nope.outputs.id }}'\n"
    )
    messages = {(p.path, p.message) for p in errors_of(make_stack(text))}
    assert messages == {
        ("steps[0].inputs.size", "step 'second' does not run before this step"),
        ("outputs[0].value", "step 'main' has no output 'url' (declared: none)"),
        ("outputs[1].value", "unknown step 'nope'"),
    }


def test_bad_reference_syntax_and_unknown_parameter(make_stack):
    text = MINIMAL.replace("{{ parameters.size }}", "{{ parameters.sise }} {{ params.size }}")
    messages = [p.message for p in errors_of(make_stack(text))]
    assert "unknown parameter 'sise'" in messages
    assert any(m.startswith("bad reference {{ params.size }}") for m in messages)


def test_unused_parameter_is_a_warning(make_stack):
    text = MINIMAL.replace('    inputs:\n      size: "{{ parameters.size }}"\n', "")
    report = validate_stack(make_stack(text), {"terraform": lambda step_dir, step: []})
    assert report.ok
    assert [p.message for p in report.problems] == [
        "parameter 'size' is used by no step input or output"
    ]


def test_slug_must_match_folder(make_stack):
    [problem] = errors_of(make_stack(MINIMAL.replace("slug: demo", "slug: other")))
    assert problem.path == "slug" and problem.line == 3


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("missing", "'missing' does not exist in the stack folder"),
        ("../outside", "path '../outside' leaves the stack folder ('..')"),
        ("/etc", "path '/etc' is absolute; use a path relative to the stack folder"),
        ("tf/main.tf", "a terraform step's path must be a folder, not 'tf/main.tf'"),
    ],
)
def test_bad_step_paths(make_stack, path, message):
    [problem] = errors_of(make_stack(MINIMAL.replace("path: tf", f"path: {path}")))
    assert (problem.path, problem.message, problem.line) == ("steps[0].path", message, 12)


SVG = '<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 8 8"/>\n'


@pytest.mark.parametrize(
    ("icon", "files", "message"),
    [
        ("icon.svg", {"icon.svg": SVG}, None),
        ("database", {}, None),  # a name from the portal's set, not a file
        ("logo.svg", {}, "icon file 'logo.svg' not found"),
        ("../logo.svg", {}, "path '../logo.svg' leaves the stack folder ('..')"),
        ("logo.png", {"logo.png": "GIF89a"}, "icon file 'logo.png' is not a PNG image"),
        ("logo.svg", {"logo.svg": "<html>"}, "is not an SVG document (no <svg> element"),
        ("big.svg", {"big.svg": SVG + " " * 262144}, "bytes; the limit is 262144"),
    ],
)
def test_icon_files_are_checked(make_stack, icon, files, message):
    stack_yaml = MINIMAL.replace("description:", f"icon: {icon}\ndescription:")
    problems = errors_of(make_stack(stack_yaml, files))
    if message is None:
        assert problems == []
    else:
        [problem] = problems
        assert (problem.path, problem.line) == ("icon", 4) and message in problem.message


def test_symlink_leaving_the_stack(make_stack, tmp_path):
    (tmp_path / "secret").mkdir()
    root = make_stack(MINIMAL.replace("path: tf", "path: linked"))
    os.symlink(tmp_path / "secret", root / "linked")
    messages = {(p.file, p.message) for p in errors_of(root)}
    assert (
        "linked",
        f"symlink points outside the stack folder (to {tmp_path / 'secret'})",
    ) in messages
    assert (
        "stack.yaml",
        "path 'linked' resolves outside the stack folder (symlink)",
    ) in messages


def test_step_validators_are_called_and_rebased(make_stack):
    from iac.problems import Problem

    seen = []

    def validator(step_dir, step):
        seen.append((step_dir.name, step.name))
        return [Problem("bad thing", "main.tf", 3)]

    [problem] = problems_of(make_stack(), {"terraform": validator})
    assert seen == [("tf", "main")]
    assert (problem.file, problem.line, problem.message) == (
        "tf/main.tf",
        3,
        "step main: bad thing",
    )


def test_missing_validator_is_a_warning(make_stack):
    report = validate_stack(make_stack(), {})
    assert report.ok
    report = validate_stack(make_stack(), {"helm": lambda d, s: []})
    assert report.ok
    assert report.problems[0].severity == "warning"
    assert "no validator for engine terraform" in report.problems[0].message


def test_report_as_dict(make_stack):
    report = validate_stack(make_stack(), {"terraform": lambda d, s: []})
    data = report.as_dict()
    assert data["slug"] == "demo" and data["ok"] is True
    assert data["version"].startswith("sha256-") and data["problems"] == []
