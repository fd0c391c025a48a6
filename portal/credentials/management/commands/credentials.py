"""``credentials generate-key`` prints a new encryption key; ``credentials rotate``
re-encrypts every stored secret with the primary (first) key.

Rotation: put a new key first in PLATEAU_CREDENTIAL_KEYS (keep the old one after it) on
every process, run ``credentials rotate``, then remove the old key (docs/security.md).
"""

from django.core.management.base import BaseCommand, CommandError

from portal.audit import recorder
from portal.credentials import crypto
from portal.credentials.keys import generate_key


class Command(BaseCommand):
    help = "Manage credential encryption keys: generate-key, rotate."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        actions.add_parser("generate-key", help="Print a new Fernet key.")
        actions.add_parser(
            "rotate", help="Re-encrypt every stored secret with the first configured key."
        )

    def handle(self, *args, action, **options):
        if action == "generate-key":
            self.stdout.write(generate_key())
            return
        try:
            counts = crypto.rotate_all()
        except crypto.UndecryptableError as error:
            raise CommandError(str(error)) from None
        recorder.record(
            "rotate_keys",
            changes={"re-encrypted": counts},
            actor_name="manage.py credentials rotate",
            object_repr="credential encryption keys",
        )
        for label, count in counts.items():
            self.stdout.write(f"{label}: {count} value(s) re-encrypted")
        self.stdout.write(self.style.SUCCESS("Done: the old keys can now be removed."))
