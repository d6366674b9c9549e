from django import template
from django.utils.safestring import mark_safe

from catalog.markdown import render_markdown
from catalog.pricing import format_money
from catalog.pricing import starting_price as compute_starting_price

register = template.Library()


@register.filter
def markdown(text: str) -> str:
    return mark_safe(render_markdown(text))  # sanitized by nh3 in render_markdown


@register.simple_tag
def starting_price(artifact):
    """Uses the prefetched plans: no query per card."""
    return compute_starting_price(artifact.plans.all())


@register.filter
def detail_label(key: str) -> str:
    return str(key).replace("_", " ").strip().capitalize()


@register.filter
def money(amount, currency: str = "USD") -> str:
    if amount is None:
        return "Unknown"
    return format_money(amount, currency)


@register.filter
def get_item(mapping, key):
    """`{{ mapping|get_item:key }}` for dicts built by selectors."""
    return mapping.get(key) if mapping else None
