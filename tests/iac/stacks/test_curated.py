"""The stacks shipped in stacks/ validate cleanly with the real tools."""

import pytest

from iac.stacks import validate_stack
from iac.stacks.cli import DEFAULT_STACKS_DIR

CURATED = [
    "postgres-database",
    "rabbitmq-vhost",
    "web-service",
    "aws-web-server",
    "scaleway-server",
    "multi-step-app",
]
# Cloud providers cannot be downloaded here: those stacks are checked offline, and say so.
OFFLINE_PROVIDER = {
    "aws-web-server": "hashicorp/aws",
    "scaleway-server": "scaleway/scaleway",
}


def test_every_folder_is_curated():
    assert sorted(p.name for p in DEFAULT_STACKS_DIR.iterdir() if p.is_dir()) == sorted(CURATED)


@pytest.mark.parametrize("slug", CURATED)
def test_curated_stack_validates(slug):
    report = validate_stack(DEFAULT_STACKS_DIR / slug)
    assert report.ok, "\n".join(map(str, report.problems))
    expected = []
    if slug in OFFLINE_PROVIDER:
        expected = [
            f"step server: provider {OFFLINE_PROVIDER[slug]} is not available offline: "
            "arguments of its resources were not checked"
        ]
    assert [p.message for p in report.problems] == expected
