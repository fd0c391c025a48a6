"""Stacks: the stack.yaml format, its validation, stack sources and versions.

Pure Python: never import Django here. Format reference: docs/stacks.md.
"""

from .icons import icon_content_type
from .loader import load_stack
from .model import Constraints, Parameter, Section, Stack, StackOutput, Step
from .references import UnresolvedReference, render_stack_outputs, render_step_inputs
from .sources import (
    GitCredential,
    GitStackSource,
    LocalStackSource,
    SourceError,
    SourceVersion,
    folder_version,
    url_scheme,
)
from .step_checks import default_step_validators
from .validation import ValidationReport, validate_stack
from .values import parameters_json_schema, resolve_values, validate_values, visible_parameters

__all__ = [
    "Constraints",
    "GitCredential",
    "GitStackSource",
    "LocalStackSource",
    "Parameter",
    "Section",
    "SourceError",
    "SourceVersion",
    "Stack",
    "StackOutput",
    "Step",
    "UnresolvedReference",
    "ValidationReport",
    "default_step_validators",
    "folder_version",
    "icon_content_type",
    "load_stack",
    "parameters_json_schema",
    "render_stack_outputs",
    "render_step_inputs",
    "resolve_values",
    "url_scheme",
    "validate_stack",
    "validate_values",
    "visible_parameters",
]
