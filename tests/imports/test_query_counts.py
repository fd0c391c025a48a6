import pytest

from portal.accounts.roles import Role
from tests.factories import ImportJobFactory, ProjectFactory, UserFactory
from tests.test_query_counts import query_count


def grow(team, how_many):
    for _ in range(how_many):
        ImportJobFactory(project=ProjectFactory(team=team), created_by=UserFactory())


@pytest.mark.parametrize("url", ["/imports/", "/api/v1/imports/"])
def test_import_lists_do_not_grow_with_rows(client, team, member, url):
    client.force_login(member(Role.VIEWER))
    grow(team, 2)
    few = query_count(client, url)
    grow(team, 10)
    assert query_count(client, url) == few
