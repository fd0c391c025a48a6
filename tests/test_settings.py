import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from portal.config import Env, redact_url

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("PLATEAU_DEBUG", "maybe", "PLATEAU_DEBUG='maybe' is not a boolean"),
        (
            "DATABASE_URL",
            "mysql://u:hunter2@db/plateau",
            "DATABASE_URL='mysql://u:***@db/plateau' has scheme 'mysql'",
        ),
        (
            "CELERY_BROKER_URL",
            "kafka://broker",
            "CELERY_BROKER_URL='kafka://broker' has scheme 'kafka'",
        ),
        (
            "PLATEAU_BROKER_POLL_INTERVAL",
            "fast",
            "PLATEAU_BROKER_POLL_INTERVAL='fast' is not a number",
        ),
        ("PLATEAU_LOG_LEVEL", "LOUD", "PLATEAU_LOG_LEVEL='LOUD' must be one of"),
        ("PLATEAU_SECRET_KEY", "short", "PLATEAU_SECRET_KEY must be at least 32 characters"),
        ("PLATEAU_HSTS_SECONDS", "-1", "PLATEAU_HSTS_SECONDS=-1 must be at least 0"),
    ],
)
def test_invalid_settings_stop_the_start_naming_the_variable(tmp_path, variable, value, message):
    # Start from the embedded defaults, whatever mode the suite itself runs in.
    env = {
        name: setting
        for name, setting in os.environ.items()
        if name not in ("DATABASE_URL", "CELERY_BROKER_URL", "DJANGO_SETTINGS_MODULE")
    }
    env.update(PLATEAU_DATA_DIR=str(tmp_path), **{variable: value})
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert message in result.stderr
    assert "hunter2" not in result.stderr


def test_env_reader_defaults_and_parsing():
    env = Env({"A": " yes ", "B": "3", "C": "a, b,,c", "E": ""})
    assert env.boolean("A", False) is True
    assert env.boolean("MISSING", True) is True
    assert env.integer("B", 1, minimum=0) == 3
    assert env.items("C", []) == ["a", "b", "c"]
    assert env.string("E", "fallback") == "fallback"
    with pytest.raises(ImproperlyConfigured, match="B=3 must be at least 5"):
        env.integer("B", 1, minimum=5)


def test_redact_url_hides_only_the_password():
    assert redact_url("redis://:s3cret@host:6379/0") == "redis://:***@host:6379/0"
    assert redact_url("postgres://plateau@db/plateau") == "postgres://plateau@db/plateau"
