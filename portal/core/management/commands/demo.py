"""Loads the demo data ``make run`` starts with. Running it again changes nothing."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from portal.accounts.models import Membership, Team
from portal.accounts.roles import Role
from portal.audit.context import acting_as
from portal.catalog.sync import builtin_source, sync_source
from portal.credentials.models import Credential
from portal.credentials.services import bind_environments, save_credential
from portal.projects.models import Environment, Project, Provider, Residency

DEMO_USERS = [
    # username, role in the demo team, superuser
    ("admin", Role.ADMIN, True),
    ("platform", Role.PLATFORM_ENGINEER, False),
    ("dev", Role.DEVELOPER, False),
    ("viewer", Role.VIEWER, False),
]


class Command(BaseCommand):
    help = "Create the demo users, team, project and environments (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--password",
            default="plateau",
            help="Password given to demo users created by this run (default: plateau).",
        )

    @transaction.atomic
    def handle(self, *args, password, **options):
        User = get_user_model()
        with acting_as(None):
            team, _ = Team.objects.get_or_create(
                slug="platform", defaults={"name": "Platform", "description": "The demo team."}
            )
            for username, role, superuser in DEMO_USERS:
                user = User.objects.filter(username=username).first()
                if user is None:
                    user = User(username=username, is_superuser=superuser, is_staff=superuser)
                    user.set_password(password)
                    user.save()
                    self.stdout.write(f"created user {username}")
                Membership.objects.get_or_create(team=team, user=user, defaults={"role": role})
            project, _ = Project.objects.get_or_create(
                team=team,
                slug="shop",
                defaults={"name": "Shop", "description": "A demo web shop."},
            )
            dev, _ = Environment.objects.get_or_create(
                project=project,
                name="dev",
                defaults={
                    "provider": Provider.ONPREM,
                    "description": "Developers' sandbox on the local machine.",
                    # Ansible steps run here, on this machine; the local RabbitMQ node.
                    "hosts": [
                        {
                            "name": "localhost",
                            "connection": "local",
                            "vars": {"rabbitmq_node": "rabbit@localhost"},
                        }
                    ],
                },
            )
            if not Credential.objects.filter(team=team, name="local-postgres").exists():
                # The PostgreSQL server of a development machine (trust authentication:
                # the password is not checked there; set a real one in real installs).
                credential = save_credential(
                    Credential(team=team, name="local-postgres", kind="postgresql"),
                    {
                        "host": "127.0.0.1",
                        "port": "5432",
                        "user": "postgres",
                        "password": "demo-password",
                    },
                    user=None,
                )
                bind_environments(credential, [dev])
            Environment.objects.get_or_create(
                project=project,
                name="prod",
                defaults={
                    "provider": Provider.SCALEWAY,
                    "region": "fr-par",
                    "residency": Residency.EU,
                    "approval_required": True,
                    "monthly_budget": 500,
                },
            )
        result = sync_source(builtin_source())
        self.stdout.write(
            f"curated stacks: {len(result.added)} new versions, {len(result.gone)} gone"
        )
        for invalid in result.invalid:
            self.stdout.write(self.style.WARNING(f"  invalid stack version: {invalid}"))
        self.stdout.write(self.style.SUCCESS("demo data ready"))
