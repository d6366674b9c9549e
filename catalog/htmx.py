"""One page, one template: an htmx request gets a named partial of the same template."""

from django.http import HttpRequest


def wants_partial(request: HttpRequest) -> bool:
    """An htmx swap (not a boosted full-page navigation) asks for a fragment."""
    return bool(request.htmx) and not request.htmx.boosted


def page_or_partial(request: HttpRequest, template: str, partial: str) -> str:
    """`template`, or `template#partial` when htmx asks for a fragment."""
    return f"{template}#{partial}" if wants_partial(request) else template
