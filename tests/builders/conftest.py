"""Builders fixtures: verified accounts, an artifact with a homepage, and a local web server
standing in for the builder's homepage (the fetcher may reach 127.0.0.1 only because these
tests turn BUILDERS_FETCH_ALLOW_PRIVATE and _HTTP on)."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from builders.models import Account
from tests.catalog.factories import ArtifactFactory
from tests.clients import CommittingClient


@pytest.fixture
def client():
    """Each request commits, as in production, so the email task it queues after commit
    runs (eagerly in tests) before the test reads the outbox."""
    return CommittingClient()


def make_user(username: str, *, email: str | None = None, verified: bool = True):
    user = get_user_model().objects.create_user(
        username, email or f"{username}@mail.example", "a-long-pass-phrase"
    )
    Account.objects.create(user=user, email_verified_at=timezone.now() if verified else None)
    return user


@pytest.fixture
def builder(db):
    return make_user("builder", email="ada@mail.example")


@pytest.fixture
def builder_client(client, builder):
    client.force_login(builder)
    return client


@pytest.fixture
def artifact(db):
    return ArtifactFactory(name="Parrot TTS", homepage="https://parrot.example/tts")


@dataclass
class Route:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # before answering
    drip: float = 0.0  # between chunks of the body


class HomepageServer:
    """A tiny threaded HTTP server; tests set `routes[path]`."""

    def __init__(self):
        self.routes: dict[str, Route] = {}
        routes = self.routes

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                route = routes.get(self.path.split("?")[0], Route(status=404, body=b"no"))
                time.sleep(route.delay)
                try:
                    self.send_response(route.status)
                    for name, value in route.headers.items():
                        self.send_header(name, value)
                    if route.drip:
                        self.end_headers()
                        for offset in range(0, len(route.body), 64):
                            self.wfile.write(route.body[offset : offset + 64])
                            self.wfile.flush()
                            time.sleep(route.drip)
                        return
                    self.send_header("Content-Length", str(len(route.body)))
                    self.end_headers()
                    self.wfile.write(route.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def url(self, path: str = "/", host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"


@pytest.fixture
def local_fetch(settings):
    settings.BUILDERS_FETCH_ALLOW_PRIVATE = True
    settings.BUILDERS_FETCH_ALLOW_HTTP = True
    settings.BUILDERS_FETCH_TIMEOUT = 1.0
    settings.BUILDERS_FETCH_TOTAL_SECONDS = 2.0


@pytest.fixture
def homepage_server(local_fetch):
    server = HomepageServer()
    server.thread.start()
    yield server
    server.server.shutdown()
    server.server.server_close()
