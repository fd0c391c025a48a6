"""Kinds of credential (AWS keys, kubeconfig, PostgreSQL...), contributed by plugins through
``plateau_credential_types``.

A type declares its fields (which are secret, which are required, how each is checked)
and how its material reaches a run: environment variables, and files written in the
run's private workspace. The material of one credential is a dict of field name to
value: a string, or for a ``variables`` field a dict of variable name to string.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError

from portal.plugins import hook

TEXT, TEXTAREA, CHOICE, VARIABLES = "text", "textarea", "choice", "variables"
MAX_VALUE_LENGTH = 256 * 1024
EMPTY = ("", None, {})

# write_file(name, content) -> the path where the run can read it.
FileWriter = Callable[[str, str], Path]
Material = Mapping[str, Any]


@dataclass(frozen=True)
class CredentialField:
    name: str
    label: str
    secret: bool = False
    required: bool = True
    help: str = ""
    widget: str = TEXT  # text, textarea, choice or variables (NAME=value lines)
    choices: tuple[str, ...] = ()
    # Each raises django.core.exceptions.ValidationError with a message for the user.
    validators: tuple[Callable[[Any], None], ...] = ()

    def clean(self, value):
        if self.widget == VARIABLES:
            value = parse_variables(value)
            for name, text in value.items():
                _check_text(text, f"{name}: ")
        else:
            _check_text(value)
            if not self.secret and self.widget != TEXTAREA:
                value = value.strip()
        if self.widget == CHOICE and value not in self.choices:
            raise ValidationError(f"Choose one of: {', '.join(self.choices)}.")
        for validator in self.validators:
            validator(value)
        return value


def _check_text(value, where: str = "") -> None:
    if not isinstance(value, str):
        raise ValidationError(f"{where}Give a text value.")
    if len(value) > MAX_VALUE_LENGTH:
        raise ValidationError(f"{where}Use at most {MAX_VALUE_LENGTH} characters.")


def parse_variables(value) -> dict[str, str]:
    """A ``variables`` value: a dict from the API, or ``NAME=value`` lines from a form."""
    if isinstance(value, Mapping):
        return dict(value)
    if not isinstance(value, str):
        raise ValidationError("Give NAME=value lines, or an object of names to values.")
    variables = {}
    for number, line in enumerate(value.splitlines(), start=1):
        if not line.strip():
            continue
        name, equals, text = line.partition("=")
        name = name.strip()
        if not equals or not name:
            raise ValidationError(f"Line {number}: write NAME=value.")
        if name in variables:
            raise ValidationError(f"Line {number}: {name} is given twice.")
        variables[name] = text
    return variables


@dataclass(frozen=True)
class CredentialType:
    kind: str
    label: str
    fields: tuple[CredentialField, ...]
    # (material, write_file) -> environment variables for the run's engine processes.
    to_run: Callable[[Material, FileWriter], dict[str, str]]
    description: str = ""
    # Values to mask in run output; by default the value of every secret field. A type
    # whose secret is a whole document (a kubeconfig) names the sensitive parts instead.
    secrets_of: Callable[[Material], list[str]] | None = None
    # Rules across fields, run once each field is valid; raises ValidationError with a
    # dict naming the field(s) concerned.
    check: Callable[[Material], None] | None = None

    def field(self, name: str) -> CredentialField:
        return next(field for field in self.fields if field.name == name)

    def update(self, current: Material, submitted: Material) -> dict:
        """The material after ``submitted`` is applied to ``current``, checked.

        Write-only rules: a field left out keeps its value; an empty secret field keeps
        its value too (it is never shown, so it cannot be re-entered); an empty non-secret
        field, or ``None``, clears it. Raises ValidationError naming each bad field."""
        known = {field.name for field in self.fields}
        errors = {
            name: f"Not a field of {self.label}; use: {', '.join(sorted(known))}."
            for name in sorted(set(submitted) - known)
        }
        material = dict(current)
        for name, value in submitted.items():
            if name not in known:
                continue
            if value is None or (value in EMPTY and not self.field(name).secret):
                material.pop(name, None)
            elif value not in EMPTY:
                material[name] = value
        try:
            cleaned = self.clean(material)
        except ValidationError as error:
            errors.update(error.message_dict)
        if errors:
            raise ValidationError(errors)
        return cleaned

    def clean(self, material: Material) -> dict:
        cleaned, errors = {}, {}
        for field in self.fields:
            value = material.get(field.name)
            if value in EMPTY:
                if field.required:
                    errors[field.name] = "This field is required."
                continue
            try:
                cleaned[field.name] = field.clean(value)
            except ValidationError as error:
                errors[field.name] = error.messages
        if not errors and self.check is not None:
            try:
                self.check(cleaned)
            except ValidationError as error:
                errors.update(error.message_dict)
        if errors:
            raise ValidationError(errors)
        return cleaned

    def secret_values(self, material: Material) -> list[str]:
        if self.secrets_of is not None:
            return [value for value in self.secrets_of(material) if value]
        values = []
        for field in self.fields:
            value = material.get(field.name)
            if not field.secret or value in EMPTY:
                continue
            values.extend(value.values() if isinstance(value, Mapping) else [value])
        return values

    @staticmethod
    def field_names(material: Material) -> list[str]:
        """What is set, shown as metadata: field names, and a variables field's names."""
        names = []
        for name, value in material.items():
            if isinstance(value, Mapping):
                names.extend(f"{name}.{key}" for key in value)
            else:
                names.append(name)
        return names


def credential_types() -> dict[str, CredentialType]:
    """Every registered type by kind; a later plugin replaces a kind an earlier one gave."""
    found = {}
    for types in reversed(hook().plateau_credential_types()):  # built-ins first
        for credential_type in types or []:
            found[credential_type.kind] = credential_type
    return found


class UnknownKindError(LookupError):
    pass


def get_type(kind: str) -> CredentialType:
    try:
        return credential_types()[kind]
    except KeyError:
        raise UnknownKindError(f"No loaded plugin provides the credential type {kind!r}.") from None
