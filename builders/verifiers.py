"""How a claim is proven: one small class per method, found by key in `VERIFIERS`.

A verifier says whether it applies to an artifact, prepares a new claim (`prepare`), and,
for the automatic ones, checks the proof (`check`), returning a `Verdict`. Services call
them and own every state change; a verifier never writes a claim's status itself.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing

from builders.fetching import FetchError, fetch_text
from builders.models import Claim, ClaimMethod
from catalog.models import Artifact

WELL_KNOWN_PATH = "/.well-known/unfragile-verify.txt"
META_NAME = "unfragile-verify"
EMAIL_LINK_SALT = "builders.claim-email"


@dataclass(frozen=True)
class Verdict:
    proven: bool
    message: str


# Hosts where many unrelated people have addresses or pages: an address there, or a page at
# the host itself, proves nothing about one artifact. (A subdomain such as
# "lab.github.io" is its owner's, so a token there still counts.)
SHARED_HOSTS = frozenset(
    """
    github.com github.io gitlab.com gitlab.io bitbucket.org codeberg.org sourceforge.net
    huggingface.co hf.co hf.space pypi.org npmjs.com crates.io pkg.go.dev docker.com
    readthedocs.io readthedocs.org arxiv.org paperswithcode.com kaggle.com colab.google
    google.com gmail.com googlemail.com outlook.com hotmail.com yahoo.com icloud.com
    proton.me protonmail.com medium.com substack.com notion.site vercel.app netlify.app
    pages.dev herokuapp.com replit.com streamlit.app gradio.live youtube.com x.com
    twitter.com linkedin.com discord.com discord.gg
    """.split()
)


def is_shared_host(host: str) -> bool:
    return host in SHARED_HOSTS


def homepage_host(artifact: Artifact) -> str:
    """The homepage's host without "www.", lower-cased; empty without a homepage."""
    host = (urlsplit(artifact.homepage).hostname or "") if artifact.homepage else ""
    return host.removeprefix("www.")


class Verifier:
    key: str
    label: str
    automatic = True

    def applies_to(self, artifact: Artifact) -> bool:
        return True

    def prepare(self, claim: Claim) -> None:
        """Fill what the method needs on a new, unsaved claim."""

    def check(self, claim: Claim) -> Verdict:
        raise NotImplementedError


class EmailDomainVerifier(Verifier):
    """A signed, expiring, single-use link sent to an address at the homepage's domain."""

    key = ClaimMethod.EMAIL
    label = "Email at the homepage's domain"

    def applies_to(self, artifact: Artifact) -> bool:
        host = homepage_host(artifact)
        return bool(host) and not any(
            is_shared_host(host) or host.endswith(f".{shared}") for shared in SHARED_HOSTS
        )

    def address_matches(self, artifact: Artifact, email: str) -> bool:
        """The address's domain is the homepage's host or a parent of it ("docs.x.com" →
        "x.com"), never a mere suffix ("evilx.com") nor a shared host."""
        domain = email.rpartition("@")[2].lower()
        host = homepage_host(artifact)
        return (
            self.applies_to(artifact)
            and bool(domain)
            and not is_shared_host(domain)
            and (host == domain or host.endswith(f".{domain}"))
        )

    def prepare(self, claim: Claim) -> None:
        claim.email_nonce = secrets.token_hex(16)

    @staticmethod
    def link_token(claim: Claim) -> str:
        return signing.TimestampSigner(salt=EMAIL_LINK_SALT).sign(f"{claim.pk}:{claim.email_nonce}")

    @staticmethod
    def claim_id_from(token: str) -> tuple[int, str]:
        """The claim id and nonce a link signs; raises `signing.BadSignature` (or its
        subclass `SignatureExpired`) for a forged or old link."""
        value = signing.TimestampSigner(salt=EMAIL_LINK_SALT).unsign(
            token, max_age=settings.BUILDERS_CLAIM_LINK_MAX_AGE
        )
        claim_id, _, nonce = value.partition(":")
        return int(claim_id), nonce

    def check(self, claim: Claim, *, nonce: str = "") -> Verdict:
        if not claim.email_nonce or not secrets.compare_digest(nonce, claim.email_nonce):
            return Verdict(False, "This link was already used or replaced by a newer one.")
        if not self.address_matches(claim.artifact, claim.email):
            return Verdict(False, "The address is not at the homepage's domain.")
        return Verdict(True, f"Link opened from {claim.email}.")


class WellKnownTokenVerifier(Verifier):
    """A token in /.well-known/unfragile-verify.txt, or a meta tag on the homepage."""

    key = ClaimMethod.WELL_KNOWN
    label = "Token on the homepage"

    def applies_to(self, artifact: Artifact) -> bool:
        host = homepage_host(artifact)
        return bool(host) and not is_shared_host(host)

    def prepare(self, claim: Claim) -> None:
        claim.token = f"unfragile-{secrets.token_urlsafe(24)}"

    @staticmethod
    def urls(artifact: Artifact) -> tuple[str, str]:
        """The well-known file, then the homepage itself (for the meta tag)."""
        parts = urlsplit(artifact.homepage)
        scheme = parts.scheme if settings.BUILDERS_FETCH_ALLOW_HTTP else "https"
        # Host and port only: credentials in a listed link are never sent.
        host = f"[{parts.hostname}]" if ":" in (parts.hostname or "") else parts.hostname
        origin = f"{scheme}://{host}{f':{parts.port}' if parts.port else ''}"
        return f"{origin}{WELL_KNOWN_PATH}", f"{origin}{parts.path or '/'}"

    def check(self, claim: Claim) -> Verdict:
        well_known, homepage = self.urls(claim.artifact)
        problems = []
        for url, found in ((well_known, _file_has), (homepage, _meta_has)):
            try:
                fetched = fetch_text(url)
            except FetchError as error:
                problems.append(str(error))
                continue
            if 200 <= fetched.status < 300 and found(fetched.text, claim.token):
                return Verdict(True, f"Token found at {url}.")
            problems.append(f"No token at {url} (HTTP {fetched.status}).")
        return Verdict(False, " ".join(problems))


def _file_has(text: str, token: str) -> bool:
    return token in {line.strip() for line in text.splitlines()}


def _meta_has(text: str, token: str) -> bool:
    parser = _MetaFinder()
    parser.feed(text)
    return token in parser.values


class _MetaFinder(HTMLParser):
    def __init__(self):
        super().__init__()
        self.values: set[str] = set()

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "meta" and (attributes.get("name") or "").lower() == META_NAME:
            self.values.add((attributes.get("content") or "").strip())


class CuratorReviewVerifier(Verifier):
    """Evidence text a curator reads in the admin; nothing to check automatically."""

    key = ClaimMethod.CURATOR
    label = "Reviewed by a curator"
    automatic = False


VERIFIERS: dict[str, Verifier] = {
    verifier.key: verifier
    for verifier in (EmailDomainVerifier(), WellKnownTokenVerifier(), CuratorReviewVerifier())
}
