"""The deploy form, generated from a stack version's parameters; the catalog's filters;
the git source form.

The deploy form only turns text into values: every rule is checked by
``iac.stacks.validate_values``, the same check the API and the runs make, so errors read
the same everywhere (``must be at least 1 [min]``, or the author's own message). Text
that does not convert (``abc`` for an integer) is passed on as is, so that check names
the broken rule.
"""

import math
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from iac.stacks import Parameter, resolve_values, validate_values, visible_parameters
from iac.stacks import Stack as StackDefinition
from portal.catalog import visibility
from portal.catalog.display import shown, step_previews
from portal.catalog.models import StackSource

# Parameter names match ^[a-z]: these two can never collide with one.
ENVIRONMENT_FIELD = "_environment"
DEFAULTS_FIELD = "_defaults_of"  # the environment whose defaults the fields show


def to_value(parameter: Parameter, raw: Any) -> Any:
    """A field's content as a value; None for an empty field (defaults then apply).
    Raises ValueError for text that cannot even be read (a map line without '=')."""
    if parameter.type == "boolean":
        return bool(raw)
    if raw is None or raw == "":
        return None
    if parameter.type == "secret":
        return raw  # spaces are part of a password
    text = str(raw).strip()
    if not text:
        return None
    if parameter.type in ("integer", "number"):
        return _number(text, parameter.type)
    if parameter.type == "choice":
        return {shown(choice.value): choice.value for choice in parameter.choices}.get(text, text)
    if parameter.type == "list":
        items = [line.strip() for line in text.splitlines() if line.strip()]
        if parameter.item_type in ("integer", "number"):
            return [_number(item, parameter.item_type) for item in items]
        return items
    if parameter.type == "map":
        return _mapping(text)
    return text


def _number(text: str, kind: str) -> int | float | str:
    try:
        return int(text)
    except ValueError:
        pass
    if kind == "number":
        try:
            number = float(text)
        except ValueError:
            return text
        if math.isfinite(number):
            return number
    return text


def _mapping(text: str) -> dict[str, str]:
    mapping = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        key, separator, value = line.partition("=")
        if not separator or not key.strip():
            raise ValueError(f"line {number}: write one key=value per line [format]")
        mapping[key.strip()] = value.strip()
    return mapping


def to_text(parameter: Parameter, value: Any) -> Any:
    """How a value (a default) shows in its field."""
    if parameter.type == "boolean":
        return bool(value)
    if value is None or parameter.type == "secret":
        return ""  # a secret is never written back into the page
    if parameter.type == "list":
        return "\n".join(shown(item) for item in value)
    if parameter.type == "map":
        return "\n".join(f"{key}={shown(item)}" for key, item in value.items())
    return shown(value)


def _help(parameter: Parameter) -> str:
    hints = {
        "list": "One item per line.",
        "map": "One key=value per line.",
    }
    parts = [parameter.help, hints.get(parameter.type, "")]
    if parameter.type == "secret" and parameter.generate_length:
        parts.append("Leave empty to have one generated at the first deploy.")
    return " ".join(part for part in parts if part)


def parameter_field(parameter: Parameter, credential_names: list[str]) -> forms.Field:
    """A fitting field for each parameter type. None is required at this level: requiredness
    depends on visibility and defaults, which validate_values knows."""
    common = {"label": parameter.title, "help_text": _help(parameter), "required": False}
    kind = parameter.type
    if kind == "boolean":
        return forms.BooleanField(**common)
    if kind in ("integer", "number"):
        attrs = {"step": "1" if kind == "integer" else "any"}
        attrs |= {rule: parameter.rules[rule] for rule in ("min", "max") if rule in parameter.rules}
        return forms.CharField(widget=forms.NumberInput(attrs=attrs), strip=False, **common)
    if kind == "choice":
        options = [(shown(choice.value), choice.title) for choice in parameter.choices]
        return forms.CharField(widget=forms.Select(choices=[("", "—"), *options]), **common)
    if kind == "credential":
        options = [(name, name) for name in credential_names]
        return forms.CharField(
            widget=forms.Select(choices=[("", "Choose a credential"), *options]), **common
        )
    if kind in ("list", "map"):
        return forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), strip=False, **common)
    if kind == "secret":
        # hx-preserve: re-rendering the fields (another field changed) keeps what was typed
        # in the browser, since the server never sends a secret back.
        attrs = {"autocomplete": "new-password", "hx-preserve": "true"}
        widget = forms.PasswordInput(render_value=False, attrs=attrs)
        return forms.CharField(widget=widget, strip=False, **common)
    return forms.CharField(strip=False, **common)


