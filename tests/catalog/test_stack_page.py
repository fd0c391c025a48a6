"""A stack's page: README (sanitised), parameters, versions, the Deploy button."""

import re

from portal.catalog.models import Stack, StackSource
from tests.catalog.conftest import SMALL_TF, small_stack, write_stack


def test_readme_is_rendered_and_sanitised(client, users, everything):
    client.force_login(users["developer"])
    html = client.get("/catalog/everything/").content.decode()
    readme = re.search(r'<section class="readme" id="readme">(.*?)</section>', html, re.S)[1]
    assert "<h1>Everything app</h1>" in readme and "<strong>everything</strong>" in readme
    assert "<script" not in readme and "owned" not in readme
    assert "javascript:" not in readme and "onerror" not in readme


def test_parameters_table(client, users, everything):
    client.force_login(users["viewer"])
    html = client.get("/catalog/everything/").content.decode()
    table = re.search(r'<table class="striped" id="parameters">(.*?)</table>', html, re.S)[1]
    rows = {
        re.search(r"<code>(\w+)</code>", row)[1]: re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row))
        for row in re.findall(r"<tr>(.*?)</tr>", table, re.S)[1:]
    }
    assert "required" in rows["app_name"] and "pattern: ^[a-z]+$" in rows["app_name"]
    assert "min: 1" in rows["replicas"] and "max: 10" in rows["replicas"]
    assert "prod: 3" in rows["replicas"]  # per-environment default
    assert "list of integer" in rows["ports"] and "[80]" in rows["ports"]
    assert "one of: small, large" in rows["size"]
    assert "shown when public is true" in rows["hostname"]
    assert "credential (postgresql)" in rows["database"]
    assert "generated (20 characters) when left empty" in rows["password"]


def test_versions_table(client, users, everything):
    version = everything.latest_version
    client.force_login(users["developer"])
    html = client.get("/catalog/everything/").content.decode()
    versions = re.search(r'<table class="striped" id="versions">(.*?)</table>', html, re.S)[1]
    assert version.name in versions and "folder" in versions and "valid" in versions
    assert "served" in versions


def test_deploy_button_for_those_who_may_deploy(client, users, everything, environments):
    url = f"/catalog/everything/versions/{everything.latest_version.pk}/deploy/"
    for role, shown in [("developer", True), ("platform", True), ("viewer", False)]:
        client.force_login(users[role])
        assert (url in client.get("/catalog/everything/").content.decode()) is shown, role
    # A developer of another team sees the stack but has no environment here.
    client.force_login(users["outsider"])
    assert url not in client.get("/catalog/everything/").content.decode()


def test_unknown_stack_or_version_is_404(client, users, everything):
    client.force_login(users["developer"])
    assert client.get("/catalog/nothing/").status_code == 404
    assert client.get("/catalog/everything/?version=999999").status_code == 404
    assert client.get("/catalog/everything/?version=abc").status_code == 404


ICON = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 8 8"><script>alert(1)</script></svg>'


def test_an_icon_file_is_served_from_the_version_sandboxed(
    client, api_client, users, stacks_dir, sync
):
    stack_yaml = small_stack("iconic", "Iconic").replace(
        "description:", "icon: icon.svg\ndescription:"
    )
    write_stack(stacks_dir, "iconic", stack_yaml, {"tf/main.tf": SMALL_TF, "icon.svg": ICON})
    write_stack(stacks_dir, "plain", small_stack("plain", "Plain"), {"tf/main.tf": SMALL_TF})
    assert sync().added
    iconic, plain = Stack.objects.get(slug="iconic"), Stack.objects.get(slug="plain")
    url = f"/catalog/iconic/versions/{iconic.latest_version_id}/icon/"

    client.force_login(users["developer"])
    assert (
        f'<img class="stack-icon" src="{url}" alt="">' in client.get("/catalog/").content.decode()
    )
    response = client.get(url)
    assert response.status_code == 200 and response.content.decode() == ICON
    assert response["Content-Type"] == "image/svg+xml"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]  # its script never runs
    # A glyph stack has no file, and a version is reached through its own stack only.
    assert client.get(f"/catalog/plain/versions/{plain.latest_version_id}/icon/").status_code == 404
    assert (
        client.get(f"/catalog/plain/versions/{iconic.latest_version_id}/icon/").status_code == 404
    )

    api_client.force_authenticate(users["developer"])
    listed = {stack["slug"]: stack for stack in api_client.get("/api/v1/stacks/").json()["results"]}
    assert listed["iconic"]["icon_url"] == f"http://testserver{url}"
    assert listed["plain"]["icon_url"] is None

    Stack.objects.filter(pk=iconic.pk).update(
        source=StackSource.objects.create(
            name="drafts", kind="folder", location=str(stacks_dir), published=False
        )
    )
    assert client.get(url).status_code == 404  # unpublished: developers do not see it
