from django import template
from django.utils.html import format_html

register = template.Library()

WIDTH, HEIGHT = 120, 24


@register.simple_tag
def sparkline(days) -> str:
    """An inline SVG line of the days' monthly costs (oldest first), scaled to its own
    range; nothing for fewer than two days."""
    costs = [float(day.monthly_cost) for day in days]
    if len(costs) < 2:
        return ""
    low, high = min(costs), max(costs)
    span = (high - low) or 1.0
    step = WIDTH / (len(costs) - 1)
    points = " ".join(
        f"{index * step:.1f},{HEIGHT - 2 - (cost - low) / span * (HEIGHT - 4):.1f}"
        for index, cost in enumerate(costs)
    )
    return format_html(
        '<svg class="sparkline" width="{}" height="{}" viewBox="0 0 {} {}" role="img" '
        'aria-label="monthly cost over {} days"><polyline points="{}" fill="none" '
        'stroke="#1f6f5c" stroke-width="1.5"/></svg>',
        WIDTH,
        HEIGHT,
        WIDTH,
        HEIGHT,
        len(costs),
        points,
    )
