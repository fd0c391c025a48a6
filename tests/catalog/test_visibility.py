"""Who sees what: every signed-in user browses the catalog; developers and viewers see
valid, offered, published stacks and valid versions; curators see everything, reports
included. Pages and API answer alike (404 for what a user may not see)."""

import pytest

from portal.catalog.models import Stack, StackVersion
from tests.catalog.conftest import EVERYTHING, SMALL_TF, small_stack, write_stack

CURATORS = ["root", "admin", "platform"]
READERS = ["developer", "viewer", "outsider"]
BROKEN = EVERYTHING.replace("default: 1\n", "default: 100\n", 1)  # breaks its own max


@pytest.fixture
def catalog(everything, stacks_dir, sync):
    """`everything` (valid), `broken` (never valid) and `hidden` (valid, unpublished)."""
    from portal.catalog.models import StackSource
    from portal.catalog.sync import sync_source

    write_stack(stacks_dir, "broken", small_stack("broken", "Broken").replace("tf", "nowhere"), {})
    sync()
    drafts_dir = stacks_dir.parent / "drafts"
    write_stack(drafts_dir, "hidden", small_stack("hidden", "Hidden"), {"tf/main.tf": SMALL_TF})
    drafts = StackSource.objects.create(
        name="drafts", kind="folder", location=str(drafts_dir), published=False
    )
    sync_source(drafts)
    return {slug: Stack.objects.get(slug=slug) for slug in ("everything", "broken", "hidden")}


@pytest.mark.parametrize("role", CURATORS + READERS)
def test_catalog_page_and_api_list_the_same_stacks(client, api_client, users, catalog, role):
    user = users[role]
    expected = {"everything", "broken", "hidden"} if role in CURATORS else {"everything"}
    client.force_login(user)
    page = client.get("/catalog/").content.decode()
    assert {slug for slug in catalog if f'data-slug="{slug}"' in page} == expected
    api_client.force_authenticate(user)
    listed = {item["slug"] for item in api_client.get("/api/v1/stacks/").json()["results"]}
    assert listed == expected


@pytest.mark.parametrize("role", CURATORS + READERS)
def test_an_invalid_stack_is_absent_for_readers(client, api_client, users, catalog, role):
    client.force_login(users[role])
    api_client.force_authenticate(users[role])
    expected = 200 if role in CURATORS else 404
    assert client.get("/catalog/broken/").status_code == expected
    assert api_client.get("/api/v1/stacks/broken/").status_code == expected
    version = catalog["broken"].versions.get()
    assert api_client.get(f"/api/v1/stack-versions/{version.pk}/").status_code == expected


def test_curators_see_status_badges_and_reports(client, users, catalog):
    client.force_login(users["platform"])
    cards = client.get("/catalog/").content.decode()
    assert "no valid version" in cards  # broken
    assert "unpublished" in cards  # hidden
    page = client.get("/catalog/broken/").content.decode()
    assert "Validation report: 1 error(s)" in page
    assert "stack.yaml" in page and "nowhere" in page  # file:line [key.path]: message

    client.force_login(users["developer"])
    assert "Validation report" not in client.get("/catalog/everything/").content.decode()
    assert "no valid version" not in client.get("/catalog/").content.decode()


def test_version_reports_reach_curators_only_in_the_api(api_client, users, catalog):
    version = catalog["everything"].latest_version
    api_client.force_authenticate(users["platform"])
    report = api_client.get(f"/api/v1/stack-versions/{version.pk}/").json()["report"]
    assert report["problems"][0]["severity"] == "warning"
    api_client.force_authenticate(users["viewer"])
    assert api_client.get(f"/api/v1/stack-versions/{version.pk}/").json()["report"] is None


def test_broken_after_a_good_sync_keeps_serving_the_last_good_version(
    client, users, everything, stacks_dir, sync
):
    good = everything.latest_version
    (stacks_dir / "everything" / "stack.yaml").write_text(BROKEN)
    result = sync()
    assert len(result.invalid) == 1 and result.gone == []
    bad = StackVersion.objects.get(stack=everything, status="invalid")
    assert any(
        p.path == "parameters[1].default" and p.file == "stack.yaml" and p.line for p in bad.errors
    )
    everything.refresh_from_db()
    assert everything.latest_version == good and not good.gone

    client.force_login(users["developer"])
    page = client.get("/catalog/everything/").content.decode()
    assert good.name in page and bad.name not in page  # readers see only valid versions
    assert client.get(f"/catalog/everything/?version={bad.pk}").status_code == 404

    client.force_login(users["platform"])
    assert "newest version invalid" in client.get("/catalog/").content.decode()
    page = client.get(f"/catalog/everything/?version={bad.pk}").content.decode()
    assert "parameters[1].default" in page

    (stacks_dir / "everything" / "stack.yaml").write_text(EVERYTHING.replace("max: 10", "max: 20"))
    result = sync()
    everything.refresh_from_db()
    assert (
        everything.latest_version.name != good.name and everything.latest_version.status == "valid"
    )
    good.refresh_from_db()
    assert good.gone  # superseded by a valid version now


def test_anonymous_users_are_sent_to_sign_in(client, catalog):
    assert client.get("/catalog/").status_code == 302
    assert client.get("/catalog/everything/").status_code == 302
