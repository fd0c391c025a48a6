"""Resource pricers, one module per provider: each maps resource types to a function that
fills a :class:`~iac.estimate.pricing.PricingContext`, and lists the types that are free."""

from iac.estimate.pricers import aws, azure, gcp, hetzner, onprem, scaleway

MODULES = (aws, azure, gcp, scaleway, hetzner, onprem)
PRICERS = {rtype: fn for module in MODULES for rtype, fn in module.PRICERS.items()}
FREE_TYPES = frozenset().union(*(module.FREE for module in MODULES))
# Resources that only configure or generate things and never appear on a bill.
FREE_PREFIXES = ("random_", "time_", "tls_", "local_", "null_", "terraform_")
UNSUPPORTED_REASONS = {
    "azurerm_windows_virtual_machine": "Windows licence prices are not in the catalogs",
    "aws_autoscaling_group": "instance type and size come from a launch template; not resolved",
    "aws_rds_cluster": "Aurora is not in the catalogs",
}


def is_free(resource_type: str) -> bool:
    if resource_type in FREE_TYPES:
        return True
    return resource_type.startswith(FREE_PREFIXES)
