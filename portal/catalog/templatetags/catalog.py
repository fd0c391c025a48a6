import json

from django import template
from django.utils.html import format_html

from portal.catalog.display import icon_for, icon_url

register = template.Library()


@register.simple_tag
def stack_icon(stack) -> str:
    """The stack's image file, served from its served version, or its glyph."""
    url = icon_url(stack)
    if url:
        return format_html('<img class="stack-icon" src="{}" alt="">', url)
    return format_html(
        '<span class="stack-icon" aria-hidden="true">{}</span>', icon_for(stack.icon, stack.name)
    )


@register.filter
def pretty_json(value) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False, default=str)
