"""Whole pages for visitors without a session, kept until anything they show changes.

A cached page costs one cache round trip and no query, which is what lets one server answer
many visitors of a popular artifact (benchmarks/throughput.py). Freshness is exact, not timed:
every write that changes what a page shows calls `pages_changed()`, and every stored page
carries the pages version it was rendered under. The writers: any save or delete of a
catalog model (signals), the bulk writers through `listing_changed()`, the embeddings
refresh, the match-graph aggregation, rank runs and re-scores. Each write changes the version
at once and again when its transaction commits, so a page rendered from the old rows during
the transaction is not kept under the new version. PAGE_CACHE_SECONDS bounds what no write
announces (dates that read "3 days ago").

Only requests that carry no cookie but the CSRF one are served from here: a signed-in
curator, a session or a pending message always gets a fresh page. A page's CSRF token is
stored as a placeholder and each visitor gets a token of their own in its place.
"""

import hashlib
import re
import uuid
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token

PAGES_VERSION_KEY = "catalog:pages-version"
TOKEN_PLACEHOLDER = "@@csrf-token@@"
# Where base.html and {% csrf_token %} put a token (64 letters and digits, masked).
TOKEN_RE = re.compile(
    r'(?<="X-CSRFToken": ")[A-Za-z0-9]{64}(?=")'
    r'|(?<=name="csrfmiddlewaretoken" value=")[A-Za-z0-9]{64}(?=")'
)


def pages_changed(**_signal_arguments) -> None:
    """Something a page shows changed: every cached page is rendered again."""
    _new_pages_version()
    transaction.on_commit(_new_pages_version)  # at once when no transaction is open


def _new_pages_version() -> None:
    cache.set(PAGES_VERSION_KEY, uuid.uuid4().hex, None)


def cached_for_visitors(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Serve `view`'s successful GET and HEAD answers from the cache (see the module's
    docstring for when and how long)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not _cacheable(request):
            return view(request, *args, **kwargs)
        key = _page_key(request)
        # One round trip: the current version and the page, which carries the version it
        # was rendered under. A page from an older version is a miss.
        found = cache.get_many([PAGES_VERSION_KEY, key])
        version = found.get(PAGES_VERSION_KEY) or "initial"
        stored = found.get(key)
        if stored is not None and stored[0] == version:
            return _from_stored(request, stored)
        response = view(request, *args, **kwargs)
        if response.status_code == 200 and not response.streaming:
            cache.set(key, _to_stored(response, version), settings.PAGE_CACHE_SECONDS)
        return response

    return wrapper


def _cacheable(request: HttpRequest) -> bool:
    return (
        settings.PAGE_CACHE_SECONDS > 0
        and request.method in ("GET", "HEAD")
        and set(request.COOKIES) <= {settings.CSRF_COOKIE_NAME}
    )


def _page_key(request: HttpRequest) -> str:
    # Everything a template may read from the request: scheme and host (canonical links),
    # path and query (the search box, the page number), and whether htmx asks for a part.
    seen = "\n".join(
        [
            request.scheme,
            request.get_host(),
            request.get_full_path(),
            request.headers.get("HX-Request", ""),
            request.headers.get("HX-Boosted", ""),
        ]
    )
    return f"page:{hashlib.sha256(seen.encode()).hexdigest()[:32]}"


StoredPage = tuple[str, str, str, str]  # version, html, content type, Vary


def _to_stored(response: HttpResponse, version: str) -> StoredPage:
    html = TOKEN_RE.sub(TOKEN_PLACEHOLDER, response.content.decode(response.charset))
    return version, html, response["Content-Type"], response.get("Vary", "")


def _from_stored(request: HttpRequest, stored: StoredPage) -> HttpResponse:
    _version, html, content_type, vary = stored
    response = HttpResponse(html.replace(TOKEN_PLACEHOLDER, get_token(request)), content_type)
    if vary:
        response["Vary"] = vary
    return response
