import json
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings

CATALOGS = Path(settings.BASE_DIR) / "plugins" / "pricing" / "catalogs"
CURATED = Path(settings.BASE_DIR) / "stacks"
HOURS = Decimal(730)


def published_price(provider: str, service: str, region: str, sku: str) -> Decimal:
    """A price as transcribed in the shipped catalog file (the tests' independent source)."""
    data = json.loads((CATALOGS / f"{provider}.json").read_text())
    return Decimal(str(data["services"][service]["prices"][region][sku]))


@pytest.fixture(autouse=True)
def fresh_cache():
    """Stack estimates are cached by ids, which a new test database may reuse."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def curated_version(db):
    """``curated_version(slug)`` -> a valid StackVersion of a curated stack, snapshotted
    the way the catalog does it (validation with the real tools is the catalog's test)."""
    from portal.catalog.models import snapshot_path
    from tests.factories import StackFactory, StackSourceFactory, StackVersionFactory

    def make(slug: str, *, published: bool = True):
        source = StackSourceFactory(kind="folder", location=str(CURATED), published=published)
        shutil.copytree(CURATED / slug, snapshot_path(slug, "v1"))
        version = StackVersionFactory(stack=StackFactory(source=source, slug=slug), name="v1")
        version.stack.latest_version = version
        version.stack.save()
        return version

    return make
