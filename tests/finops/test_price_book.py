"""The on-premises price book and its per-environment overrides, in the pages and the
API: who may read and change them, audited changes, bad input refused."""

from decimal import Decimal

import pytest
from django.urls import reverse

from plugins.pricing import default_price_books
from portal.accounts.roles import Role
from portal.audit.models import AuditEvent
from portal.finops.models import PriceBook, PriceBookOverride
from portal.finops.price_books import book_prices, default_book
from tests.factories import EnvironmentFactory, MembershipFactory, ProjectFactory, UserFactory
from tests.test_query_counts import query_count

BOOK_FORM = {
    "currency": "EUR",
    "vcpu_hour": "0.02",
    "memory_gb_hour": "0.003",
    "storage_gb_month": "0.05",
    "country": "DEU",
    "storage_media": "ssd",
    "note": "2026 budget",
}


@pytest.fixture
def environment(team):
    return EnvironmentFactory(project=ProjectFactory(team=team), name="prod", provider="onprem")


def test_the_book_is_seeded_from_the_shipped_figures(db):
    shipped = default_price_books()["default"]
    book = default_book()
    assert (book.vcpu_hour, book.memory_gb_hour, book.storage_gb_month) == (
        shipped.vcpu_hour,
        shipped.memory_gb_hour,
        shipped.storage_gb_month,
    )
    assert (book.currency, book.country) == (shipped.currency, shipped.country)
    assert PriceBook.objects.count() == 1


def test_every_team_member_reads_the_book(client, member):
    client.force_login(member(Role.VIEWER))
    response = client.get(reverse("finops:price_book"))
    assert response.status_code == 200
    assert str(default_book().vcpu_hour) in response.text
    assert reverse("finops:price_book_edit") not in response.text
    assert "Price book" in response.text  # the menu entry


def test_a_user_in_no_team_may_not_read_it(client, db):
    client.force_login(UserFactory())
    assert client.get(reverse("finops:price_book")).status_code == 403


@pytest.mark.parametrize("role", [Role.VIEWER, Role.DEVELOPER])
def test_only_platform_engineers_change_the_book(client, member, role):
    client.force_login(member(role))
    assert client.get(reverse("finops:price_book_edit")).status_code == 403
    response = client.post(reverse("finops:price_book_edit"), BOOK_FORM)
    assert response.status_code == 403
    assert default_book().vcpu_hour != Decimal("0.02")


def test_a_platform_engineer_changes_the_book_and_it_is_audited(client, member):
    client.force_login(member(Role.PLATFORM_ENGINEER))
    response = client.post(reverse("finops:price_book_edit"), BOOK_FORM)
    assert response.status_code == 302
    book = default_book()
    assert (book.vcpu_hour, book.country) == (Decimal("0.02"), "DEU")
    event = AuditEvent.objects.get(object_type="finops.pricebook", action="update")
    assert [Decimal(value) for value in event.changes["vcpu_hour"]] == [
        Decimal("0.015"),
        Decimal("0.02"),
    ]
    assert book_prices().vcpu_hour == Decimal("0.02")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("vcpu_hour", "-1", "greater than or equal to 0"),
        ("country", "XXX", "is not an ISO 3166 alpha-3 country code"),
        ("currency", "eur", "three-letter ISO 4217"),
    ],
)
def test_bad_book_input_names_the_field_and_changes_nothing(client, member, field, value, message):
    client.force_login(member(Role.PLATFORM_ENGINEER))
    before = default_book().updated
    response = client.post(reverse("finops:price_book_edit"), BOOK_FORM | {field: value})
    assert response.status_code == 400
    assert f'data-field="{field}"' in response.text
    assert message in response.text
    assert default_book().updated == before


def test_override_pages_follow_the_environment_team(client, member, environment):
    client.force_login(member(Role.PLATFORM_ENGINEER))
    response = client.post(
        reverse("finops:override_add"),
        {"environment": environment.pk, "storage_gb_month": "0.08"},
    )
    assert response.status_code == 302
    override = PriceBookOverride.objects.get(environment=environment)
    assert override.overrides() == {"storage_gb_month": Decimal("0.08")}
    assert AuditEvent.objects.filter(
        object_type="finops.pricebookoverride", action="create", team_id=environment.project.team_id
    ).exists()
    assert book_prices(environment).storage_gb_month == Decimal("0.08")
    assert book_prices(environment).vcpu_hour == default_book().vcpu_hour

    page = client.get(reverse("finops:price_book"))
    assert reverse("finops:override_edit", args=[override.pk]) in page.text


