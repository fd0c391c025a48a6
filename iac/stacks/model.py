"""The stack as Python objects, built from a stack.yaml that already passed the schema."""

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PARAMETER_TYPES = (
    "string",
    "integer",
    "number",
    "boolean",
    "choice",
    "list",
    "map",
    "secret",
    "credential",
)
ENGINES = ("terraform", "opentofu", "ansible", "helm")
CAPABILITIES = ("kubernetes", "hosts")
# Rule keys as authors write them; error messages name these.
RULES = ("pattern", "min", "max", "min_length", "max_length", "min_items", "max_items")


@dataclass(frozen=True)
class Choice:
    value: Any
    title: str


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    description: str = ""


@dataclass(frozen=True)
class Parameter:
    name: str
    type: str
    title: str
    help: str = ""
    section: str | None = None
    required: bool = False
    default: Any = None
    has_default: bool = False  # distinguishes "no default" from "default: null"
    defaults_by_environment: dict[str, Any] = field(default_factory=dict)
    choices: tuple[Choice, ...] = ()
    item_type: str | None = None  # for lists
    rules: dict[str, Any] = field(default_factory=dict)  # rule name (RULES) -> limit
    error_messages: dict[str, str] = field(default_factory=dict)  # rule -> text; "*" = any
    visible_when: dict[str, tuple[Any, ...]] = field(default_factory=dict)
    immutable: bool = False
    credential_kind: str | None = None
    generate_length: int | None = None  # secrets generated at the first deploy

    def default_for(self, environment: str | None) -> tuple[bool, Any]:
        """(has a default, the default) in that environment; its own default wins."""
        if environment is not None and environment in self.defaults_by_environment:
            return True, self.defaults_by_environment[environment]
        return self.has_default, self.default

    def error_message(self, rule: str) -> str | None:
        return self.error_messages.get(rule) or self.error_messages.get("*")


@dataclass(frozen=True)
class Step:
    name: str
    engine: str
    path: str
    title: str = ""
    inputs: dict[str, Any] = field(default_factory=dict)
    outputs: tuple[str, ...] = ()
    requires: tuple[str, ...] = ()
    usage: dict[str, dict] = field(default_factory=dict)  # Infracost resource_usage

    def plan_only_in(self, capabilities: set[str] | frozenset[str]) -> bool:
        """True when the environment lacks something this step needs to be applied."""
        return not set(self.requires) <= set(capabilities)


@dataclass(frozen=True)
class StackOutput:
    name: str
    value: str
    title: str = ""
    description: str = ""
    sensitive: bool = False


@dataclass(frozen=True)
class Constraints:
    providers: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    residencies: tuple[str, ...] = ()


@dataclass(frozen=True)
class Stack:
    root: Path
    slug: str
    name: str
    description: str
    steps: tuple[Step, ...]
    parameters: tuple[Parameter, ...] = ()
    sections: tuple[Section, ...] = ()
    outputs: tuple[StackOutput, ...] = ()
    constraints: Constraints = Constraints()
    keywords: tuple[str, ...] = ()
    technologies: tuple[str, ...] = ()
    team: str | None = None
    icon: str | None = None
    readme: str | None = None  # README.md's Markdown, rendered by the portal

    def parameter(self, name: str) -> Parameter | None:
        return next((p for p in self.parameters if p.name == name), None)

    def step(self, name: str) -> Step | None:
        return next((s for s in self.steps if s.name == name), None)


def _choice(raw: Any) -> Choice:
    if isinstance(raw, dict):
        return Choice(raw["value"], raw.get("title") or str(raw["value"]))
    return Choice(raw, str(raw))


def parameter_from_dict(raw: dict) -> Parameter:
    messages = raw.get("error_message") or {}
    if isinstance(messages, str):
        messages = {"*": messages}
    conditions = {
        name: tuple(value) if isinstance(value, list) else (value,)
        for name, value in (raw.get("visible_when") or {}).items()
    }
    return Parameter(
        name=raw["name"],
        type=raw["type"],
        title=raw.get("title") or raw["name"].replace("_", " ").capitalize(),
        help=raw.get("help", ""),
        section=raw.get("section"),
        required=raw.get("required", False),
        default=raw.get("default"),
        has_default="default" in raw,
        defaults_by_environment=dict(raw.get("defaults_by_environment") or {}),
        choices=tuple(_choice(c) for c in raw.get("choices") or ()),
        item_type=raw.get("items"),
        rules={rule: raw[rule] for rule in RULES if rule in raw},
        error_messages=dict(messages),
        visible_when=conditions,
        immutable=raw.get("immutable", False),
        credential_kind=(raw.get("credential") or {}).get("kind"),
        generate_length=(raw.get("generate") or {}).get("length"),
    )


def step_from_dict(raw: dict) -> Step:
    requires = raw.get("requires") or ()
    return Step(
        name=raw["name"],
        engine=raw["engine"],
        path=raw["path"],
        title=raw.get("title") or raw["name"],
        inputs=dict(raw.get("inputs") or {}),
        outputs=tuple(raw.get("outputs") or ()),
        requires=(requires,) if isinstance(requires, str) else tuple(requires),
        usage=dict(raw.get("usage") or {}),
    )


def stack_from_dict(raw: dict, root: Path, readme: str | None = None) -> Stack:
    constraints = raw.get("constraints") or {}
    return Stack(
        root=root,
        slug=raw["slug"],
        name=raw["name"],
        description=raw["description"],
        steps=tuple(step_from_dict(s) for s in raw["steps"]),
        parameters=tuple(parameter_from_dict(p) for p in raw.get("parameters") or ()),
        sections=tuple(
            Section(s["id"], s["title"], s.get("description", "")) for s in raw.get("sections", ())
        ),
        outputs=tuple(
            StackOutput(
                name=o["name"],
                value=o["value"],
                title=o.get("title") or o["name"],
                description=o.get("description", ""),
                sensitive=o.get("sensitive", False),
            )
            for o in raw.get("outputs") or ()
        ),
        constraints=Constraints(
            providers=tuple(constraints.get("providers", ())),
            regions=tuple(constraints.get("regions", ())),
            residencies=tuple(constraints.get("residencies", ())),
        ),
        keywords=tuple(raw.get("keywords", ())),
        technologies=tuple(raw.get("technologies", ())),
        team=raw.get("team"),
        icon=raw.get("icon"),
        readme=readme,
    )
