"""Search and match recording. Views are thin: one selector or recording call each."""

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django.views.decorators.vary import vary_on_headers

from catalog.htmx import page_or_partial
from catalog.models import Artifact
from matchgraph import recording
from matchgraph.models import MatchVia
from matchgraph.normalize import MAX_QUERY_CHARS
from matchgraph.search import artifact_search
from matchgraph.selectors import artifact_get_for_choice

LIVE_HEADER = "X-Live-Search"
# Sent by links that change the query (a chip's ×): their response rewrites the search box,
# which live responses never touch.
QUERY_CHANGED_HEADER = "X-Query-Changed"


@require_safe
@vary_on_headers("HX-Request", "X-Query-Changed")
def search(request: HttpRequest) -> HttpResponse:
    raw_query = request.GET.get("q", "")[: MAX_QUERY_CHARS * 5]
    results = artifact_search(
        raw_query=raw_query,
        data=request.GET,
        page_number=request.GET.get("page"),
        per_page=settings.ARTIFACTS_PER_PAGE,
        exact=request.GET.get("exact") == "1",
    )
    # Keystrokes of live search are not intents; a submitted or opened search is. A corrected
    # search counts for what was meant, which is also what its result links carry.
    if results.browse and request.headers.get(LIVE_HEADER) != "1":
        recording.search_shown(
            request,
            query=results.plan.raw,
            artifact_ids=[item.artifact.pk for item in results.items],
        )
    template = page_or_partial(request, "matchgraph/search.html", "search-body")
    context = {
        "results": results,
        "query": raw_query,
        "sync_query_box": request.headers.get(QUERY_CHANGED_HEADER) == "1",
    }
    return render(request, template, context)


# A GET that records, on purpose: a result link must work without JavaScript, and a link can
# only GET. The view itself writes nothing: the choice goes through the recording service,
# queued after commit like every event (dropped if the broker is down), and counts only with
# the result's impression token. HEAD, prefetches and crawlers are stored as automated and
# never count (`matchgraph.impressions`); the redirect goes only to the artifact's own page.
@require_http_methods(["GET", "HEAD", "POST"])
def open_result(request: HttpRequest, slug: str) -> HttpResponse:
    """A result was opened. With JavaScript the page posts this as a beacon (CSRF-checked)
    and goes straight to the artifact; without, the result link comes here and is
    redirected."""
    artifact = artifact_get_for_choice(slug=slug)
    if request.method == "POST":
        _record_choice(request, artifact, request.POST, MatchVia.CLICK)
        return HttpResponse(status=204)
    _record_choice(request, artifact, request.GET, MatchVia.CLICK)
    return HttpResponseRedirect(artifact.get_absolute_url())


@require_POST
def this_fits(request: HttpRequest, slug: str) -> HttpResponse:
    artifact = artifact_get_for_choice(slug=slug)
    query = _record_choice(request, artifact, request.POST, MatchVia.FITS)
    if request.htmx:
        return render(request, "matchgraph/_fits_thanks.html", {"artifact": artifact})
    messages.success(request, f"Thanks — your vote that {artifact.name} fits “{query}” is noted.")
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = f"{reverse('matchgraph:search')}?{urlencode({'q': query})}"
    return HttpResponseRedirect(back)


def _record_choice(request: HttpRequest, artifact: Artifact, data, via: str) -> str:
    """Record that a visitor chose `artifact` for the query in `data` (`q`), with the
    result's impression token (`t`); returns the query."""
    query = data.get("q", "")[:MAX_QUERY_CHARS]
    recording.artifact_chosen(
        request, query=query, artifact_id=artifact.pk, via=via, token=data.get("t", "")
    )
    return query
