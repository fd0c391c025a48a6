import re
from decimal import Decimal

from iac.estimate.pricing import PricingContext

CUSTOM_SQL_TIER = re.compile(r"^db-custom-(\d+)-(\d+)$")
LEGACY_SQL_TIER = re.compile(r"^db-n1-(standard|highmem)-(\d+)$")
SHARED_SQL_TIERS = {"db-f1-micro", "db-g1-small"}
ZONE = re.compile(r"-[a-z]$")


def family(machine_type: str) -> str:
    return machine_type.split("-")[0]


def _instances(ctx: PricingContext, machine_type: str, count=1) -> None:
    ctx.hourly(
        f"Instance usage (Linux, on-demand, {machine_type})",
        "compute_instance",
        machine_type,
        count,
    )
    ctx.compute(ctx.machine(machine_type), family(machine_type), count)


def _disk(ctx: PricingContext, prefix: str, disk_type: str, size) -> None:
    size = Decimal(str(size))
    ctx.monthly(f"{prefix}Storage ({disk_type})", "persistent_disk", disk_type, size, "GB")
    if disk_type == "pd-standard":
        ctx.activity.hdd_gb += size
    else:
        ctx.activity.ssd_gb += size


def compute_instance(ctx: PricingContext):
    machine_type = ctx.get("machine_type")
    if not machine_type:
        ctx.problems.append("machine_type is not set")
        return
    _instances(ctx, machine_type)
    params = ("boot_disk", 0, "initialize_params", 0)
    _disk(
        ctx,
        "Boot disk: ",
        ctx.get(*params, "type", default="pd-standard"),
        ctx.get(*params, "size", default=10),
    )


def compute_disk(ctx: PricingContext):
    _disk(ctx, "", ctx.get("type", default="pd-standard"), ctx.get("size", default=10))


def storage_bucket(ctx: PricingContext):
    storage_class = ctx.get("storage_class", default="STANDARD")
    stored = ctx.usage_based(
        f"Storage ({storage_class})", "cloud_storage", storage_class, "storage_gb"
    )
    ctx.activity.hdd_gb += stored or 0
    ctx.activity.replication = "cloud_storage"


def sql_database_instance(ctx: PricingContext):
    tier = ctx.get("settings", 0, "tier")
    if not tier:
        ctx.problems.append("settings.tier is not set")
        return
    regional = ctx.get("settings", 0, "availability_type", default="ZONAL") == "REGIONAL"
    copies = 2 if regional else 1
    if tier in SHARED_SQL_TIERS:
        ctx.hourly(f"Instance ({tier})", "cloud_sql_shared", tier, copies)
    else:
        shape = _sql_shape(tier)
        if shape is None:
            ctx.problems.append(f"tier {tier!r} is not in the catalogs")
            return
        vcpu, memory_gb = shape
        ctx.hourly("vCPUs", "cloud_sql", "vcpu", vcpu * copies, "vCPU-hours")
        ctx.hourly("Memory", "cloud_sql", "memory_gb", memory_gb * copies, "GB-hours")
        ctx.activity.vcpu += vcpu * copies
        ctx.activity.memory_gb += memory_gb * copies
        ctx.activity.host_family = "cloudsql"
    disk_type = ctx.get("settings", 0, "disk_type", default="PD_SSD")
    size = ctx.number("settings", 0, "disk_size", default=10)
    ctx.monthly(f"Storage ({disk_type})", "cloud_sql_storage", disk_type, size * copies, "GB")
    if disk_type == "PD_HDD":
        ctx.activity.hdd_gb += size
    else:
        ctx.activity.ssd_gb += size
    ctx.activity.replication = "cloud_sql_ha" if regional else None


def _sql_shape(tier: str) -> tuple[Decimal, Decimal] | None:
    custom = CUSTOM_SQL_TIER.match(tier)
    if custom:
        return Decimal(custom.group(1)), Decimal(custom.group(2)) / 1024
    legacy = LEGACY_SQL_TIER.match(tier)
    if legacy:
        vcpu = Decimal(legacy.group(2))
        return vcpu, vcpu * (Decimal("3.75") if legacy.group(1) == "standard" else Decimal("6.5"))
    return None


def container_cluster(ctx: PricingContext):
    ctx.hourly("Cluster management fee", "gke_cluster", "standard")
    if ctx.get("enable_autopilot") or ctx.get("remove_default_node_pool"):
        return
    _node_pool(ctx, ctx.number("initial_node_count", default=1))


def container_node_pool(ctx: PricingContext):
    _node_pool(
        ctx, ctx.number("node_count", default=None) or ctx.number("initial_node_count", default=1)
    )


def _node_pool(ctx: PricingContext, per_zone) -> None:
    # Node counts are per zone: a regional pool runs them in each of its zones (3 by default).
    locations = ctx.get("node_locations", default=None)
    location = str(ctx.get("location", default=""))
    zones = len(locations) if locations else (1 if ZONE.search(location) else 3)
    nodes = Decimal(per_zone) * zones
    machine_type = ctx.get("node_config", 0, "machine_type", default="e2-medium")
    _instances(ctx, machine_type, nodes)
    disk_type = ctx.get("node_config", 0, "disk_type", default="pd-balanced")
    _disk(
        ctx,
        "Node disks: ",
        disk_type,
        ctx.number("node_config", 0, "disk_size_gb", default=100) * nodes,
    )


def router_nat(ctx: PricingContext):
    vms = ctx.used("assigned_vms")
    # Cloud NAT bills per assigned VM up to 32 VMs, then a flat gateway rate.
    key = "assigned_vms" if vms is None or vms <= 32 else None
    if key:
        ctx.usage_based("NAT gateway (per assigned VM)", "cloud_nat", "vm", "assigned_vms", 730)
    else:
        ctx.hourly("NAT gateway (per assigned VM)", "cloud_nat", "vm", 32, "VM-hours")
    gb = ctx.usage_based("Data processed", "cloud_nat_data", "gateway", "monthly_data_processed_gb")
    ctx.activity.network_gb += gb or 0


def forwarding_rule(ctx: PricingContext):
    ctx.hourly("Forwarding rule", "forwarding_rule", "rule")
    gb = ctx.usage_based(
        "Ingress data processed", "forwarding_rule_data", "rule", "monthly_ingress_data_gb"
    )
    ctx.activity.network_gb += gb or 0


def compute_address(ctx: PricingContext):
    if ctx.get("address_type", default="EXTERNAL") == "INTERNAL":
        ctx.free_reason = "internal addresses have no charge"
        return
    ctx.hourly("External IP address (in use)", "external_ip", "address")


PRICERS = {
    "google_compute_instance": compute_instance,
    "google_compute_disk": compute_disk,
    "google_storage_bucket": storage_bucket,
    "google_sql_database_instance": sql_database_instance,
    "google_container_cluster": container_cluster,
    "google_container_node_pool": container_node_pool,
    "google_compute_router_nat": router_nat,
    "google_compute_forwarding_rule": forwarding_rule,
    "google_compute_global_forwarding_rule": forwarding_rule,
    "google_compute_address": compute_address,
}
FREE = {
    "google_compute_network", "google_compute_subnetwork", "google_compute_firewall",
    "google_compute_router", "google_compute_route", "google_project_service",
    "google_service_account", "google_service_account_key", "google_project_iam_member",
    "google_project_iam_binding", "google_storage_bucket_iam_member", "google_sql_database",
    "google_sql_user",
}  # fmt: skip
