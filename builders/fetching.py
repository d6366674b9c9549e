"""Fetch a small text file from a builder's homepage without being turned against us.

Standard library only. Every address the host resolves to must be public (unless
BUILDERS_FETCH_ALLOW_PRIVATE, for tests and local development), and the connection goes
to the address that was checked, so a DNS answer cannot change between check and connect.
Redirects may only stay on the same host; timeouts are short and the body is capped.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from django.conf import settings

REDIRECT_STATUSES = {301, 302, 303, 307, 308}
MAX_REDIRECTS = 3
CHUNK = 4096
USER_AGENT = "UnfragileVerifier/1.0 (+https://unfragile.example/claim)"


class FetchError(Exception):
    """Why a fetch was refused or failed, in words a builder can act on."""


@dataclass(frozen=True)
class Fetched:
    url: str
    status: int
    text: str


def fetch_text(url: str) -> Fetched:
    """GET `url` under the rules above; a non-2xx answer is returned, not raised."""
    deadline = time.monotonic() + settings.BUILDERS_FETCH_TOTAL_SECONDS
    first_host = urlsplit(url).hostname
    for _ in range(MAX_REDIRECTS + 1):
        status, location, body = _get_once(url, deadline=deadline)
        if status not in REDIRECT_STATUSES:
            return Fetched(url=url, status=status, text=body.decode("utf-8", errors="replace"))
        if not location:
            raise FetchError(f"{url} redirects without saying where.")
        target = urljoin(url, location)
        if urlsplit(target).hostname != first_host:
            raise FetchError(f"{url} redirects to another host; only the same host is followed.")
        url = target
    raise FetchError(f"More than {MAX_REDIRECTS} redirects from {url}.")


def public_address(host: str, port: int) -> str:
    """The first address `host` resolves to, refusing when any of them is not public."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise FetchError(f"{host} does not resolve.") from error
    addresses = [info[4][0] for info in infos]
    if not addresses:
        raise FetchError(f"{host} does not resolve.")
    if not settings.BUILDERS_FETCH_ALLOW_PRIVATE:
        for address in addresses:
            ip = ipaddress.ip_address(address.split("%")[0])
            if not ip.is_global or ip.is_multicast:
                raise FetchError(f"{host} resolves to a private or reserved address.")
    return addresses[0]


def _get_once(url: str, *, deadline: float) -> tuple[int, str, bytes]:
    parts = urlsplit(url)
    allowed = ("http", "https") if settings.BUILDERS_FETCH_ALLOW_HTTP else ("https",)
    if parts.scheme not in allowed or not parts.hostname:
        raise FetchError(f"Only {' or '.join(allowed)} addresses are fetched.")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    address = public_address(parts.hostname, port)
    connection_class = _PinnedHTTPS if parts.scheme == "https" else _PinnedHTTP
    connection = connection_class(
        parts.hostname, port, address=address, timeout=settings.BUILDERS_FETCH_TIMEOUT
    )
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        connection.request("GET", path, headers={"User-Agent": USER_AGENT, "Accept": "*/*"})
        response = connection.getresponse()
        if response.status in REDIRECT_STATUSES:
            return response.status, response.getheader("Location", ""), b""
        return response.status, "", _read_capped(response, deadline=deadline)
    except (OSError, http.client.HTTPException, ssl.SSLError) as error:
        raise FetchError(f"Could not read {url}: {_reason(error)}.") from error
    finally:
        connection.close()


def _read_capped(response: http.client.HTTPResponse, *, deadline: float) -> bytes:
    limit = settings.BUILDERS_FETCH_MAX_BYTES
    declared = response.getheader("Content-Length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise FetchError(f"The answer is larger than {limit:,} bytes.")
    body = bytearray()
    while chunk := response.read1(CHUNK):
        body += chunk
        if len(body) > limit:
            raise FetchError(f"The answer is larger than {limit:,} bytes.")
        if time.monotonic() > deadline:
            raise FetchError("The server answered too slowly.")
    return bytes(body)


def _reason(error: Exception) -> str:
    if isinstance(error, TimeoutError | socket.timeout):
        return "it answered too slowly"
    return str(error) or error.__class__.__name__


class _PinnedHTTP(http.client.HTTPConnection):
    """Connects to the checked address; the Host header still names the host."""

    def __init__(self, host: str, port: int, *, address: str, timeout: float):
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    """As `_PinnedHTTP`, with TLS verified against the host name (SNI)."""

    def __init__(self, host: str, port: int, *, address: str, timeout: float):
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)
