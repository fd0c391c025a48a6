"""The README and docs stay true to the code."""

import re
from pathlib import Path

from portal import hookspecs

ROOT = Path(__file__).resolve().parent.parent


def settings_variables() -> set[str]:
    source = (ROOT / "portal" / "settings.py").read_text()
    launcher = (ROOT / "scripts" / "run.py").read_text()
    pattern = r'env\.\w+\(\s*"([A-Z_]+)"|environ(?:\.get)?\(\s*"([A-Z_]+)"'
    found = set()
    for text in (source, launcher):
        for match in re.finditer(pattern, text):
            found.add(match.group(1) or match.group(2))
    return found - {"DJANGO_SETTINGS_MODULE"}


def test_every_setting_is_in_the_readme_table():
    readme = (ROOT / "README.md").read_text()
    documented = set(re.findall(r"^\| `([A-Z_]+)` \|", readme, flags=re.MULTILINE))
    variables = settings_variables()
    assert variables, "no settings found"
    assert variables - documented == set(), "settings missing from README's table"
    assert documented - variables == set(), "README documents settings the code does not read"


def test_every_hook_is_in_the_plugin_guide():
    guide = (ROOT / "docs" / "plugins.md").read_text()
    for name in dir(hookspecs):
        if name.startswith("plateau_"):
            assert f"`{name}(" in guide, name
