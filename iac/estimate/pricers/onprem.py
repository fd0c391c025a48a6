"""Owned capacity (Kubernetes workloads, Ansible hosts), priced with a price book."""

from decimal import Decimal

from iac.estimate.pricing import PricingContext

HOURS = Decimal(730)


def _capacity(
    ctx: PricingContext, cpu: Decimal, memory_gb: Decimal, usage_key: str | None, per_unit: Decimal
):
    """``per_unit`` copies run all month, or, with ``usage_key``, for as many units
    (nodes, hours) as the usage says."""
    if usage_key is None:
        ctx.hourly("CPU", "capacity", "vcpu", cpu * per_unit, "vCPU-hours")
        ctx.hourly("Memory", "capacity", "memory", memory_gb * per_unit, "GB-hours")
        ctx.activity.vcpu += cpu * per_unit
        ctx.activity.memory_gb += memory_gb * per_unit
        return
    scale = per_unit * (HOURS if usage_key == "nodes" else 1)
    ctx.usage_based("CPU", "capacity", "vcpu", usage_key, cpu * scale)
    ctx.usage_based("Memory", "capacity", "memory", usage_key, memory_gb * scale)
    units = ctx.used(usage_key)
    if units is None:
        ctx.activity.hours = None
    else:
        # Express the usage as an average over the month for the carbon method.
        share = units * scale / HOURS
        ctx.activity.vcpu += cpu * share
        ctx.activity.memory_gb += memory_gb * share


def _storage(ctx: PricingContext, gb: Decimal):
    if gb:
        ctx.monthly("Storage", "capacity", "storage", gb, "GB")
        ctx.activity.ssd_gb += gb


def workload(ctx: PricingContext):
    kind = ctx.get("kind")
    cpu, memory = ctx.number("cpu", default=0), ctx.number("memory_gb", default=0)
    replicas = ctx.number("replicas", default=1)
    if not cpu and not memory:
        ctx.problems.append("no CPU or memory requests: set resources.requests to price it")
    usage_key = {"DaemonSet": "nodes", "Job": "monthly_hours", "CronJob": "monthly_hours"}.get(kind)
    _capacity(ctx, cpu, memory, usage_key, replicas)
    _storage(ctx, ctx.number("storage_gb", default=0) * replicas)
    ctx.activity.host_family = "onprem"


def persistent_volume_claim(ctx: PricingContext):
    _storage(ctx, ctx.number("storage_gb", default=0))


def host(ctx: PricingContext):
    _capacity(ctx, ctx.number("vcpu"), ctx.number("memory_gb"), None, Decimal(1))
    _storage(ctx, ctx.number("disk_gb"))
    ctx.activity.host_family = "onprem"


WORKLOAD_TYPES = ("deployment", "statefulset", "replicaset", "daemonset", "job", "cronjob", "pod")
PRICERS = {f"k8s_{kind}": workload for kind in WORKLOAD_TYPES} | {
    "k8s_persistentvolumeclaim": persistent_volume_claim,
    "ansible_host": host,
}
FREE = {
    f"k8s_{kind}"
    for kind in (
        "service", "configmap", "secret", "serviceaccount", "role", "rolebinding", "clusterrole",
        "clusterrolebinding", "ingress", "ingressclass", "networkpolicy", "namespace",
        "horizontalpodautoscaler", "poddisruptionbudget", "storageclass", "priorityclass",
        "customresourcedefinition", "limitrange", "resourcequota", "endpoints",
    )
}  # fmt: skip
