"""The credential form: its material fields follow the chosen kind, and secret fields are
write-only (never rendered with a value, not even back after a validation error)."""

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse

from portal.core.generic import TeamScopedForm
from portal.credentials.models import Credential
from portal.credentials.services import bind_environments, save_credential
from portal.credentials.types import CHOICE, TEXTAREA, VARIABLES, credential_types
from portal.projects.models import Environment

MATERIAL_PREFIX = "material-"
KEEP_HELP = "Leave empty to keep the current value."


class SecretTextarea(forms.Textarea):
    """A textarea that, like PasswordInput(render_value=False), never renders its value."""

    def format_value(self, value):
        return None


def material_field(field, editing: bool) -> forms.Field:
    required = field.required and not (editing and field.secret)
    help_text = " ".join(
        text for text in (field.help, KEEP_HELP if editing and field.secret else "") if text
    )
    if field.widget == CHOICE:
        choices = [("", "—"), *[(choice, choice) for choice in field.choices]]
        return forms.ChoiceField(
            label=field.label, choices=choices, required=required, help_text=help_text
        )
    if field.widget in (TEXTAREA, VARIABLES):
        widget = SecretTextarea if field.secret else forms.Textarea
        widget = widget(attrs={"rows": 6, "autocomplete": "off", "spellcheck": "false"})
    elif field.secret:
        widget = forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"})
    else:
        widget = forms.TextInput
    return forms.CharField(
        label=field.label, required=required, help_text=help_text, widget=widget, strip=False
    )


class CredentialForm(TeamScopedForm):
    parent_field = "team"
    kind = forms.ChoiceField(label="Kind")

    class Meta:
        model = Credential
        fields = ["team", "name", "kind", "description"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        types = credential_types()
        kind_field = self.fields["kind"]
        kind_field.choices = [(kind, t.label) for kind, t in types.items()]
        editing = self.instance.pk is not None
        if editing:
            kind_field.disabled = True
            kind = self.instance.kind
        else:
            kind = self.data.get("kind") or self.initial.get("kind")
            kind = kind if kind in types else next(iter(types))
            kind_field.initial = kind
            kind_field.widget.attrs.update(
                {
                    "hx-get": reverse("credentials:credential_fields"),
                    "hx-target": "#material-fields",
                    "hx-swap": "outerHTML",
                }
            )
        self.credential_type = types.get(kind)
        self.material = None
        current = self.instance.material() if editing and self.credential_type else {}
        for field in self.credential_type.fields if self.credential_type else ():
            form_field = material_field(field, editing)
            if not field.secret and field.name in current:
                form_field.initial = current[field.name]
            self.fields[MATERIAL_PREFIX + field.name] = form_field

    def main_fields(self):
        return [field for field in self if not field.name.startswith(MATERIAL_PREFIX)]

    def material_fields(self):
        return [field for field in self if field.name.startswith(MATERIAL_PREFIX)]

    def clean(self):
        cleaned = super().clean()
        if self.credential_type is None:
            raise ValidationError(f"No loaded plugin provides the kind {self.instance.kind!r}.")
        submitted = {
            field.name: cleaned[MATERIAL_PREFIX + field.name]
            for field in self.credential_type.fields
            if MATERIAL_PREFIX + field.name in cleaned
        }
        if len(submitted) < len(self.credential_type.fields):
            return cleaned  # some field already failed its own check
        current = self.instance.material() if self.instance.pk else {}
        try:
            self.material = self.credential_type.update(current, submitted)
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                self.add_error(MATERIAL_PREFIX + name, messages)
        return cleaned

    def save(self, commit=True):
        credential = super().save(commit=False)
        return save_credential(credential, self.material, self.user)


class BindForm(forms.Form):
    environments = forms.ModelMultipleChoiceField(
        queryset=Environment.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Runs in these environments may use the credential.",
    )

    def __init__(self, *args, credential: Credential, **kwargs):
        super().__init__(*args, **kwargs)
        self.credential = credential
        field = self.fields["environments"]
        field.queryset = Environment.objects.filter(
            project__team_id=credential.team_id
        ).select_related("project__team")
        field.initial = list(credential.environments.all())
        field.error_messages["invalid_choice"] = (
            f"Only environments of the team {credential.team.name} can use this credential; "
            "%(value)s is not one of them."
        )

    def save(self):
        bind_environments(self.credential, self.cleaned_data["environments"])
