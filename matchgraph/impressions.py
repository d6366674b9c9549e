"""Proof that a person was shown an artifact for an intent before choosing it.

Every search result carries a signed, short-lived impression token. It names the artifact
and its position, and its signature binds it to the client it was shown to and the intent
searched: a token copied to another address, another query or another artifact, or kept
past its lifetime, proves nothing. A choice without proof is still stored, marked unproven,
and counted as discarded by the aggregation (curators see it), but never as a match.

Requests no person made — HEAD, browser prefetches and link previews, known crawlers — are
marked automated whatever they carry."""

import hashlib
import re
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.http import HttpRequest

from matchgraph.models import MatchEvidence, result_position
from matchgraph.normalize import normalize_intent
from matchgraph.privacy import client_key

SALT = "matchgraph.impression"
PREFETCH_HEADERS = ("Sec-Purpose", "Purpose", "X-Purpose", "X-Moz")
# The words crawlers, link previewers and HTTP libraries put in their User-Agent. Anyone
# can send a browser's instead: this only keeps honest robots out; tokens and caps do the rest.
AUTOMATED_AGENT = re.compile(
    r"bot\b|crawl|spider|slurp|preview|facebookexternalhit|embedly|"
    r"python-requests|python-urllib|aiohttp|httpx|curl/|wget/|go-http-client|okhttp|java/",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Choice:
    evidence: str
    position: int | None = None


def impression_signer(request: HttpRequest, query: str) -> signing.TimestampSigner:
    """What signs the impression tokens of one client and intent: one serves a whole page."""
    intent = hashlib.sha256(normalize_intent(query).encode()).hexdigest()[:16]
    return signing.TimestampSigner(salt=f"{SALT}:{client_key(request)}:{intent}")


def impression_token(
    request: HttpRequest,
    *,
    query: str,
    artifact_id: int,
    position: int,
    signer: signing.TimestampSigner | None = None,
) -> str:
    """`signer`: the page's `impression_signer(request, query)`, made once for its results."""
    return (signer or impression_signer(request, query)).sign(f"{artifact_id}.{position}")


def token_artifact_id(token: str) -> int | None:
    """The artifact a token names, unverified: only to pick which token to verify."""
    try:
        return int(token.split(".", 1)[0])
    except ValueError:
        return None


def is_automated(request: HttpRequest) -> bool:
    if request.method == "HEAD":
        return True
    if any("prefetch" in request.headers.get(name, "").lower() for name in PREFETCH_HEADERS):
        return True
    if "preview" in request.headers.get("X-Purpose", "").lower():
        return True
    return bool(AUTOMATED_AGENT.search(request.headers.get("User-Agent", "")))


def choice_evidence(request: HttpRequest, *, token: str, query: str, artifact_id: int) -> Choice:
    """Whether this request proves a person chose `artifact_id` for `query`, and at which
    position it was shown (from the token, never from the URL)."""
    if is_automated(request):
        return Choice(MatchEvidence.AUTOMATED)
    try:
        value = impression_signer(request, query).unsign(
            token[:200], max_age=settings.MATCHGRAPH_IMPRESSION_MAX_AGE
        )
        shown_id, position = (int(part) for part in value.split("."))
    except (signing.BadSignature, ValueError):
        return Choice(MatchEvidence.UNPROVEN)
    if shown_id != artifact_id:
        return Choice(MatchEvidence.UNPROVEN)
    return Choice(MatchEvidence.SHOWN, result_position(position))
