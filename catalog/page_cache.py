"""Whole pages for visitors without a session, kept until anything they show changes.

A cached page costs one cache round trip and no query, which is what lets one server answer
many visitors of a popular artifact (benchmarks/throughput.py). Each process also keeps the
pages it served last (PAGE_CACHE_PROCESS_PAGES): ServeKeptPages, a middleware, answers with
such a copy before any URL is resolved, reading only the pages version from Redis; any other
hit reads the version and the page in one MGET. Freshness is exact, not timed:
every write that changes what a page shows calls `pages_changed()`, and every stored page
carries the pages version it was rendered under. The writers: any save or delete of a
catalog model (signals), the bulk writers through `listing_changed()`, the embeddings
refresh, the match-graph aggregation, rank runs and re-scores. Each write changes the version
at once and again when its transaction commits, so a page rendered from the old rows during
the transaction is not kept under the new version. PAGE_CACHE_SECONDS bounds what no write
announces (dates that read "3 days ago").

Only requests that carry no cookie but the CSRF one are served from here: a signed-in
curator, a session or a pending message always gets a fresh page. A page's CSRF token is
stored as a placeholder and each visitor gets a token of their own in its place. A missing
pages version (Redis flushed or restarted) is started anew at random, so no page kept from
before, in Redis or in a process, passes for current.
"""

import hashlib
import os
import re
import threading
import time
import uuid
from collections.abc import Callable
from functools import wraps
from typing import NamedTuple

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH

from config.cache import version_started

PAGES_VERSION_KEY = "catalog:pages-version"
# In every page's key: a page stored in an older shape (a plain tuple) is never read back.
PAGE_KEY_PREFIX = "page3:"
TOKEN_PLACEHOLDER = b"@@csrf-token@@"
# Where base.html and {% csrf_token %} put a token (64 letters and digits, masked).
TOKEN_RE = re.compile(
    rb'(?<="X-CSRFToken": ")[A-Za-z0-9]{64}(?=")'
    rb'|(?<=name="csrfmiddlewaretoken" value=")[A-Za-z0-9]{64}(?=")'
)


def pages_changed(**_signal_arguments) -> None:
    """Something a page shows changed: every cached page is rendered again."""
    _new_pages_version()
    transaction.on_commit(_new_pages_version)  # at once when no transaction is open


def _new_pages_version() -> None:
    cache.set(PAGES_VERSION_KEY, uuid.uuid4().hex, None)


def cached_for_visitors(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Serve `view`'s successful GET and HEAD answers from the cache (see the module's
    docstring for when and how long). Put it above the view's other decorators: the page is
    kept as they leave it (its body, Content-Type and Vary: the only headers the views set),
    since ServeKeptPages may answer before any of them runs."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not _cacheable(request):
            return view(request, *args, **kwargs)
        key = _page_key(request)
        version, stored = _find(request, key)
        if stored is not None:
            return _from_stored(request, stored)
        token_asked_before = request.META.get("CSRF_COOKIE_NEEDS_UPDATE", False)
        response = view(request, *args, **kwargs)
        if version is not None and response.status_code == 200 and not response.streaming:
            stored = _to_stored(response, version)
            token_asked = request.META.get("CSRF_COOKIE_NEEDS_UPDATE") and not token_asked_before
            if token_asked and not stored.tokens:
                # The page holds a token where TOKEN_RE does not look: kept, this visitor's
                # token would be everyone's.
                return response
            cache.set(key, stored, settings.PAGE_CACHE_SECONDS)
            _process_copies.keep(key, request.path, stored)
        return response

    return wrapper


