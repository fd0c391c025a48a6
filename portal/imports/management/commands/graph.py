"""python manage.py graph PATH --format svg|dot|mermaid: the infrastructure map of a
Terraform folder or a state file, on standard output."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from iac.graph import build_graph, from_state, from_terraform_dir
from iac.importers import ImporterError
from portal.imports import maps


class Command(BaseCommand):
    help = "Draw the infrastructure map of a Terraform folder or a state file."

    def add_arguments(self, parser):
        parser.add_argument("path", help="a folder of .tf files, or a terraform.tfstate file")
        parser.add_argument("--format", choices=list(maps.FORMATS), default="svg")

    def handle(self, *args, path, format, **options):
        source = Path(path)
        if not source.exists():
            raise CommandError(f"{source} does not exist")
        try:
            resources = from_terraform_dir(source) if source.is_dir() else from_state(source)
        except ImporterError as error:
            raise CommandError(str(error)) from None
        renderer = maps.FORMATS[format][0]
        self.stdout.write(renderer(build_graph(resources)), ending="")
