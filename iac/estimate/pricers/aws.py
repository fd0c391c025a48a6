from decimal import Decimal

from iac.estimate.pricing import PricingContext

VOLUME_LABELS = {
    "gp2": "general purpose SSD, gp2",
    "gp3": "general purpose SSD, gp3",
    "io1": "provisioned IOPS SSD, io1",
    "io2": "provisioned IOPS SSD, io2",
    "st1": "throughput optimized HDD, st1",
    "sc1": "cold HDD, sc1",
    "standard": "magnetic",
}
HDD_TYPES = {"st1", "sc1", "standard"}
GP3_FREE_IOPS, GP3_FREE_THROUGHPUT = 3000, 125


def family(instance_type: str) -> str:
    return instance_type.removeprefix("db.").split(".")[0]


def _volume(ctx: PricingContext, prefix: str, vtype: str, size, iops=None, throughput=None):
    size = Decimal(str(size))
    label = VOLUME_LABELS.get(vtype, vtype)
    ctx.monthly(f"{prefix}Storage ({label})", "ebs_volume", vtype, size, "GB")
    if vtype in ("io1", "io2") and iops:
        ctx.monthly(f"{prefix}Provisioned IOPS", "ebs_iops", vtype, iops, "IOPS")
    if vtype == "gp3" and iops and Decimal(iops) > GP3_FREE_IOPS:
        ctx.monthly(
            f"{prefix}Provisioned IOPS above 3000",
            "ebs_iops",
            "gp3",
            Decimal(iops) - GP3_FREE_IOPS,
            "IOPS",
        )
    if vtype == "gp3" and throughput and Decimal(throughput) > GP3_FREE_THROUGHPUT:
        extra = Decimal(throughput) - GP3_FREE_THROUGHPUT
        ctx.monthly(
            f"{prefix}Provisioned throughput above 125 MBps", "ebs_throughput", "gp3", extra, "MBps"
        )
    if vtype in HDD_TYPES:
        ctx.activity.hdd_gb += size
    else:
        ctx.activity.ssd_gb += size
    ctx.activity.replication = "ebs"


def _instance_type(ctx: PricingContext, key: str) -> str | None:
    value = ctx.get(key)
    if not value:
        ctx.problems.append(f"{key} is not set")
    return value


def instance(ctx: PricingContext):
    itype = _instance_type(ctx, "instance_type")
    if not itype:
        return
    if ctx.get("tenancy", default="default") != "default":
        ctx.problems.append("dedicated tenancy is not in the catalogs")
        return
    ctx.hourly(f"Instance usage (Linux/UNIX, on-demand, {itype})", "ec2_instance", itype)
    ctx.compute(ctx.machine(itype), family(itype))
    # AWS AMIs default to an 8 GB gp2 root volume; Infracost assumes the same.
    _volume(
        ctx,
        "Root volume: ",
        ctx.get("root_block_device", 0, "volume_type", default="gp2"),
        ctx.get("root_block_device", 0, "volume_size", default=8),
        ctx.get("root_block_device", 0, "iops"),
        ctx.get("root_block_device", 0, "throughput"),
    )
    for index, device in enumerate(ctx.get("ebs_block_device", default=[])):
        _volume(
            ctx,
            f"EBS device {device.get('device_name', index)}: ",
            ctx.get("ebs_block_device", index, "volume_type", default="gp2"),
            ctx.get("ebs_block_device", index, "volume_size", default=8),
            ctx.get("ebs_block_device", index, "iops"),
            ctx.get("ebs_block_device", index, "throughput"),
        )


def ebs_volume(ctx: PricingContext):
    size = ctx.get("size")
    if size is None:
        ctx.problems.append("size is not set (taken from a snapshot?)")
        return
    _volume(ctx, "", ctx.get("type", default="gp2"), size, ctx.get("iops"), ctx.get("throughput"))


def s3_bucket(ctx: PricingContext):
    stored = ctx.usage_based("Storage (standard)", "s3_storage", "standard", "standard.storage_gb")
    ctx.usage_based(
        "PUT, COPY, POST, LIST requests",
        "s3_requests",
        "tier1",
        "standard.monthly_tier_1_requests",
        Decimal("0.001"),
    )
    ctx.usage_based(
        "GET, SELECT, and all other requests",
        "s3_requests",
        "tier2",
        "standard.monthly_tier_2_requests",
        Decimal("0.001"),
    )
    ctx.activity.hdd_gb += stored or 0
    ctx.activity.replication = "s3"


RDS_ENGINES = {"postgres": "postgres", "mysql": "mysql", "mariadb": "mysql"}


