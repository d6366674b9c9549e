"""Builders on pages owned by lower apps (the artifact page lives in catalog).

Query cost per tag: `claim_badge` 0 for an unclaimed or pending listing (it reads the
denormalized `claim_status`), 1 for a verified one (how it was verified);
`claim_callout` 0.
"""

from django import template

from builders import selectors

register = template.Library()


@register.inclusion_tag("builders/_claim_badge.html")
def claim_badge(artifact):
    claim = None
    if artifact.claim_status == "verified":
        claim = selectors.claim_verified_for(artifact=artifact)
    return {"artifact": artifact, "claim": claim}


@register.inclusion_tag("builders/_claim_callout.html")
def claim_callout(artifact):
    return {"artifact": artifact}


@register.filter
def edit_value(value) -> str:
    """A stored value as the edit form shows it: lists one item a line; a capability by
    its title, a plan as its price line."""
    if isinstance(value, list | tuple):
        return "\n".join(_item_text(item) for item in value)
    return value or ""


@register.filter
def row_name(item: dict) -> str:
    """A capability's title or a plan's name, from a formset row's initial data."""
    return item.get("title") or item.get("name") or ""


def _item_text(item) -> str:
    if not isinstance(item, dict):
        return str(item)
    if "title" in item:
        return f"{item['title']}: {item['description']}"
    as_of = f" (as of {item['as_of']})" if item.get("as_of") else ""
    return f"{item['name']}: {item['price']} {item['currency']} per {item['unit']}{as_of}"
