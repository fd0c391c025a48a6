import factory
from django.contrib.auth import get_user_model

from portal.accounts.models import Membership, Team
from portal.accounts.roles import Role
from portal.projects.models import Environment, Project


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("correct horse battery")


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    name = factory.Sequence(lambda n: f"Team {n}")
    slug = factory.Sequence(lambda n: f"team-{n}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    team = factory.SubFactory(TeamFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.DEVELOPER


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project

    team = factory.SubFactory(TeamFactory)
    name = factory.Sequence(lambda n: f"Project {n}")
    slug = factory.Sequence(lambda n: f"project-{n}")


class EnvironmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Environment

    project = factory.SubFactory(ProjectFactory)
    name = factory.Sequence(lambda n: f"env-{n}")
    provider = "aws"
    region = "eu-west-3"


class StackSourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "catalog.StackSource"

    name = factory.Sequence(lambda n: f"source-{n}")
    kind = "git"
    location = factory.Sequence(lambda n: f"https://git.example.com/catalog-{n}.git")


class StackFactory(factory.django.DjangoModelFactory):
    """A catalog entry with no files: enough for lists; sync real folders to deploy."""

    class Meta:
        model = "catalog.Stack"

    source = factory.SubFactory(StackSourceFactory)
    slug = factory.Sequence(lambda n: f"stack-{n}")
    name = factory.Sequence(lambda n: f"Stack {n}")
    description = "A stack."
    technologies = factory.LazyFunction(lambda: ["terraform"])


class StackVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "catalog.StackVersion"

    stack = factory.SubFactory(StackFactory)
    name = factory.Sequence(lambda n: f"v{n}")
    kind = "tag"
    status = "valid"


class ImportJobFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "imports.ImportJob"

    project = factory.SubFactory(ProjectFactory)
    importer = "tfstate"
    created_by = factory.SubFactory(UserFactory)


class CredentialFactory(factory.django.DjangoModelFactory):
    """A PostgreSQL credential unless ``kind`` and a matching ``material`` are given."""

    class Meta:
        model = "credentials.Credential"

    team = factory.SubFactory(TeamFactory)
    name = factory.Sequence(lambda n: f"credential-{n}")
    kind = "postgresql"
    material = factory.LazyFunction(
        lambda: {"host": "db.internal", "user": "admin", "password": "factory-pg-password"}
    )

    @classmethod
    def _create(cls, model_class, *args, material, **kwargs):
        from portal.credentials.types import get_type

        credential = model_class(*args, **kwargs)
        credential.set_material(get_type(credential.kind).clean(material))
        credential.save()
        return credential
