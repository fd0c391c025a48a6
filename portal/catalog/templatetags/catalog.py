import json

from django import template
from django.utils.html import format_html

from portal.catalog.display import icon_url, initial

register = template.Library()


@register.simple_tag
def stack_icon(stack) -> str:
    """The stack's icon image, or its initial."""
    url = icon_url(stack)
    if url:
        return format_html('<img class="stack-icon" src="{}" alt="">', url)
    return format_html('<span class="stack-icon" aria-hidden="true">{}</span>', initial(stack.name))


@register.filter
def pretty_json(value) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False, default=str)
