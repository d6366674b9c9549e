"""Comparison pages. Each view turns the request into one selector call and picks a template;
an htmx request gets a named partial of the same template (chosen by the element it targets).

Opening a comparison is recorded for the match graph after the response is decided (queued
after commit, like the match graph's own recording), never when a list merely expands."""

from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import redirect, render
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_headers

from catalog.htmx import wants_partial
from compare import selectors
from compare.types import Comparison
from matchgraph import recording
from matchgraph.normalize import MAX_QUERY_CHARS

CAPABILITIES_TARGET = "caps-"
# Picker suggestion lists that swap a region of their own page in place, by the id of the list
# that asked; elsewhere (artifact page, problem pages) a suggestion is a plain link.
IN_PLACE_TARGETS = (("swap-suggestions-", "comparison"), ("add-suggestions", "grid"))


@require_safe
@vary_on_headers("HX-Request", "HX-Target")
def pair(request: HttpRequest, pair: str) -> HttpResponse:
    try:
        result = selectors.comparison_for_pair(pair=pair)
    except selectors.ComparisonProblem as problem:
        return _problem(request, problem)
    if not result.is_canonical:
        query = request.META.get("QUERY_STRING", "")
        return HttpResponsePermanentRedirect(result.canonical_url + (f"?{query}" if query else ""))
    comparison = result.comparison
    context = {
        "comparison": comparison,
        "expanded": set(request.GET.getlist("more")),
        "other_readings": result.other_readings,
    }
    target = (request.htmx.target or "") if request.htmx else ""
    if wants_partial(request) and target.startswith(CAPABILITIES_TARGET):
        side = comparison.side(target.removeprefix(CAPABILITIES_TARGET))
        if side is not None:
            # "+N more capabilities": the list, expanded in place. Not a new comparison.
            return render(
                request,
                "compare/pair.html#capability-list",
                {**context, "side": side, "expanded": {side.slug}, "revealed": True},
            )
    _record(request, comparison)
    template = "compare/pair.html"
    if wants_partial(request):
        template += "#comparison"  # a side swapped in place
    return render(request, template, context)


@require_safe
@vary_on_headers("HX-Request")
def grid(request: HttpRequest) -> HttpResponse:
    slugs = request.GET.getlist("a")
    if not any(slug.strip() for slug in slugs):
        return render(request, "compare/start.html")
    try:
        comparison = selectors.comparison_for_grid(slugs=slugs)
    except selectors.ComparisonProblem as problem:
        return _problem(request, problem)
    _record(request, comparison)
    template = "compare/grid.html"
    if wants_partial(request):
        template += "#grid"
    return render(request, template, {"comparison": comparison})


@require_safe
@vary_on_headers("HX-Request", "HX-Target")
def pick(request: HttpRequest) -> HttpResponse:
    try:
        picker = selectors.compare_picker(
            kept_slugs=request.GET.getlist("a"),
            query=request.GET.get("q", ""),
            mode=request.GET.get("mode", "pair"),
            swap=request.GET.get("swap", ""),
        )
    except selectors.ComparisonProblem as problem:
        return _problem(request, problem)
    if wants_partial(request):
        asking = request.htmx.target or ""
        in_place = next(
            (region for prefix, region in IN_PLACE_TARGETS if asking.startswith(prefix)), ""
        )
        return render(
            request, "compare/pick.html#suggestions", {"picker": picker, "in_place": in_place}
        )
    if picker.exact_url:
        # Submitted without JavaScript and the name was exact: straight to the comparison.
        return redirect(picker.exact_url)
    return render(request, "compare/pick.html", {"picker": picker})


def _problem(request: HttpRequest, problem: selectors.ComparisonProblem) -> HttpResponse:
    return render(request, "compare/problem.html", {"problem": problem}, status=problem.status)


def _record(request: HttpRequest, comparison: Comparison) -> None:
    """A co-match for every pair shown; with `q` and the results' impression tokens `t`
    (arriving from a search), a choice of each artifact for that intent too."""
    recording.artifacts_compared(
        request,
        artifact_ids=[side.id for side in comparison.sides],
        query=request.GET.get("q", "")[:MAX_QUERY_CHARS],
        tokens=request.GET.getlist("t"),
    )
