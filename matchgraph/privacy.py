"""De-duplication without personal data: salted hashes whose salt changes every day.

A client is its address (an IPv6 client its /64, which one household or phone holds); the
User-Agent is not part of it, since a script can send a new one with every request. A
client's network is its /24 (IPv6: /48): many addresses in one network count as one source
of evidence when they act together.

Neither the address nor anything derived from it without the secret is stored; yesterday's
hashes cannot be linked to today's, and without the server's secret key they cannot be
linked to anyone."""

import hashlib
import hmac
import ipaddress
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone

CLIENT_PREFIX = {4: 32, 6: 64}
NETWORK_PREFIX = {4: 24, 6: 48}


def daily_salt(day: date) -> bytes:
    return hmac.new(
        settings.SECRET_KEY.encode(), f"matchgraph-salt:{day.isoformat()}".encode(), "sha256"
    ).digest()


def _client_address(request: HttpRequest) -> str:
    """REMOTE_ADDR, or behind TRUSTED_PROXIES reverse proxies the address the outermost of
    them saw (X-Forwarded-For is appended to by each proxy; what comes before is the
    client's to invent)."""
    proxies = settings.TRUSTED_PROXIES
    header = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies and header:
        forwarded = [part.strip() for part in header.split(",")]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "")


def _address(request: HttpRequest) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        address = ipaddress.ip_address(_client_address(request).strip())
    except ValueError:
        return None
    # An IPv4 client reaching an IPv6 socket is still an IPv4 client.
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def _prefix(request: HttpRequest, lengths: dict[int, int]) -> str:
    address = _address(request)
    if address is None:
        return "unknown"
    network = ipaddress.ip_network(f"{address}/{lengths[address.version]}", strict=False)
    return str(network)


def client_key(request: HttpRequest) -> str:
    """The client's address (IPv6: its /64), unhashed: only for signing, never stored."""
    return _prefix(request, CLIENT_PREFIX)


def _hashed(day: date, purpose: str, value: str) -> str:
    return hmac.new(daily_salt(day), f"{purpose}|{value}".encode(), hashlib.sha256).hexdigest()[:32]


@dataclass(frozen=True)
class Visitor:
    """What events store about who acted: today's hashes of the client and its network."""

    source_hash: str
    network_hash: str


def visitor(request: HttpRequest, *, day: date | None = None) -> Visitor:
    day = day or timezone.now().date()
    return Visitor(
        source_hash=_hashed(day, "client", client_key(request)),
        network_hash=_hashed(day, "network", _prefix(request, NETWORK_PREFIX)),
    )


def source_hash(request: HttpRequest, *, day: date | None = None) -> str:
    return visitor(request, day=day).source_hash
