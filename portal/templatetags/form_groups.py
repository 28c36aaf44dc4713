from django import template

register = template.Library()


@register.simple_tag
def fields_of(form, names: str):
    """The bound fields named in a space-separated list, for grouping a long form."""
    return [form[name] for name in names.split()]
