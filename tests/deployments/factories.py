import factory

from portal.catalog.models import Stack, StackSource, StackVersion
from portal.deployments.models import Deployment, Run
from tests.factories import EnvironmentFactory, UserFactory


class StackVersionFactory(factory.django.DjangoModelFactory):
    """A catalog entry without files: for tests that never run it."""

    class Meta:
        model = StackVersion

    stack = factory.LazyFunction(
        lambda: Stack.objects.create(
            source=StackSource.objects.get_or_create(
                name="factory", defaults={"kind": "folder", "location": "/nonexistent"}
            )[0],
            slug=f"stack-{Stack.objects.count() + 1}",
            name="Factory stack",
        )
    )
    name = "v1"
    kind = "folder"
    status = StackVersion.Status.VALID


class DeploymentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Deployment

    environment = factory.SubFactory(EnvironmentFactory)
    stack_version = factory.SubFactory(StackVersionFactory)
    name = factory.Sequence(lambda n: f"app-{n}")
    created_by = factory.SubFactory(UserFactory)


class RunFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Run

    deployment = factory.SubFactory(DeploymentFactory)
    kind = Run.Kind.APPLY
    requested_by = factory.SubFactory(UserFactory)
