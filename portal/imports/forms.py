"""Starting an import: the same forms check the web page and the API's body, so both
refuse the same things with the same messages."""

import re
from functools import partial

from django import forms
from django.conf import settings
from django.core.validators import URLValidator
from django.db import transaction

from iac.importers import ImporterError, ImportFilter
from iac.importers.tfstate import parse_state
from portal.accounts import permissions as perms
from portal.credentials.models import Credential
from portal.credentials.runtime import credentials_for
from portal.imports.models import ImportJob
from portal.imports.registry import importer_class
from portal.projects.models import Environment, Project, region_validator


class WordListField(forms.Field):
    """A list typed as text (separated by commas, spaces or new lines) in a form, or
    given as a JSON list (or, for tags, an object) in an API body."""

    widget = forms.TextInput

    def to_python(self, value) -> list[str]:
        if value in (None, ""):
            return []
        if isinstance(value, dict):
            return [f"{key}={item}" for key, item in value.items()]
        if isinstance(value, list | tuple):
            return [str(item).strip() for item in value if str(item).strip()]
        return [word for word in re.split(r"[\s,]+", str(value)) if word]


class ImportForm(forms.Form):
    importer_name: str = ""

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.forbidden = False  # the user may not import into the chosen project

    def scoped(self, name: str):
        field = self.fields[name]
        field.queryset = perms.scope(self.user, field.queryset)

    def check_may_import(self, field: str, parent) -> None:
        if not perms.can(self.user, perms.ADD, ImportJob, team_id=parent.owning_team_id):
            self.forbidden = True
            self.add_error(field, perms.describe_requirement(ImportJob, perms.ADD))

    def job_fields(self) -> dict:
        """The ImportJob fields this importer's form sets; each subclass gives its own."""
        raise NotImplementedError

    def start(self) -> ImportJob:
        """Store the job and queue it once the transaction commits."""
        from portal.imports.tasks import run_import_job

        with transaction.atomic():
            job = ImportJob.objects.create(
                importer=self.importer_name, created_by=self.user, **self.job_fields()
            )
            transaction.on_commit(partial(run_import_job.delay, job.pk))
        return job


class AwsImportForm(ImportForm):
    importer_name = "aws"

    environment = forms.ModelChoiceField(
        Environment.objects.select_related("project__team"),
        help_text="Its project owns the import.",
    )
    credential = forms.ModelChoiceField(
        Credential.objects.filter(kind="aws").select_related("team"),
        label="AWS credential",
        help_text="An AWS credential bound to the environment.",
    )
    regions = WordListField(
        required=False,
        help_text="AWS region codes, separated by commas or spaces; empty: the "
        "environment's region.",
    )
    endpoint_url = forms.CharField(
        required=False,
        max_length=500,
        validators=[URLValidator(schemes=["http", "https"])],
        label="Endpoint URL",
        help_text="Only for an AWS-compatible cloud; empty for AWS itself.",
    )
    include_types = WordListField(
        required=False, help_text="Only these resource types (e.g. aws_vpc aws_subnet)."
    )
    exclude_types = WordListField(required=False, help_text="Leave these resource types out.")
    tags = WordListField(
        required=False, help_text="key=value pairs that every imported resource must carry."
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.scoped("environment")
        # A credential is offered through the environments it is bound to.
        credential = self.fields["credential"]
        credential.queryset = credential.queryset.filter(
            environments__in=self.fields["environment"].queryset
        ).distinct()

    def clean_regions(self):
        regions = self.cleaned_data["regions"]
        for region in regions:
            try:
                region_validator(region)
            except forms.ValidationError as error:
                raise forms.ValidationError(f"{region!r}: {error.messages[0]}") from None
        return list(dict.fromkeys(regions))

    def _clean_types(self, field: str) -> list[str]:
        types = self.cleaned_data[field]
        try:
            ImportFilter(include_types=frozenset(types)).check(
                importer_class(self.importer_name).resource_types
            )
        except ImporterError as error:
            raise forms.ValidationError(f"{error}.") from None
        return types

    def clean_include_types(self):
        return self._clean_types("include_types")

    def clean_exclude_types(self):
        return self._clean_types("exclude_types")

    def clean_tags(self):
        try:
            return dict(ImportFilter.parse(tags=self.cleaned_data["tags"]).tags)
        except ImporterError as error:
            raise forms.ValidationError(f"{error}.") from None

    def clean(self):
        cleaned = super().clean()
        environment = cleaned.get("environment")
        if environment is None:
            return cleaned
        self.check_may_import("environment", environment)
        credential = cleaned.get("credential")
        bound = credentials_for(environment, "aws")
        if credential is not None and not bound.filter(pk=credential.pk).exists():
            self.add_error("credential", f"Choose an AWS credential bound to {environment}.")
        if "regions" in cleaned and not cleaned["regions"]:
            if not environment.region:
                self.add_error("regions", "Name a region: the environment has none.")
            else:
                cleaned["regions"] = [environment.region]
        return cleaned

    def job_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "project": data["environment"].project,
            "environment": data["environment"],
            "credential": data["credential"],
            "regions": data["regions"],
            "endpoint_url": data["endpoint_url"],
            "include_types": data["include_types"],
            "exclude_types": data["exclude_types"],
            "tags": data["tags"],
        }


class TfStateImportForm(ImportForm):
    importer_name = "tfstate"

    project = forms.ModelChoiceField(Project.objects.select_related("team"))
    environment = forms.ModelChoiceField(
        Environment.objects.select_related("project"),
        required=False,
        help_text="Optional: prices and residency of the estimate follow it.",
    )
    state_file = forms.FileField(
        label="State file", help_text="A terraform.tfstate file (format version 4)."
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.scoped("project")
        self.scoped("environment")

    def clean_state_file(self):
        upload = self.cleaned_data["state_file"]
        limit = settings.PLATEAU_IMPORT_STATE_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                f"The file is {upload.size} bytes; the limit is {limit} bytes "
                "(PLATEAU_IMPORT_STATE_MAX_BYTES)."
            )
        try:
            text = upload.read().decode("utf-8")
        except UnicodeDecodeError as error:
            raise forms.ValidationError(f"The file is not UTF-8 text: {error.reason}.") from None
        try:
            parse_state(text, upload.name)
        except ImporterError as error:
            raise forms.ValidationError(f"{error}.") from None
        return upload.name, text

    def clean(self):
        cleaned = super().clean()
        project, environment = cleaned.get("project"), cleaned.get("environment")
        if project is not None:
            self.check_may_import("project", project)
            if environment is not None and environment.project_id != project.pk:
                self.add_error("environment", f"Choose an environment of project {project}.")
        return cleaned

    def job_fields(self) -> dict:
        data = self.cleaned_data
        filename, text = data["state_file"]
        return {
            "project": data["project"],
            "environment": data["environment"],
            "state_upload": text,
            "state_filename": filename[:255],
        }


FORMS = {form.importer_name: form for form in (AwsImportForm, TfStateImportForm)}