def test_an_override_needs_at_least_one_value(client, member, environment):
    client.force_login(member(Role.PLATFORM_ENGINEER))
    response = client.post(reverse("finops:override_add"), {"environment": environment.pk})
    assert response.status_code == 400
    assert "Set at least one price or property to override." in response.text
    assert not PriceBookOverride.objects.exists()


def test_developers_and_outsiders_may_not_touch_overrides(client, member, environment):
    override = PriceBookOverride.objects.create(environment=environment, vcpu_hour=Decimal("1"))
    client.force_login(member(Role.DEVELOPER))
    assert client.get(reverse("finops:override_add")).status_code == 403
    assert client.get(reverse("finops:override_edit", args=[override.pk])).status_code == 403

    outsider = UserFactory(username="outsider")
    MembershipFactory(user=outsider, role=Role.PLATFORM_ENGINEER)  # in another team
    client.force_login(outsider)
    assert client.get(reverse("finops:override_edit", args=[override.pk])).status_code == 404
    response = client.post(
        reverse("finops:override_add"), {"environment": environment.pk, "vcpu_hour": "2"}
    )
    assert response.status_code == 400
    assert 'data-field="environment"' in response.text
    assert client.get(reverse("finops:price_book")).text.count("/overrides/") == 1  # "New" only


def test_api_reads_and_changes_the_book(api_client, member):
    book = default_book()
    url = f"/api/v1/price-books/{book.pk}/"
    api_client.force_authenticate(member(Role.DEVELOPER))
    listing = api_client.get("/api/v1/price-books/")
    assert listing.status_code == 200
    assert listing.json()["results"][0]["vcpu_hour"] == str(book.vcpu_hour)
    denied = api_client.patch(url, {"vcpu_hour": "0.5"}, format="json")
    assert denied.status_code == 403
    assert "platform engineer" in denied.json()["detail"]

    api_client.force_authenticate(member(Role.PLATFORM_ENGINEER))
    bad = api_client.patch(url, {"country": "FR"}, format="json")
    assert bad.status_code == 400
    assert "country" in bad.json()
    changed = api_client.patch(url, {"vcpu_hour": "0.5"}, format="json")
    assert changed.status_code == 200
    assert default_book().vcpu_hour == Decimal("0.5")
    assert AuditEvent.objects.filter(object_type="finops.pricebook", action="update").count() == 1


def test_api_hides_the_book_from_users_in_no_team(api_client, db):
    book = default_book()
    api_client.force_authenticate(UserFactory())
    assert api_client.get("/api/v1/price-books/").json()["results"] == []
    assert api_client.get(f"/api/v1/price-books/{book.pk}/").status_code == 404


def test_api_overrides_are_team_scoped(api_client, member, environment):
    foreign = EnvironmentFactory(name="other")
    api_client.force_authenticate(member(Role.PLATFORM_ENGINEER))
    created = api_client.post(
        "/api/v1/price-book-overrides/",
        {"environment": environment.pk, "memory_gb_hour": "0.004"},
        format="json",
    )
    assert created.status_code == 201, created.json()
    refused = api_client.post(
        "/api/v1/price-book-overrides/",
        {"environment": foreign.pk, "memory_gb_hour": "0.004"},
        format="json",
    )
    assert refused.status_code == 400
    assert "environment" in refused.json()
    PriceBookOverride.objects.create(environment=foreign, vcpu_hour=Decimal("1"))
    listed = api_client.get("/api/v1/price-book-overrides/").json()["results"]
    assert [row["environment"] for row in listed] == [environment.pk]

    api_client.force_authenticate(member(Role.DEVELOPER))
    pk = created.json()["id"]
    patched = api_client.patch(
        f"/api/v1/price-book-overrides/{pk}/", {"vcpu_hour": "9"}, format="json"
    )
    assert patched.status_code == 403


@pytest.mark.parametrize("url", ["/finops/price-book/", "/api/v1/price-book-overrides/"])
def test_listing_overrides_takes_a_fixed_number_of_queries(client, member, team, url):
    client.force_login(member(Role.PLATFORM_ENGINEER))

    def grow(how_many):
        for _ in range(how_many):
            environment = EnvironmentFactory(project=ProjectFactory(team=team))
            PriceBookOverride.objects.create(environment=environment, vcpu_hour=Decimal("1"))

    grow(2)
    few = query_count(client, url)
    grow(10)
    assert query_count(client, url) == few
