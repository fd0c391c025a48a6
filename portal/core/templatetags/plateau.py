from django import template

register = template.Library()


@register.filter
def model_verbose_name(obj_or_model) -> str:
    return obj_or_model._meta.verbose_name


@register.filter
def yesno_or_value(value):
    """Booleans read as yes/no in tables, empty values as a dash."""
    if value is True:
        return "yes"
    if value is False:
        return "no"
    if value in (None, ""):
        return "—"
    return value
