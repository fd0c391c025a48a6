"""``estimate PATH [--format json|table] [--usage FILE] [--environment ID]``: the cost and
carbon of a Terraform folder (read as HCL) or a plan JSON file, priced like the portal's
estimates (every plugin's catalogs, the price book, the environment's residency)."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from iac.estimate import InputError, load_usage_file, read_plan, read_terraform_dir
from portal.finops.estimates import estimate_projects
from portal.projects.models import Environment


class Command(BaseCommand):
    help = (
        "Estimate the monthly cost and carbon of a Terraform folder or a plan JSON file "
        "(`terraform show -json`). JSON (Infracost's shape plus carbon) goes to stdout."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="A Terraform folder, or a plan JSON file.")
        parser.add_argument("--format", choices=["json", "table"], default="json")
        parser.add_argument("--usage", help="A usage file (Infracost's usage-file format).")
        parser.add_argument(
            "--environment",
            type=int,
            help="An environment id: its price book override and its residency apply.",
        )

    def handle(self, *args, path, format, usage, environment, **options):
        environment = self._environment(environment)
        target = Path(path)
        try:
            if target.is_dir():
                project = read_terraform_dir(target)
            elif target.is_file():
                project = read_plan(target)
            else:
                raise InputError("no such file or folder", file=path)
            if usage and not Path(usage).is_file():
                raise InputError("no such usage file", file=usage)
            usage_values = load_usage_file(usage) if usage else None
            result = estimate_projects(project, environment=environment, usage=usage_values)
        except InputError as error:
            raise CommandError(str(error)) from None
        if format == "json":
            self.stdout.write(json.dumps(result.to_dict(), indent=2))
        else:
            self.stdout.write(result.to_text(), ending="")

    @staticmethod
    def _environment(pk):
        if pk is None:
            return None
        try:
            return Environment.objects.select_related("project").get(pk=pk)
        except Environment.DoesNotExist:
            raise CommandError(f"--environment: no environment with id {pk}") from None