def credential_names(environment, kind: str) -> list[str]:
    from portal.credentials.runtime import credentials_for

    if environment is None:
        return []
    return [credential.name for credential in credentials_for(environment, kind)]


def unbound_credentials(stack: StackDefinition, values: dict, environment) -> dict[str, list]:
    """Errors for credential values that name no credential of the parameter's kind bound
    to ``environment`` (the select only offers those; a crafted request may not)."""
    errors = {}
    for parameter in stack.parameters:
        value = values.get(parameter.name)
        if parameter.type != "credential" or value in (None, ""):
            continue
        if value not in credential_names(environment, parameter.credential_kind):
            errors[parameter.name] = [
                f"no {parameter.credential_kind} credential named {value!r} is bound to this "
                "environment [credential]"
            ]
    return errors


@dataclass(frozen=True)
class FieldRow:
    field: forms.BoundField
    visible: bool
    required: bool


@dataclass(frozen=True)
class Fieldset:
    title: str
    description: str
    rows: list[FieldRow]


class DeployForm(forms.Form):
    """Values for one stack version in one environment.

    ``live_url`` (the validate endpoint) turns on live validation: a field posts the form
    there as it is typed and gets its own errors back; the environment and the fields that
    other fields' visibility depends on re-render the whole field block instead.
    ``environment_changed`` says the environment was just picked: fields still showing the
    previous environment's defaults take the new one's.
    """

    def __init__(
        self,
        stack: StackDefinition,
        environments: QuerySet,
        data=None,
        *,
        live_url: str | None = None,
        environment_changed: bool = False,
    ):
        self.stack = stack
        self.environments = environments
        if data is not None and environment_changed:
            data = self._follow_environment(data)
        super().__init__(data)
        self.fields[ENVIRONMENT_FIELD] = forms.ModelChoiceField(
            environments,
            label="Environment",
            empty_label=None,
            error_messages={
                "required": "choose an environment [required]",
                "invalid_choice": "you may not deploy to this environment: it needs the "
                "developer role in its team [permission]",
            },
        )
        self.fields[DEFAULTS_FIELD] = forms.CharField(widget=forms.HiddenInput, required=False)
        environment = self.environment
        if not self.is_bound and environment is not None:
            self.initial[ENVIRONMENT_FIELD] = environment.pk
        name = environment.name if environment is not None else None
        self.initial[DEFAULTS_FIELD] = name or ""
        self.controlling = {
            controlled for parameter in stack.parameters for controlled in parameter.visible_when
        }
        for parameter in stack.parameters:
            names = (
                credential_names(environment, parameter.credential_kind)
                if parameter.type == "credential"
                else []
            )
            self.fields[parameter.name] = parameter_field(parameter, names)
            has_default, default = parameter.default_for(name)
            if has_default:
                self.initial[parameter.name] = to_text(parameter, default)
        if live_url:
            self._add_live_validation(live_url)

    def _add_live_validation(self, url: str) -> None:
        for name, field in self.fields.items():
            attrs = {"hx-post": url}
            if name == ENVIRONMENT_FIELD or name in self.controlling:
                attrs |= {"hx-trigger": "change", "hx-target": "#deploy-fields"}
            elif name != DEFAULTS_FIELD:
                attrs |= {
                    "hx-trigger": "keyup changed delay:300ms, change",
                    "hx-target": f"#errors-{name}",
                }
            else:
                continue
            field.widget.attrs |= attrs | {"hx-swap": "outerHTML"}

    def _follow_environment(self, data):
        data = data.copy()
        previous = data.get(DEFAULTS_FIELD) or None
        environment = self._environment_from(data.get(ENVIRONMENT_FIELD))
        current = environment.name if environment is not None else None
        for parameter in self.stack.parameters:
            if parameter.type == "secret":
                continue
            raw = (
                forms.CheckboxInput().value_from_datadict(data, None, parameter.name)
                if parameter.type == "boolean"
                else data.get(parameter.name)
            )
            try:
                shown_value = to_value(parameter, raw)
            except ValueError:
                continue  # unreadable text is the user's, not a default
            had, old_default = parameter.default_for(previous)
            if shown_value != (old_default if had else None):
                continue  # the user's own value stays
            has, new_default = parameter.default_for(current)
            text = to_text(parameter, new_default) if has else to_text(parameter, None)
            if parameter.type == "boolean":
                data.setlist(parameter.name, ["on"] if text else [])
            else:
                data[parameter.name] = text
        data[DEFAULTS_FIELD] = current or ""
        return data

    def _environment_from(self, pk):
        try:
            return self.environments.filter(pk=int(pk)).first()
        except (TypeError, ValueError):
            return None

    @property
    def environment(self):
        if not hasattr(self, "_environment"):
            if self.is_bound:
                self._environment = self._environment_from(self.data.get(ENVIRONMENT_FIELD))
            else:
                self._environment = self.environments.first()
        return self._environment

    # Templates cannot read names that start with "_": these hand the two fields over.
    @property
    def environment_choice(self) -> forms.BoundField:
        return self[ENVIRONMENT_FIELD]

    @property
    def defaults_marker(self) -> forms.BoundField:
        return self[DEFAULTS_FIELD]

    @property
    def environment_name(self) -> str | None:
        return self.environment.name if self.environment is not None else None

    def typed_values(self) -> tuple[dict, dict[str, str]]:
        """(the values the fields hold, empty ones left out; unreadable fields' errors)."""
        values, unreadable = {}, {}
        for parameter in self.stack.parameters:
            try:
                value = to_value(parameter, self[parameter.name].value())
            except ValueError as error:
                unreadable[parameter.name] = str(error)
                continue
            if value is not None:
                values[parameter.name] = value
        return values, unreadable

    def filled_names(self) -> set[str]:
        values, unreadable = self.typed_values()
        return set(values) | set(unreadable)

    def resolved(self) -> dict:
        """Values with defaults, hidden parameters dropped (secrets still in: mask them)."""
        return resolve_values(self.stack, self.typed_values()[0], self.environment_name)

    def visible_names(self) -> set[str]:
        return visible_parameters(self.stack, self.resolved())

    def preview(self) -> dict:
        return step_previews(self.stack, self.resolved(), self.environment)

    def clean(self):
        cleaned = super().clean()
        self.values, unreadable = self.typed_values()
        visible = self.visible_names()
        errors = validate_values(self.stack, self.values, self.environment_name)
        if self.environment is not None:
            resolved = self.resolved()
            errors |= unbound_credentials(self.stack, resolved, self.environment)
        for name, message in unreadable.items():
            if name in visible:
                errors[name] = [message]
        for name, messages in errors.items():
            for message in messages:
                self.add_error(name if name in self.fields else None, message)
        return cleaned

    def fieldsets(self) -> list[Fieldset]:
        visible = self.visible_names()
        sections = [(None, "", "")] + [(s.id, s.title, s.description) for s in self.stack.sections]
        fieldsets = []
        for section_id, title, description in sections:
            rows = [
                FieldRow(
                    self[parameter.name],
                    parameter.name in visible,
                    parameter.required
                    and not (parameter.type == "secret" and parameter.generate_length),
                )
                for parameter in self.stack.parameters
                if parameter.section == section_id
            ]
            if rows:
                fieldsets.append(Fieldset(title, description, rows))
        return fieldsets


