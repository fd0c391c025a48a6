import re
from decimal import Decimal

from iac.estimate.catalog import Machine
from iac.estimate.pricing import PricingContext

DISK_LETTERS = {"Premium_LRS": "P", "StandardSSD_LRS": "E", "Standard_LRS": "S"}
SIZE = re.compile(r"^Standard_([A-Z]+)(\d+)")


def family(size: str) -> str | None:
    match = SIZE.match(size)
    return match.group(1) if match else None


def _disk(ctx: PricingContext, prefix: str, account_type: str, size_gb) -> None:
    letter = DISK_LETTERS.get(account_type)
    if letter is None:
        ctx.problems.append(f"{prefix}disk type {account_type} is not in the catalogs")
        return
    tiers = ctx.prices.extra("azure", "disk_tiers_gib") or {}
    size = Decimal(str(size_gb))
    # Managed disks bill the smallest tier that holds the requested size.
    fitting = [tier for tier, gib in tiers.items() if gib >= size]
    if not fitting:
        ctx.problems.append(f"{prefix}no disk tier holds {size} GiB")
        return
    tier = min(fitting, key=lambda t: tiers[t])
    ctx.monthly(
        f"{prefix}Managed disk ({letter}{tier}, {account_type})",
        "managed_disk",
        f"{letter}{tier}",
        1,
        "months",
    )
    if letter == "S":
        ctx.activity.hdd_gb += size
    else:
        ctx.activity.ssd_gb += size
    ctx.activity.replication = "disk"


def _vm(ctx: PricingContext, size: str | None, count=1) -> None:
    if not size:
        ctx.problems.append("size is not set")
        return
    ctx.hourly(f"Instance usage (Linux, pay as you go, {size})", "virtual_machine", size, count)
    ctx.compute(ctx.machine(size), family(size), count)


def linux_virtual_machine(ctx: PricingContext):
    _vm(ctx, ctx.get("size"))
    _disk(
        ctx,
        "OS disk: ",
        ctx.get("os_disk", 0, "storage_account_type", default="Standard_LRS"),
        ctx.get("os_disk", 0, "disk_size_gb", default=30),  # Linux marketplace images
    )


def virtual_machine(ctx: PricingContext):
    offer = str(ctx.get("storage_image_reference", 0, "offer", default=""))
    if "windows" in offer.lower():
        ctx.problems.append("Windows licence prices are not in the catalogs (Linux only)")
        return
    _vm(ctx, ctx.get("vm_size"))
    _disk(
        ctx,
        "OS disk: ",
        ctx.get("storage_os_disk", 0, "managed_disk_type", default="Standard_LRS"),
        ctx.get("storage_os_disk", 0, "disk_size_gb", default=30),
    )


def managed_disk(ctx: PricingContext):
    _disk(
        ctx,
        "",
        ctx.get("storage_account_type", default="Standard_LRS"),
        ctx.get("disk_size_gb", default=32),
    )


def storage_account(ctx: PricingContext):
    tier = ctx.get("account_tier", default="Standard")
    if tier != "Standard":
        ctx.problems.append(f"{tier} storage accounts are not in the catalogs")
        return
    access = ctx.get("access_tier", default="Hot")
    replication = ctx.get("account_replication_type", default="LRS")
    stored = ctx.usage_based(
        f"Capacity ({access}, {replication})",
        "blob_storage",
        f"{access}/{replication}",
        "storage_gb",
    )
    ctx.activity.hdd_gb += stored or 0
    ctx.activity.replication = replication


def kubernetes_cluster(ctx: PricingContext):
    tier = ctx.get("sku_tier", default="Free")
    ctx.hourly(f"Cluster management ({tier} tier)", "aks_cluster", tier)
    size = ctx.get("default_node_pool", 0, "vm_size")
    _vm(ctx, size, ctx.number("default_node_pool", 0, "node_count", default=1))


def node_pool(ctx: PricingContext):
    _vm(ctx, ctx.get("vm_size"), ctx.number("node_count", default=1))


def postgresql_flexible_server(ctx: PricingContext):
    sku = ctx.get("sku_name")
    if not sku:
        ctx.problems.append("sku_name is not set")
        return
    ctx.hourly(f"Compute ({sku})", "postgresql_flexible", sku)
    size_gb = ctx.number("storage_mb", default=32768) / 1024
    ctx.monthly("Storage", "postgresql_flexible_storage", "storage", size_gb, "GB")
    # B_Standard_B1ms -> Standard_B1ms; GP_Standard_D2ds_v5 -> Standard_D2s_v5 (same shape).
    vm_size = sku.split("_", 1)[-1].replace("ds_v", "s_v")
    ctx.compute(ctx.machine(vm_size) or _shape(vm_size), family(vm_size))
    ctx.activity.ssd_gb += size_gb
    ctx.activity.replication = "database"


def _shape(vm_size: str) -> Machine | None:
    match = SIZE.match(vm_size)
    if not match or match.group(1) not in ("D", "E"):
        return None
    vcpu = Decimal(match.group(2))
    return Machine(vcpu, vcpu * (4 if match.group(1) == "D" else 8))


def load_balancer(ctx: PricingContext):
    sku = ctx.get("sku", default="Basic")
    if sku == "Basic":
        ctx.free_reason = "Basic load balancers have no charge"
        return
    ctx.hourly(f"Load balancer ({sku}, first 5 rules)", "load_balancer", sku)
    gb = ctx.usage_based("Data processed", "load_balancer_data", sku, "monthly_data_processed_gb")
    ctx.activity.network_gb += gb or 0


def nat_gateway(ctx: PricingContext):
    ctx.hourly("NAT gateway", "nat_gateway", "gateway")
    gb = ctx.usage_based(
        "Data processed", "nat_gateway_data", "gateway", "monthly_data_processed_gb"
    )
    ctx.activity.network_gb += gb or 0


def public_ip(ctx: PricingContext):
    sku = ctx.get("sku", default="Standard")
    ctx.hourly(f"Public IPv4 address ({sku})", "public_ip", sku)


PRICERS = {
    "azurerm_linux_virtual_machine": linux_virtual_machine,
    "azurerm_virtual_machine": virtual_machine,
    "azurerm_managed_disk": managed_disk,
    "azurerm_storage_account": storage_account,
    "azurerm_kubernetes_cluster": kubernetes_cluster,
    "azurerm_kubernetes_cluster_node_pool": node_pool,
    "azurerm_postgresql_flexible_server": postgresql_flexible_server,
    "azurerm_lb": load_balancer,
    "azurerm_nat_gateway": nat_gateway,
    "azurerm_public_ip": public_ip,
}
FREE = {
    "azurerm_resource_group", "azurerm_virtual_network", "azurerm_subnet",
    "azurerm_network_security_group", "azurerm_network_security_rule",
    "azurerm_network_interface", "azurerm_subnet_network_security_group_association",
    "azurerm_network_interface_security_group_association", "azurerm_role_assignment",
    "azurerm_user_assigned_identity", "azurerm_storage_container",
    "azurerm_postgresql_flexible_server_database",
    "azurerm_postgresql_flexible_server_firewall_rule",
    "azurerm_nat_gateway_public_ip_association", "azurerm_subnet_nat_gateway_association",
    "azurerm_lb_backend_address_pool", "azurerm_lb_rule", "azurerm_lb_probe",
}  # fmt: skip
