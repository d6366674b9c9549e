"""The comparison picker's form, for every page that offers one (the artifact page, the pair
table's swap control, the grid's add-a-column, the picker, problem and start pages)."""

from collections.abc import Sequence

from django import template

register = template.Library()


@register.inclusion_tag("compare/_picker_form.html")
def picker_form(
    *,
    field_id: str,
    target: str,
    label: str,
    kept: str | Sequence[str] = (),
    mode: str = "",
    swap: str = "",
    query: str = "",
    placeholder: str = "",
    hint: str = "",
    button: str = "Find",
    focus_once: bool = False,
    panel: bool = False,
    results: bool = True,
):
    """A GET form to the picker carrying the artifacts kept (`a`), the swapped side and the
    mode; typing asks for suggestions into `#target` (on focus too, with `focus_once`, so
    related artifacts show before anything is typed). `results=False` when the page renders
    the suggestions region itself."""
    slugs = [kept] if isinstance(kept, str) else list(kept)
    hidden = [("a", slug) for slug in slugs if slug]
    hidden += [(name, value) for name, value in (("swap", swap), ("mode", mode)) if value]
    return {
        "field_id": field_id,
        "target": target,
        "label": label,
        "hidden": hidden,
        "query": query,
        "placeholder": placeholder,
        "hint": hint,
        "button": button,
        "focus_once": focus_once,
        "panel": panel,
        "results": results,
    }