class CatalogFilterForm(forms.Form):
    q = forms.CharField(required=False, label="Search")
    technology = forms.ChoiceField(required=False)
    provider = forms.ChoiceField(required=False)

    def __init__(self, data, technologies: list[str], providers: list[str]):
        super().__init__(data)
        self.fields["technology"].choices = [("", "Any technology")] + [
            (name, name) for name in technologies
        ]
        self.fields["provider"].choices = [("", "Any provider")] + [
            (name, name) for name in providers
        ]


class CredentialChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, credential):
        return f"{credential.team} / {credential}"


class StackSourceForm(forms.ModelForm):
    """Git sources only: a folder source reads a path on the server, which is the
    operator's business (``python manage.py stacks sync``), not a web form's."""

    class Meta:
        model = StackSource
        fields = [
            "name",
            "location",
            "branch",
            "subdir",
            "credential",
            "refresh_minutes",
            "published",
        ]
        field_classes = {"credential": CredentialChoiceField}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.instance.kind = StackSource.Kind.GIT
        # The form writes into the instance before clean() ends: keep what was saved.
        self.original = StackSource.objects.get(pk=self.instance.pk) if self.instance.pk else None
        credential = self.fields["credential"]
        credential.queryset = visibility.usable_source_credentials(
            user, self.original.credential if self.original else None
        )
        credential.empty_label = "None: a public repository"

    def clean(self):
        cleaned = super().clean()
        try:
            visibility.check_source_credential(
                self.user, cleaned.get("credential"), cleaned.get("location"), self.original
            )
        except ValidationError as error:
            self.add_error(None, error)
        return cleaned
