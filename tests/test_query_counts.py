"""List pages and endpoints run a fixed number of queries, however many rows they show."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal.accounts.roles import Role
from tests.factories import EnvironmentFactory, MembershipFactory, ProjectFactory, UserFactory

LIST_URLS = [
    "/teams/",
    "/projects/",
    "/environments/",
    "/audit/",
    "/",
    "/api/v1/projects/",
    "/api/v1/environments/",
    "/api/v1/memberships/",
    "/api/v1/audit-events/",
]


def query_count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


def grow(team, how_many):
    for _ in range(how_many):
        project = ProjectFactory(team=team)
        EnvironmentFactory(project=project)
        MembershipFactory(team=team, user=UserFactory())


@pytest.mark.parametrize("url", LIST_URLS)
def test_list_queries_do_not_grow_with_rows(client, team, member, url):
    client.force_login(member(Role.ADMIN))
    grow(team, 2)
    few = query_count(client, url)
    grow(team, 10)
    assert query_count(client, url) == few
