"""Catalog pages. Each view turns a request into one selector call and picks a template;
for htmx requests the same view renders a named partial of the same template."""

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_headers

from catalog import pricing, selectors
from catalog.htmx import page_or_partial
from catalog.models import Kind
from catalog.page_cache import cached_for_visitors


@cached_for_visitors
@require_safe
def home(request: HttpRequest) -> HttpResponse:
    kind_counts = selectors.catalog_counts()
    context = {
        "top_artifacts": selectors.artifact_list_top(limit=8),
        "newest_artifacts": selectors.artifact_list_newest(limit=8),
        "categories": selectors.category_list_with_counts()[:24],
        "kinds": [
            (value, label, kind_counts[value])
            for value, label in Kind.choices
            if value in kind_counts
        ],
    }
    return render(request, "catalog/home.html", context)


@cached_for_visitors
@require_safe
@vary_on_headers("HX-Request")
def browse(request: HttpRequest) -> HttpResponse:
    result = selectors.artifact_browse(
        data=request.GET,
        page_number=request.GET.get("page"),
        per_page=settings.ARTIFACTS_PER_PAGE,
    )
    template = page_or_partial(request, "catalog/browse.html", "browse-body")
    return render(request, template, {"result": result})


@cached_for_visitors
@require_safe
def artifact_detail(request: HttpRequest, slug: str) -> HttpResponse:
    # Related artifacts and match evidence come from the match graph's template tags.
    artifact = selectors.artifact_get(slug=slug)
    return render(request, "catalog/artifact_detail.html", {"artifact": artifact})


@require_safe
@vary_on_headers("HX-Request")
def artifact_cost(request: HttpRequest, slug: str) -> HttpResponse:
    """The cost calculator: `?in=…&out=…&plan=…` read against the artifact's token plans.

    Not page-cached: every query string is its own page, so a cache would fill with one-off
    keys, and the answer costs two small queries. Bad input answers 400 with the message in
    the page (and in the htmx fragment)."""
    artifact = selectors.artifact_get_with_plans(slug=slug)
    result = pricing.cost_calculate(plans=artifact.plans.all(), data=request.GET)
    if not result.options:
        raise Http404(f"{artifact.name} lists no token prices to estimate a cost with.")
    template = page_or_partial(request, "catalog/artifact_cost.html", "cost-result")
    return render(
        request,
        template,
        {"artifact": artifact, "result": result},
        status=400 if result.errors else 200,
    )


@cached_for_visitors
@require_safe
def category_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "catalog/category_list.html",
        {"categories": selectors.category_list_with_counts()},
    )


@cached_for_visitors
@require_safe
@vary_on_headers("HX-Request")
def category_detail(request: HttpRequest, slug: str) -> HttpResponse:
    category = selectors.category_get(slug=slug)
    data = request.GET.copy()
    data.setlist("category", [category.slug])
    result = selectors.artifact_browse(
        data=data,
        page_number=request.GET.get("page"),
        per_page=settings.ARTIFACTS_PER_PAGE,
    )
    template = page_or_partial(request, "catalog/category_detail.html", "category-results")
    return render(request, template, {"category": category, "result": result})


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """A 404 that helps: what was asked for, a search box, and where to go instead."""
    context = {
        "message": _readable_message(exception),
        "categories": selectors.category_list_with_counts()[:12],
        "guess": request.path.strip("/").split("/")[-1].replace("-", " "),
    }
    return render(request, "404.html", context, status=404)


def _readable_message(exception: Exception) -> str:
    # URL-resolver 404s carry a dict of tried patterns: never show those to visitors.
    args = getattr(exception, "args", ())
    return args[0] if args and isinstance(args[0], str) else ""
