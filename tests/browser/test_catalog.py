import pytest
from playwright.sync_api import expect

from portal.accounts.roles import Role
from portal.catalog.models import StackSource
from portal.catalog.sync import sync_source
from tests.catalog.conftest import (
    EVERYTHING,
    EVERYTHING_TF,
    README,
    SMALL_TF,
    small_stack,
    write_stack,
)
from tests.factories import (
    EnvironmentFactory,
    MembershipFactory,
    ProjectFactory,
    TeamFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_search_open_a_stack_and_validate_a_field_as_it_is_typed(page, sign_in, tmp_path):
    team = TeamFactory(name="Payments", slug="payments")
    MembershipFactory(team=team, user=UserFactory(username="dev"), role=Role.DEVELOPER)
    EnvironmentFactory(project=ProjectFactory(team=team, name="Shop"), name="dev")
    stacks = tmp_path / "stacks"
    files = {"tf/main.tf": EVERYTHING_TF, "README.md": README}
    write_stack(stacks, "everything", EVERYTHING, files)
    write_stack(stacks, "web", small_stack("web", "Web service"), {"tf/main.tf": SMALL_TF})
    sync_source(StackSource.objects.create(name="local", kind="folder", location=str(stacks)))

    sign_in("dev")
    page.locator(".menu summary", has_text="Catalog").click()  # the menu group opens
    page.get_by_role("link", name="Catalog", exact=True).click()
    cards = page.locator("#stack-cards article")
    expect(cards).to_have_count(2)
    page.fill("input[type=search]", "kitchen")
    expect(cards).to_have_count(1)
    assert "q=kitchen" in page.url
    page.get_by_role("link", name="Everything app").click()
    expect(page.locator("#readme h1")).to_have_text("Everything app")

    page.get_by_role("button", name="Deploy").click()
    errors = page.locator("#errors-app_name")
    name = page.locator("#id_app_name")
    name.press_sequentially("Bad Name")
    expect(errors).to_have_text("Lowercase letters only.")
    name.fill("")
    name.press_sequentially("shop")
    expect(errors).to_have_text("")
    expect(page.locator('#deploy-preview pre[data-step="app"]')).to_contain_text(
        '"app_name": "shop"'
    )

    expect(page.locator("#field-hostname")).to_be_hidden()
    page.check("#id_public")
    expect(page.locator("#field-hostname")).to_be_visible()
