"""The catalog page: search and filters in place (htmx), cards, a fixed query count."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import StackFactory, StackVersionFactory


@pytest.fixture
def stacks(db, team):
    made = {}
    for slug, name, technologies, providers, keywords in [
        ("postgres", "PostgreSQL database", ["postgresql", "ansible"], [], ["sql"]),
        ("web", "Web service", ["kubernetes", "helm"], [], ["http"]),
        ("aws-vm", "AWS web server", ["terraform"], ["aws"], ["vm"]),
        ("sovereign-vm", "Sovereign server", ["terraform"], ["scaleway"], ["vm", "europe"]),
    ]:
        stack = StackFactory(
            slug=slug,
            name=name,
            technologies=technologies,
            providers=providers,
            keywords=keywords,
            team=team,
        )
        stack.latest_version = StackVersionFactory(stack=stack)
        stack.save()
        made[slug] = stack
    return made


def shown(response) -> set[str]:
    html = response.content.decode()
    return {
        slug
        for slug in ("postgres", "web", "aws-vm", "sovereign-vm")
        if f'data-slug="{slug}"' in html
    }


def test_keyword_technology_and_provider_filters(client, developer, stacks):
    client.force_login(developer)
    assert shown(client.get("/catalog/")) == {"postgres", "web", "aws-vm", "sovereign-vm"}
    assert shown(client.get("/catalog/?q=vm")) == {"aws-vm", "sovereign-vm"}  # keywords
    assert shown(client.get("/catalog/?q=web+server")) == {"aws-vm"}  # every word
    assert shown(client.get("/catalog/?q=SQL")) == {"postgres"}
    assert shown(client.get("/catalog/?technology=terraform")) == {"aws-vm", "sovereign-vm"}
    assert shown(client.get("/catalog/?technology=terraform&provider=scaleway")) == {"sovereign-vm"}
    assert shown(client.get("/catalog/?q=nothing-like-this")) == set()


def test_filters_offer_what_the_catalog_holds(client, developer, stacks):
    client.force_login(developer)
    html = client.get("/catalog/").content.decode()
    for technology in ("ansible", "helm", "kubernetes", "postgresql", "terraform"):
        assert f'<option value="{technology}">' in html
    assert '<option value="scaleway">' in html and '<option value="aws">' in html


def test_an_unknown_filter_value_is_named_and_ignored(client, developer, stacks):
    client.force_login(developer)
    response = client.get("/catalog/?technology=cobol")
    assert shown(response) == {"postgres", "web", "aws-vm", "sovereign-vm"}
    assert 'data-field="technology"' in response.content.decode()


def test_htmx_requests_get_only_the_cards(client, developer, stacks):
    client.force_login(developer)
    response = client.get("/catalog/?q=web", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="stack-cards")
    html = response.content.decode()
    assert "<html" not in html and shown(response) == {"web", "aws-vm"}
    page = client.get("/catalog/").content.decode()
    assert 'hx-target="#stack-cards"' in page and 'hx-push-url="true"' in page


def test_cards_show_icon_description_technologies_and_team(client, developer, stacks):
    stacks["postgres"].icon = "database"
    stacks["postgres"].save()
    client.force_login(developer)
    html = client.get("/catalog/?q=postgres").content.decode()
    assert '<img class="stack-icon" src="/static/icons/database.svg" alt="">' in html
    assert "PostgreSQL database" in html and "A stack." in html
    assert '<span class="tag">ansible</span>' in html and "Team Payments" in html


@pytest.mark.parametrize("role", ["developer", "platform_engineer"])
@pytest.mark.parametrize("url", ["/catalog/", "/api/v1/stacks/", "/api/v1/stack-versions/"])
def test_list_queries_do_not_grow_with_stacks(client, member, stacks, team, role, url):
    client.force_login(member(role))

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    few = count()
    for _ in range(8):
        stack = StackFactory(team=team, providers=["aws"])
        stack.latest_version = StackVersionFactory(stack=stack)
        stack.save()
    assert count() == few


def test_every_icon_name_has_its_shipped_image():
    from django.conf import settings

    from portal.catalog.display import ICONS

    for name in ICONS:
        image = settings.BASE_DIR / "static" / "icons" / f"{name}.svg"
        assert image.read_text().startswith("<svg "), name
