"""Cost and carbon estimation for Terraform plans and folders, Kubernetes manifests and
Ansible inventories. Pure Python: no Django here (see docs/estimation.md)."""

from iac.estimate.ansible import read_inventory
from iac.estimate.carbon import CarbonFactors, codecarbon_country_intensity, load_carbon_factors
from iac.estimate.catalog import (
    Catalog,
    FxRates,
    Price,
    PriceBook,
    catalog_to_dict,
    load_catalog,
    load_fx_rates,
    load_price_books,
)
from iac.estimate.errors import InputError
from iac.estimate.estimator import Estimate, estimate
from iac.estimate.hcl import read_terraform_dir
from iac.estimate.kubernetes import read_manifests
from iac.estimate.plan import read_plan
from iac.estimate.pricelists import load_aws_offer, load_azure_retail_prices
from iac.estimate.resources import Project, Resource
from iac.estimate.usage import Usage, load_usage_file

__all__ = [
    "CarbonFactors",
    "Catalog",
    "Estimate",
    "FxRates",
    "InputError",
    "Price",
    "PriceBook",
    "Project",
    "Resource",
    "Usage",
    "catalog_to_dict",
    "codecarbon_country_intensity",
    "estimate",
    "load_aws_offer",
    "load_azure_retail_prices",
    "load_carbon_factors",
    "load_catalog",
    "load_fx_rates",
    "load_price_books",
    "load_usage_file",
    "read_inventory",
    "read_manifests",
    "read_plan",
    "read_terraform_dir",
]
