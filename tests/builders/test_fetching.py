"""The fetcher's rules, against a real local server: size, time, redirects, addresses."""

import pytest

from builders.fetching import FetchError, fetch_text, public_address
from tests.builders.conftest import Route


def test_reads_a_small_answer(homepage_server):
    homepage_server.routes["/f.txt"] = Route(body=b"hello")
    fetched = fetch_text(homepage_server.url("/f.txt"))
    assert (fetched.status, fetched.text) == (200, "hello")


def test_a_missing_file_is_an_answer_not_an_error(homepage_server):
    assert fetch_text(homepage_server.url("/nothing")).status == 404


def test_refuses_an_answer_declared_too_large(homepage_server, settings):
    settings.BUILDERS_FETCH_MAX_BYTES = 1000
    homepage_server.routes["/big"] = Route(body=b"x" * 1001)
    with pytest.raises(FetchError, match="larger than 1,000 bytes"):
        fetch_text(homepage_server.url("/big"))


def test_stops_reading_an_undeclared_body_past_the_limit(homepage_server, settings):
    settings.BUILDERS_FETCH_MAX_BYTES = 1000
    homepage_server.routes["/big"] = Route(body=b"x" * 5000, drip=0.001)
    with pytest.raises(FetchError, match="larger than"):
        fetch_text(homepage_server.url("/big"))


def test_gives_up_on_a_server_that_does_not_answer(homepage_server, settings):
    settings.BUILDERS_FETCH_TIMEOUT = 0.3
    homepage_server.routes["/slow"] = Route(body=b"late", delay=1.0)
    with pytest.raises(FetchError, match="too slowly"):
        fetch_text(homepage_server.url("/slow"))


def test_gives_up_on_a_body_that_trickles_past_the_budget(homepage_server, settings):
    settings.BUILDERS_FETCH_TOTAL_SECONDS = 0.5
    homepage_server.routes["/drip"] = Route(body=b"x" * 64 * 20, drip=0.1)
    with pytest.raises(FetchError, match="too slowly"):
        fetch_text(homepage_server.url("/drip"))


def test_follows_a_redirect_on_the_same_host(homepage_server):
    homepage_server.routes["/old"] = Route(status=301, headers={"Location": "/new"})
    homepage_server.routes["/new"] = Route(body=b"moved here")
    assert fetch_text(homepage_server.url("/old")).text == "moved here"


def test_refuses_a_redirect_to_another_host(homepage_server):
    elsewhere = homepage_server.url("/new", host="localhost")
    homepage_server.routes["/old"] = Route(status=302, headers={"Location": elsewhere})
    with pytest.raises(FetchError, match="another host"):
        fetch_text(homepage_server.url("/old"))


def test_refuses_a_redirect_loop(homepage_server):
    homepage_server.routes["/loop"] = Route(status=302, headers={"Location": "/loop"})
    with pytest.raises(FetchError, match="redirects"):
        fetch_text(homepage_server.url("/loop"))


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/.well-known/unfragile-verify.txt",
        "https://localhost/",
        "https://10.1.2.3/",
        "https://192.168.0.1/",
        "https://169.254.169.254/latest/meta-data/",
        "https://[::1]/",
        "https://0.0.0.0/",
    ],
)
def test_refuses_private_and_loopback_addresses_by_default(settings, url):
    settings.BUILDERS_FETCH_ALLOW_PRIVATE = False
    with pytest.raises(FetchError, match="private or reserved"):
        fetch_text(url)


def test_refuses_the_local_server_without_the_setting(homepage_server, settings):
    homepage_server.routes["/f.txt"] = Route(body=b"hello")
    settings.BUILDERS_FETCH_ALLOW_PRIVATE = False
    with pytest.raises(FetchError, match="private or reserved"):
        fetch_text(homepage_server.url("/f.txt"))


def test_refuses_plain_http_by_default(settings):
    settings.BUILDERS_FETCH_ALLOW_HTTP = False
    with pytest.raises(FetchError, match="Only https"):
        fetch_text("http://parrot.example/")


def test_a_public_address_passes(settings, monkeypatch):
    settings.BUILDERS_FETCH_ALLOW_PRIVATE = False
    monkeypatch.setattr(
        "socket.getaddrinfo", lambda *a, **k: [(2, 1, 6, "", ("93.184.216.34", 443))]
    )
    assert public_address("parrot.example", 443) == "93.184.216.34"


def test_one_private_answer_among_public_ones_is_refused(settings, monkeypatch):
    settings.BUILDERS_FETCH_ALLOW_PRIVATE = False
    monkeypatch.setattr(
        "socket.getaddrinfo",
        lambda *a, **k: [(2, 1, 6, "", ("93.184.216.34", 443)), (2, 1, 6, "", ("10.0.0.5", 443))],
    )
    with pytest.raises(FetchError, match="private"):
        public_address("parrot.example", 443)
