import json

from django import forms
from django.core.exceptions import PermissionDenied

from portal.accounts import permissions as perms
from portal.catalog.models import StackVersion
from portal.deployments import services
from portal.projects.models import Environment


class DeploymentForm(forms.Form):
    """Deploy a stack version into an environment, values given as JSON (the catalog's
    generated form is the friendlier way in; this one takes any stack)."""

    environment = forms.ModelChoiceField(queryset=Environment.objects.none())
    stack_version = forms.ModelChoiceField(
        queryset=StackVersion.objects.filter(status=StackVersion.Status.VALID, gone=False)
        .select_related("stack")
        .order_by("stack__name", "-first_seen"),
        label="Stack version",
    )
    name = forms.CharField(max_length=53, help_text="Lowercase letters, digits and dashes.")
    values = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}),
        initial="{}",
        required=False,
        help_text='Parameter values as a JSON object, e.g. {"database_name": "shop"}.',
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["environment"].queryset = perms.scope(
            user, Environment.objects.select_related("project"), perms.VIEW
        )

    def clean_values(self):
        text = self.cleaned_data["values"].strip() or "{}"
        try:
            values = json.loads(text)
        except ValueError as error:
            raise forms.ValidationError(f"not valid JSON: {error}") from None
        if not isinstance(values, dict):
            raise forms.ValidationError("must be a JSON object of parameter names to values")
        return values

    def save(self):
        """The deployment and its first run; errors land on the form's fields."""
        try:
            return services.create_deployment(
                user=self.user,
                environment=self.cleaned_data["environment"],
                stack_version=self.cleaned_data["stack_version"],
                name=self.cleaned_data["name"],
                values=self.cleaned_data["values"],
            )
        except PermissionDenied as denied:
            self.add_error("environment", str(denied))
            return None
        except services.InvalidRequest as invalid:
            for field, messages in invalid.errors.items():
                target = field if field in self.fields else "values"
                prefix = "" if field in self.fields else f"{field}: "
                for message in messages:
                    self.add_error(target, prefix + message)
            return None