def db_instance(ctx: PricingContext):
    iclass = _instance_type(ctx, "instance_class")
    if not iclass:
        return
    engine = ctx.get("engine", default="")
    if engine not in RDS_ENGINES:
        ctx.problems.append(f"engine {engine!r} is not in the catalogs (postgres, mysql, mariadb)")
        return
    multi_az = bool(ctx.get("multi_az", default=False))
    copies = 2 if multi_az else 1
    deployment = "Multi-AZ" if multi_az else "Single-AZ"
    ctx.hourly(
        f"Database instance ({engine}, on-demand, {deployment}, {iclass})",
        "rds_instance",
        f"{RDS_ENGINES[engine]}/{iclass}",
        copies,
    )
    ctx.compute(ctx.machine(iclass), family(iclass), copies)
    storage_type = ctx.get("storage_type", default="io1" if ctx.get("iops") else "gp2")
    size = ctx.number("allocated_storage", default=20)
    ctx.monthly(
        f"Storage ({storage_type}, {deployment})", "rds_storage", storage_type, size * copies, "GB"
    )
    ctx.activity.ssd_gb += size
    ctx.activity.replication = "rds_multi_az" if multi_az else None


def load_balancer(ctx: PricingContext):
    kind = ctx.get("load_balancer_type", default="application")
    if kind not in ("application", "network"):
        ctx.problems.append(f"{kind} load balancers are not in the catalogs")
        return
    ctx.hourly(f"{kind.capitalize()} load balancer", "load_balancer", kind)
    # LCUs are the max of several dimensions; usage gives them directly (capacity_units,
    # the hourly average) or through processed bytes (1 GB per LCU-hour).
    processed = ctx.used("processed_bytes_gb")
    if ctx.used("capacity_units") is not None or processed is None:
        ctx.usage_based(
            "Load balancer capacity units", "load_balancer_capacity", kind, "capacity_units", 730
        )
    else:
        ctx.usage_based(
            "Load balancer capacity units", "load_balancer_capacity", kind, "processed_bytes_gb"
        )
    ctx.activity.network_gb += processed or 0


def classic_elb(ctx: PricingContext):
    ctx.hourly("Classic load balancer", "load_balancer", "classic")
    gb = ctx.usage_based(
        "Data processed", "load_balancer_data", "classic", "monthly_data_processed_gb"
    )
    ctx.activity.network_gb += gb or 0


def nat_gateway(ctx: PricingContext):
    ctx.hourly("NAT gateway", "nat_gateway", "gateway")
    gb = ctx.usage_based(
        "Data processed", "nat_gateway_data", "gateway", "monthly_data_processed_gb"
    )
    ctx.activity.network_gb += gb or 0


def eks_cluster(ctx: PricingContext):
    ctx.hourly("EKS cluster", "eks_cluster", "standard")


def eks_node_group(ctx: PricingContext):
    itype = (ctx.get("instance_types", default=None) or ["t3.medium"])[0]
    nodes = ctx.number("scaling_config", 0, "desired_size", default=1)
    ctx.hourly(f"Instance usage (Linux/UNIX, on-demand, {itype})", "ec2_instance", itype, nodes)
    ctx.compute(ctx.machine(itype), family(itype), nodes)
    _volume(ctx, "Node disks: ", "gp2", ctx.number("disk_size", default=20) * nodes)


def eip(ctx: PricingContext):
    ctx.hourly("Public IPv4 address", "public_ipv4", "address")


PRICERS = {
    "aws_instance": instance,
    "aws_ebs_volume": ebs_volume,
    "aws_s3_bucket": s3_bucket,
    "aws_db_instance": db_instance,
    "aws_lb": load_balancer,
    "aws_alb": load_balancer,
    "aws_elb": classic_elb,
    "aws_nat_gateway": nat_gateway,
    "aws_eks_cluster": eks_cluster,
    "aws_eks_node_group": eks_node_group,
    "aws_eip": eip,
}
FREE = {
    "aws_vpc", "aws_subnet", "aws_security_group", "aws_security_group_rule",
    "aws_vpc_security_group_ingress_rule", "aws_vpc_security_group_egress_rule",
    "aws_route_table", "aws_route_table_association", "aws_route", "aws_internet_gateway",
    "aws_network_acl", "aws_key_pair", "aws_iam_role", "aws_iam_policy",
    "aws_iam_role_policy_attachment", "aws_iam_instance_profile", "aws_iam_user",
    "aws_s3_bucket_policy", "aws_s3_bucket_versioning", "aws_s3_bucket_public_access_block",
    "aws_s3_bucket_server_side_encryption_configuration", "aws_db_subnet_group",
    "aws_db_parameter_group", "aws_lb_target_group", "aws_lb_listener", "aws_lb_listener_rule",
    "aws_lb_target_group_attachment", "aws_launch_template", "aws_placement_group",
    "aws_eks_addon", "aws_volume_attachment", "aws_eip_association",
}  # fmt: skip
