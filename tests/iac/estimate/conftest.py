import pytest

from plugins.pricing import (
    default_carbon_factors,
    default_catalogs,
    default_fx_rates,
    default_price_books,
)


@pytest.fixture(scope="session")
def catalogs():
    return list(default_catalogs())


@pytest.fixture(scope="session")
def carbon():
    return default_carbon_factors()


@pytest.fixture(scope="session")
def fx():
    return default_fx_rates()


@pytest.fixture(scope="session")
def books():
    return default_price_books()


def plan(*changes, provider_config=None, variables=None):
    """A minimal ``terraform show -json`` document."""
    return {
        "format_version": "1.2",
        "variables": {k: {"value": v} for k, v in (variables or {}).items()},
        "resource_changes": [
            {
                "address": address,
                "mode": "managed",
                "type": address.split(".")[0],
                "name": address.split(".")[1].split("[")[0],
                "provider_name": provider,
                "change": {"actions": actions, "before": None, "after": after},
            }
            for address, provider, after, actions in changes
        ],
        "configuration": {"provider_config": provider_config or {}},
    }


def aws_region(region):
    return {"aws": {"name": "aws", "expressions": {"region": {"constant_value": region}}}}


def change(address, after, provider="registry.terraform.io/hashicorp/aws", actions=("create",)):
    return (address, provider, after, list(actions))