class ServeKeptPages:
    """Answers with a page this process keeps a copy of, before the URL is resolved or any view
    runs, when the pages version in Redis is still the copy's: one small round trip. In
    MIDDLEWARE after the CSRF, security and X-Frame-Options middleware, which handle the
    request and the response as for a rendered page; those after it (users, messages, htmx)
    have nothing to do for a visitor without a session. Anything else goes on to the view,
    where `cached_for_visitors` looks in Redis."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path in _process_copies.paths and _cacheable(request):
            key = _page_key(request)
            copy = _process_copies.get(key)
            if copy is not None:
                if copy.expires > time.time() and cache.get(PAGES_VERSION_KEY) == copy.version:
                    return _from_stored(request, copy)
                _process_copies.forget(key)
        return self.get_response(request)


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
            # As request.headers would read them, without building all of request.headers.
            request.META.get("HTTP_HX_REQUEST", ""),
            request.META.get("HTTP_HX_BOOSTED", ""),
        ]
    )
    return PAGE_KEY_PREFIX + hashlib.sha256(seen.encode()).hexdigest()[:32]


class StoredPage(NamedTuple):
    version: str  # the pages version it was rendered under
    expires: float  # epoch seconds
    body: bytes  # encoded, with TOKEN_PLACEHOLDER where the CSRF tokens were
    tokens: int  # how many there were
    content_type: str
    vary: str


def _to_stored(response: HttpResponse, version: str) -> StoredPage:
    body, tokens = TOKEN_RE.subn(TOKEN_PLACEHOLDER, response.content)
    expires = time.time() + settings.PAGE_CACHE_SECONDS
    return StoredPage(
        version, expires, body, tokens, response["Content-Type"], response.get("Vary", "")
    )


def _from_stored(request: HttpRequest, stored: StoredPage) -> HttpResponse:
    body = stored.body
    if stored.tokens:  # as when rendered, a page without a token sets no CSRF cookie
        body = body.replace(TOKEN_PLACEHOLDER, visitor_csrf_token(request).encode())
    response = HttpResponse(body, stored.content_type)
    if stored.vary:
        response["Vary"] = stored.vary
    return response


# --- Finding a page ----------------------------------------------------------------------------


class _ProcessCopies:
    """The pages this process served or rendered last (oldest first, at most
    PAGE_CACHE_PROCESS_PAGES), so that a hit reads only the pages version from Redis, not the
    page too: tens of kilobytes that Redis copies out and this process reads and unpickles.
    The paths they were asked under are counted too, so that ServeKeptPages lets any other
    request pass after one lookup, without working out its key."""

    def __init__(self):
        self._pages: dict[str, tuple[str, StoredPage]] = {}
        self.paths: dict[str, int] = {}
        self._lock = threading.Lock()

    def get(self, key: str) -> StoredPage | None:
        found = self._pages.get(key)
        return found[1] if found is not None else None

    def keep(self, key: str, path: str, stored: StoredPage) -> None:
        with self._lock:
            self._pop(key)
            self._pages[key] = (path, stored)
            self.paths[path] = self.paths.get(path, 0) + 1
            while len(self._pages) > settings.PAGE_CACHE_PROCESS_PAGES:
                self._pop(next(iter(self._pages)))

    def forget(self, key: str) -> None:
        with self._lock:
            self._pop(key)

    def _pop(self, key: str) -> None:
        found = self._pages.pop(key, None)
        if found is not None:
            path = found[0]
            self.paths[path] -= 1
            if not self.paths[path]:
                del self.paths[path]


_process_copies = _ProcessCopies()


def _find(request: HttpRequest, key: str) -> tuple[str | None, StoredPage | None]:
    """The current pages version (None: Redis cannot say) and the page kept under it, if any:
    one round trip, both read at once."""
    found = cache.get_many([PAGES_VERSION_KEY, key])
    version = found.get(PAGES_VERSION_KEY)
    if version is None:
        return version_started(PAGES_VERSION_KEY), None
    stored = found.get(key)
    if stored is None or stored.version != version:
        return version, None
    _process_copies.keep(key, request.path, stored)
    return version, stored


# --- The visitor's CSRF token ----------------------------------------------------------------

_CHAR_INDEX = {char: index for index, char in enumerate(CSRF_ALLOWED_CHARS)}
# Random bytes below this map evenly onto the characters (4 × 62 = 248); the rest are dropped.
_EVEN_BYTES_BELOW = 256 - 256 % len(CSRF_ALLOWED_CHARS)


def visitor_csrf_token(request: HttpRequest) -> str:
    """What Django's get_token(request) answers, and with the same effect (the secret set and
    the cookie sent by CsrfViewMiddleware): the visitor's secret, or a new one, masked with a
    new mask. Django draws each of the 64 characters with its own secrets.choice, an OS call
    each, a quarter of a cached page's CPU; here two OS calls draw them all."""
    secret = request.META.get("CSRF_COOKIE")
    if secret is None:
        secret = request.META["CSRF_COOKIE"] = _random_token_chars(CSRF_SECRET_LENGTH)
    request.META["CSRF_COOKIE_NEEDS_UPDATE"] = True
    mask = _random_token_chars(CSRF_SECRET_LENGTH)
    count = len(CSRF_ALLOWED_CHARS)
    cipher = "".join(
        CSRF_ALLOWED_CHARS[(_CHAR_INDEX[s] + _CHAR_INDEX[m]) % count]
        for s, m in zip(secret, mask, strict=True)
    )
    return mask + cipher


def _random_token_chars(length: int) -> str:
    count = len(CSRF_ALLOWED_CHARS)
    while True:
        drawn = [
            CSRF_ALLOWED_CHARS[b % count] for b in os.urandom(length + 16) if b < _EVEN_BYTES_BELOW
        ]
        if len(drawn) >= length:
            return "".join(drawn[:length])
