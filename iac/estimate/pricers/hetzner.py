import re
from decimal import Decimal

from iac.estimate.pricing import PricingContext


def family(server_type: str) -> str:
    return re.sub(r"\d+$", "", server_type)


def server(ctx: PricingContext):
    server_type = ctx.get("server_type")
    if not server_type:
        ctx.problems.append("server_type is not set")
        return
    # Hourly billing stops at the monthly price, so a full month costs exactly that.
    ctx.monthly(f"Server ({server_type})", "server", server_type, 1, "months")
    ctx.compute(ctx.machine(server_type), family(server_type))
    if ctx.get("public_net", 0, "ipv4_enabled", default=True):
        ctx.monthly("Primary IPv4 address", "primary_ipv4", "ipv4", 1, "months")


def volume(ctx: PricingContext):
    size = Decimal(str(ctx.get("size", default=10)))
    ctx.monthly("Volume", "volume", "volume", size, "GB")
    ctx.activity.ssd_gb += size
    ctx.activity.replication = "volume"


def load_balancer(ctx: PricingContext):
    lb_type = ctx.get("load_balancer_type", default="lb11")
    ctx.monthly(f"Load balancer ({lb_type})", "load_balancer", lb_type, 1, "months")


def primary_ip(ctx: PricingContext):
    if ctx.get("type", default="ipv4") == "ipv6":
        ctx.free_reason = "primary IPv6 networks have no charge"
        return
    ctx.monthly("Primary IPv4 address", "primary_ipv4", "ipv4", 1, "months")


PRICERS = {
    "hcloud_server": server,
    "hcloud_volume": volume,
    "hcloud_load_balancer": load_balancer,
    "hcloud_primary_ip": primary_ip,
}
FREE = {
    "hcloud_network", "hcloud_network_subnet", "hcloud_network_route", "hcloud_firewall",
    "hcloud_firewall_attachment", "hcloud_ssh_key", "hcloud_server_network",
    "hcloud_volume_attachment", "hcloud_load_balancer_target", "hcloud_load_balancer_service",
    "hcloud_load_balancer_network", "hcloud_rdns", "hcloud_placement_group",
}  # fmt: skip
