from django.core.management.base import BaseCommand

from portal.plugins import loaded_plugins


class Command(BaseCommand):
    help = "List the loaded plugins and the hooks each implements."

    def handle(self, *args, **options):
        for info in loaded_plugins():
            kind = "built-in" if info.builtin else f"third-party {info.version or ''}".strip()
            self.stdout.write(f"{info.name} ({kind}, {info.module})")
            for hook_name in info.hooks:
                self.stdout.write(f"    {hook_name}")
