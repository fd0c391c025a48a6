import pytest
from playwright.sync_api import expect

from portal.accounts.roles import Role
from portal.projects.models import Environment
from tests.factories import MembershipFactory, ProjectFactory, TeamFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sign_in_create_a_project_and_an_environment(page, sign_in):
    team = TeamFactory(name="Payments", slug="payments")
    engineer = UserFactory(username="pat")
    MembershipFactory(team=team, user=engineer, role=Role.PLATFORM_ENGINEER)

    sign_in("pat")
    page.get_by_role("link", name="Projects").click()
    page.get_by_role("button", name="New project").click()
    page.select_option("#id_team", label="Payments")
    page.fill("#id_name", "Checkout")
    page.fill("#id_slug", "checkout")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name="Project Checkout")).to_be_visible()

    page.get_by_role("button", name="New environment").click()
    page.fill("#id_name", "Prod")  # invalid: capitals
    page.select_option("#id_provider", "scaleway")
    page.fill("#id_region", "fr-par")
    page.select_option("#id_residency", "eu")
    page.check("#id_approval_required")
    page.fill("#id_monthly_budget", "250")
    page.get_by_role("button", name="Save").click()
    expect(page.locator('[data-field="name"]')).to_contain_text("lowercase letters")
    assert not Environment.objects.exists()

    page.fill("#id_name", "prod")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name="Environment prod")).to_be_visible()
    expect(page.locator(".facts")).to_contain_text("European Union only")

    page.get_by_role("link", name="Environments").click()
    row = page.locator("table tbody tr", has_text="Checkout")
    expect(row).to_contain_text("prod")
    expect(row).to_contain_text("fr-par")


def test_search_filters_the_project_list_in_place(page, sign_in):
    team = TeamFactory(name="Web", slug="web")
    user = UserFactory(username="dana")
    MembershipFactory(team=team, user=user, role=Role.VIEWER)
    for name in ("Storefront", "Billing", "Search"):
        ProjectFactory(team=team, name=name)

    sign_in("dana")
    page.goto("/projects/")
    expect(page.get_by_role("button", name="New project")).to_have_count(0)  # a viewer only reads
    rows = page.locator("#object-table tbody tr")
    expect(rows).to_have_count(3)
    page.fill("input[type=search]", "bill")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Billing")
    assert "q=bill" in page.url  # the filtered view can be shared as a link
