import pytest

from iac.importers import run_import
from tests.iac.importers.moto_server import (
    MotoServer,
    aws_importer,
    build_estate,
    build_second_region,
)


@pytest.fixture(scope="session")
def moto():
    server = MotoServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def estate(moto):
    moto.reset()
    ids = build_estate(moto)
    ids["eu"] = build_second_region(moto)
    return ids


@pytest.fixture(scope="session")
def imported(moto, estate):
    return run_import(aws_importer(moto))
