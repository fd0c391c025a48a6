import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PROBE = """
import json, os
import django
django.setup()
from django.conf import settings
from portal.celery import withhold_secrets_from_steps
withhold_secrets_from_steps()
print(json.dumps({"environ": dict(os.environ), "database": settings.DATABASES["default"]["NAME"]}))
"""


def test_worker_drops_plateau_secrets_from_its_environment(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "PLATEAU_DATA_DIR": str(tmp_path),
        "PLATEAU_SECRET_KEY": "s" * 40,
        "AWS_SECRET_ACCESS_KEY": "ambient",
        "UNRELATED": "kept",
    }
    env.pop("DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert "PLATEAU_SECRET_KEY" not in seen["environ"]
    assert "PLATEAU_DATA_DIR" not in seen["environ"]
    assert "AWS_SECRET_ACCESS_KEY" not in seen["environ"]
    assert seen["environ"]["UNRELATED"] == "kept"
    assert seen["database"] == str(tmp_path / "plateau.sqlite3")  # settings stay as loaded
