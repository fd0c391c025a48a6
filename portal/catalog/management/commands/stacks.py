import io
import sys

from django.core.management.base import BaseCommand, CommandError

from iac.stacks import cli
from portal.catalog.models import StackSource
from portal.catalog.sync import builtin_source, refresh


class Command(BaseCommand):
    help = (
        "Stack catalog tools. `stacks validate [PATH ...]` checks stack folders and exits "
        "non-zero on any error (for platform teams' CI); `stacks sync [SOURCE ...]` imports "
        "new versions from the curated folder and catalog repositories."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        validate = sub.add_parser("validate", help="validate stack folders")
        validate.add_argument("paths", nargs="*", default=["stacks"])
        validate.add_argument("--format", choices=["text", "json"], default="text")
        sync = sub.add_parser("sync", help="import new stack versions")
        sync.add_argument("sources", nargs="*", help="source names (default: all)")

    def handle(self, *args, action, **options):
        if action == "validate":
            argv = ["validate", *options["paths"], "--format", options["format"]]
            report = io.StringIO()
            code = cli.main(argv, out=report)
            self.stdout.write(report.getvalue(), ending="")
            if code:
                sys.exit(code)
            return
        builtin_source()
        sources = StackSource.objects.all()
        if options["sources"]:
            sources = sources.filter(name__in=options["sources"])
            missing = set(options["sources"]) - set(sources.values_list("name", flat=True))
            if missing:
                raise CommandError(f"unknown stack source(s): {', '.join(sorted(missing))}")
        for source in sources:
            result = refresh(source.pk)
            if result is None:
                self.stdout.write(f"{source.name}: already being refreshed by a worker")
                continue
            self.stdout.write(
                f"{source.name}: {len(result.added)} added, {len(result.invalid)} invalid, "
                f"{len(result.gone)} gone"
            )
            for line in result.invalid:
                self.stdout.write(f"  invalid: {line}")
            for note in result.notes:
                self.stdout.write(f"  note: {note}")
            for error in result.errors:
                self.stderr.write(f"  error: {error}")
