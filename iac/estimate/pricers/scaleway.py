from decimal import Decimal

from iac.estimate.pricing import PricingContext

BLOCK_BY_IOPS = {5000: "sbs_5k", 15000: "sbs_15k"}


def family(commercial_type: str) -> str:
    return commercial_type.split("-")[0]


def _node_type(value: str) -> str:
    # Kapsule pools spell types "pro2_xs" or "PRO2-XS"; the price list uses the latter.
    return value.upper().replace("_", "-")


def _instances(ctx: PricingContext, commercial_type: str, count=1) -> None:
    ctx.hourly(f"Instance ({commercial_type})", "instance", commercial_type, count)
    ctx.compute(ctx.machine(commercial_type), family(commercial_type), count)


def _block(ctx: PricingContext, prefix: str, volume_type: str, size) -> None:
    size = Decimal(str(size))
    ctx.monthly(f"{prefix}Block storage ({volume_type})", "block_volume", volume_type, size, "GB")
    ctx.activity.ssd_gb += size
    ctx.activity.replication = "block"


def instance_server(ctx: PricingContext):
    commercial_type = ctx.get("type")
    if not commercial_type:
        ctx.problems.append("type is not set")
        return
    _instances(ctx, _node_type(commercial_type))
    volume_type = ctx.get("root_volume", 0, "volume_type", default="l_ssd")
    size = ctx.get("root_volume", 0, "size_in_gb")
    # Local SSD is part of the instance price; block-backed root volumes are billed apart.
    if volume_type != "l_ssd" and size is not None:
        _block(ctx, "Root volume: ", "sbs_5k" if volume_type == "sbs_volume" else volume_type, size)


def instance_volume(ctx: PricingContext):
    volume_type = ctx.get("type", default="b_ssd")
    if volume_type == "l_ssd":
        ctx.free_reason = "local SSD volumes are included in the instance price"
        return
    _block(ctx, "", volume_type, ctx.get("size_in_gb", default=10))


def block_volume(ctx: PricingContext):
    iops = int(ctx.number("iops", default=5000))
    volume_type = BLOCK_BY_IOPS.get(iops)
    if volume_type is None:
        ctx.problems.append(f"block volumes with {iops} IOPS are not in the catalogs")
        return
    _block(ctx, "", volume_type, ctx.get("size_in_gb", default=10))


def object_bucket(ctx: PricingContext):
    stored = ctx.usage_based("Storage (standard)", "object_storage", "STANDARD", "storage_gb")
    ctx.activity.hdd_gb += stored or 0


def k8s_cluster(ctx: PricingContext):
    cluster_type = ctx.get("type", default="kapsule")
    if cluster_type in ("kapsule", "multicloud"):
        ctx.free_reason = "the mutualised Kapsule control plane has no charge"
        return
    ctx.problems.append(f"dedicated control plane {cluster_type!r} is not in the catalogs")


def k8s_pool(ctx: PricingContext):
    node_type = ctx.get("node_type")
    if not node_type:
        ctx.problems.append("node_type is not set")
        return
    _instances(ctx, _node_type(node_type), ctx.number("size", default=1))


PRICERS = {
    "scaleway_instance_server": instance_server,
    "scaleway_instance_volume": instance_volume,
    "scaleway_block_volume": block_volume,
    "scaleway_object_bucket": object_bucket,
    "scaleway_k8s_cluster": k8s_cluster,
    "scaleway_k8s_pool": k8s_pool,
}
FREE = {
    "scaleway_vpc", "scaleway_vpc_private_network", "scaleway_instance_security_group",
    "scaleway_account_ssh_key", "scaleway_iam_ssh_key", "scaleway_object_bucket_policy",
    "scaleway_instance_private_nic",
}  # fmt: skip
