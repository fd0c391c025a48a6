"""python manage.py import aws|tfstate ... --output DIR: the portal's importers from the
command line, without a job (nothing is stored in the database)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from iac.hcl import write_terraform
from iac.importers import ImporterError, ImportFilter, Progress, run_import
from portal.imports.registry import importer_class


class Command(BaseCommand):
    help = "Import existing infrastructure (AWS, or a Terraform state file) as Terraform."

    def add_arguments(self, parser):
        sources = parser.add_subparsers(dest="source", required=True, metavar="aws|tfstate")
        aws = sources.add_parser(
            "aws",
            help="live AWS resources (credentials from the AWS environment variables or a profile)",
        )
        aws.add_argument("--region", action="append", required=True, dest="regions")
        aws.add_argument("--endpoint-url", help="an AWS-compatible endpoint")
        aws.add_argument("--profile", help="a profile of ~/.aws/config")
        aws.add_argument("--include", action="append", default=[], help="resource types")
        aws.add_argument("--exclude", action="append", default=[], help="resource types")
        aws.add_argument("--tag", action="append", default=[], help="key=value")
        tfstate = sources.add_parser("tfstate", help="a terraform.tfstate file (format 4)")
        tfstate.add_argument("file")
        for sub in (aws, tfstate):
            sub.add_argument("--output", required=True, help="folder for the Terraform files")

    def handle(self, *args, source, output, **options):
        folder = Path(output)
        if folder.is_dir() and any(folder.glob("*.tf")):
            raise CommandError(f"{folder} already holds .tf files: choose an empty folder")
        try:
            importer, filters = self.build(source, options)
            result = run_import(importer, filters, progress=self.report)
        except ImporterError as error:
            raise CommandError(str(error)) from None
        files = write_terraform(result, folder)
        self.stdout.write(files["README.md"])
        self.stdout.write(f"Wrote {', '.join(files)} to {folder}")

    def build(self, source: str, options: dict):
        if source == "tfstate":
            return importer_class("tfstate")(options["file"]), ImportFilter()
        importer = importer_class("aws")(
            options["regions"], endpoint_url=options["endpoint_url"], profile=options["profile"]
        )
        words = [word for value in options["include"] for word in value.split(",") if word]
        excluded = [word for value in options["exclude"] for word in value.split(",") if word]
        return importer, ImportFilter.parse(words, excluded, options["tag"])

    def report(self, progress: Progress) -> None:
        if progress.done:
            where = f" in {progress.region}" if progress.region else ""
            self.stdout.write(f"{progress.type}{where}: {progress.found} found")
