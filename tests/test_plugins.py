import inspect
import subprocess
import sys
import types

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.urls import clear_url_caches

from portal import hookspecs
from portal.plugins import hook, loaded_plugins, reset_plugin_manager

SAMPLE_PLUGIN = __import__("pathlib").Path(__file__).parent / "sample_plugin"


def test_every_hookspec_is_documented():
    specs = [
        (name, function)
        for name, function in inspect.getmembers(hookspecs, inspect.isfunction)
        if name.startswith("plateau_")
    ]
    assert specs, "no hookspecs found"
    undocumented = [name for name, function in specs if len(inspect.getdoc(function) or "") < 80]
    assert not undocumented, f"hookspecs without a real docstring: {undocumented}"


def test_builtin_plugins_use_the_same_hooks(db):
    plugins = {info.name: info for info in loaded_plugins()}
    assert plugins["core"].builtin
    assert "plateau_menu_items" in plugins["core"].hooks
    assert "plateau_audit_event" in plugins["audit_log"].hooks


@pytest.fixture
def installed_sample_plugin(tmp_path, settings):
    """Installs tests/sample_plugin with pip into a private folder, the way an operator
    installs a plugin package, and puts that folder on sys.path."""
    target = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--target",
            str(target),
            str(SAMPLE_PLUGIN),
        ],
        check=True,
        capture_output=True,
    )
    sys.path.insert(0, str(target))
    settings.PLATEAU_DISABLE_PLUGIN_AUTOLOAD = False
    reset_plugin_manager()
    from portal import urls

    urlconf = types.ModuleType("plugin_test_urls")
    urlconf.urlpatterns = urls.build_urlpatterns()
    sys.modules[urlconf.__name__] = urlconf
    clear_url_caches()
    try:
        with override_settings(ROOT_URLCONF=urlconf.__name__):
            yield
    finally:
        sys.path.remove(str(target))
        for name in [name for name in sys.modules if name.startswith("plateau_hello")]:
            del sys.modules[name]
        del sys.modules[urlconf.__name__]
        reset_plugin_manager()
        clear_url_caches()


def test_third_party_plugin_adds_menu_page_and_api_route(
    installed_sample_plugin, client, api_client, developer
):
    info = {plugin.name: plugin for plugin in loaded_plugins()}["hello"]
    assert not info.builtin
    assert info.version == "1.2.3"
    assert set(info.hooks) == {"plateau_menu_items", "plateau_urls", "plateau_api_routes"}

    client.force_login(developer)
    home = client.get("/").content.decode()
    assert 'href="/plugins/hello/"' in home
    page = client.get("/plugins/hello/")
    assert page.status_code == 200
    assert page.content.decode() == f"Hello from a plugin, {developer.username}!"

    api_client.force_authenticate(developer)
    assert api_client.get("/api/v1/greetings/").json() == [
        {"greeting": f"hello {developer.username}"}
    ]
    schema = api_client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    assert "/api/v1/greetings/" in schema["paths"]


def test_plugin_page_requires_login(installed_sample_plugin, client):
    response = client.get("/plugins/hello/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_plugins_command_lists_hooks(installed_sample_plugin, capsys):
    call_command("plugins")
    out = capsys.readouterr().out
    assert "hello (third-party 1.2.3, plateau_hello)" in out
    assert "    plateau_api_routes" in out
    assert "core (built-in, plugins.core)" in out


def test_autoload_can_be_disabled(installed_sample_plugin, settings):
    settings.PLATEAU_DISABLE_PLUGIN_AUTOLOAD = True
    reset_plugin_manager()
    assert "hello" not in {plugin.name for plugin in loaded_plugins()}


def test_a_plugin_can_be_disabled_by_name(settings, db):
    settings.PLATEAU_PLUGINS_DISABLED = ["audit_log"]
    reset_plugin_manager()
    try:
        names = {plugin.name for plugin in loaded_plugins()}
        assert "audit_log" not in names
        assert not any(
            impl.plugin_name == "audit_log" for impl in hook().plateau_audit_event.get_hookimpls()
        )
    finally:
        reset_plugin_manager()


def test_plugin_admin_page_and_api_are_for_admins(client, api_client, developer, superuser):
    client.force_login(developer)
    assert client.get("/system/plugins/").status_code == 403
    api_client.force_authenticate(developer)
    assert api_client.get("/api/v1/plugins/").status_code == 403
    client.force_login(superuser)
    page = client.get("/system/plugins/").content.decode()
    assert "plateau_menu_items" in page
    api_client.force_authenticate(superuser)
    names = {plugin["name"] for plugin in api_client.get("/api/v1/plugins/").json()}
    assert {"core", "audit_log"} <= names
