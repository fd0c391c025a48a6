import json

from django import template

from portal.catalog.display import icon_for

register = template.Library()


@register.filter
def stack_icon(stack) -> str:
    return icon_for(stack.icon, stack.name)


@register.filter
def pretty_json(value) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False, default=str)
