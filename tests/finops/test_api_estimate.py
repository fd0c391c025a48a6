"""POST /api/v1/stack-versions/<id>/estimate/: a stack version with values, in an
environment the user can see, estimated without deploying."""

from decimal import Decimal

from portal.accounts.roles import Role
from tests.factories import EnvironmentFactory, ProjectFactory
from tests.finops.conftest import HOURS, published_price


def url(version) -> str:
    return f"/api/v1/stack-versions/{version.pk}/estimate/"


def test_estimate_a_version_in_a_visible_environment(api_client, member, team, curated_version):
    version = curated_version("aws-web-server")
    environment = EnvironmentFactory(project=ProjectFactory(team=team), region="eu-west-1")
    api_client.force_authenticate(member(Role.VIEWER))

    response = api_client.post(
        url(version),
        {
            "environment": environment.pk,
            "values": {"region": "eu-west-1", "instance_type": "t3.micro"},
        },
        format="json",
    )

    assert response.status_code == 200, response.json()
    body = response.json()
    instance = body["projects"][0]["breakdown"]["resources"][0]
    assert instance["name"] == "aws_instance.web"
    expected = published_price("aws", "ec2_instance", "eu-west-1", "t3.micro") * HOURS
    assert Decimal(instance["costComponents"][0]["monthlyCost"]) == expected
    assert body["carbon"]["totalMonthlyKgCO2e"] > 0


def test_another_teams_environment_does_not_exist(api_client, member, curated_version):
    version = curated_version("aws-web-server")
    foreign = EnvironmentFactory()
    api_client.force_authenticate(member(Role.DEVELOPER))

    response = api_client.post(url(version), {"environment": foreign.pk}, format="json")

    assert response.status_code == 400
    assert "does not exist" in response.json()["environment"][0]


def test_a_version_the_user_cannot_see_is_not_found(api_client, member, team, curated_version):
    version = curated_version("aws-web-server", published=False)
    environment = EnvironmentFactory(project=ProjectFactory(team=team))
    api_client.force_authenticate(member(Role.DEVELOPER))

    response = api_client.post(url(version), {"environment": environment.pk}, format="json")

    assert response.status_code == 404


def test_bad_values_are_named(api_client, member, team, curated_version):
    version = curated_version("aws-web-server")
    environment = EnvironmentFactory(project=ProjectFactory(team=team))
    api_client.force_authenticate(member(Role.DEVELOPER))

    response = api_client.post(
        url(version),
        {"environment": environment.pk, "values": {"data_volume_gb": 5000, "colour": "red"}},
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {
        "values.data_volume_gb": ["At most 1000 GB; ask the platform team for more."],
        "values.colour": ["unknown parameter"],
    }
    not_an_object = api_client.post(
        url(version), {"environment": environment.pk, "values": [1]}, format="json"
    )
    assert not_an_object.status_code == 400
    assert "values" in not_an_object.json()


def test_anonymous_requests_are_refused(api_client, curated_version):
    version = curated_version("aws-web-server")
    assert api_client.post(url(version), {}, format="json").status_code in (401, 403)
