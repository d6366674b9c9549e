from django import template
from django.utils.safestring import mark_safe

from catalog import details
from catalog.markdown import render_markdown
from catalog.pricing import format_money, headline_price, plan_exact, plan_reading, token_options

register = template.Library()


@register.filter
def markdown(text: str) -> str:
    return mark_safe(render_markdown(text))  # sanitized by nh3 in render_markdown


@register.simple_tag(name="headline_price")
def headline_price_tag(artifact):
    """The artifact's headline price (`catalog.pricing.headline_price`). Uses the prefetched
    plans: no query per card."""
    return headline_price(artifact.plans.all())


@register.simple_tag
def token_price_options(artifact):
    """The token rates the cost calculator offers ([] hides it). Prefetched plans."""
    return token_options(artifact.plans.all())


@register.filter
def plan_price(plan) -> str:
    """A plan as people read it: "$0.42 per 1M input tokens"."""
    return plan_reading(name=plan.name, price=plan.price, currency=plan.currency, unit=plan.unit)


@register.filter
def plan_stored_price(plan) -> str:
    """A plan's exact stored decimal and unit: "$0.00000042 per prompt token"."""
    return plan_exact(price=plan.price, currency=plan.currency, unit=plan.unit)


@register.filter
def detail_label(key: str) -> str:
    """A stored detail's key as a label: "Context length" (`catalog.details`)."""
    return details.detail_label(key)


@register.filter
def detail_value(value, key: str) -> str:
    """`{{ value|detail_value:key }}`: "128K tokens", "Yes", "1,281,167" (`catalog.details`)."""
    return details.detail_value(key, value)


@register.filter
def money(amount, currency: str = "USD") -> str:
    if amount is None:
        return "Unknown"
    return format_money(amount, currency)


@register.filter
def get_item(mapping, key):
    """`{{ mapping|get_item:key }}` for dicts built by selectors."""
    return mapping.get(key) if mapping else None
