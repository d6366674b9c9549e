"""The de-duplication hash: stable within a day, unlinkable across days, never the raw data."""

import datetime as dt

import pytest
from django.test import RequestFactory

from matchgraph.privacy import daily_salt, source_hash, visitor

IP = "203.0.113.7"
UA = "Mozilla/5.0 (X11; Linux x86_64) UnfragileTest/1.0"


@pytest.fixture
def request_from_visitor():
    return RequestFactory().get("/search/", REMOTE_ADDR=IP, HTTP_USER_AGENT=UA)


def test_source_hash_is_32_hex_characters_without_the_ip_or_user_agent(
    request_from_visitor, frozen_clock
):
    value = source_hash(request_from_visitor)
    assert len(value) == 32
    int(value, 16)
    assert IP not in value
    assert UA not in value


def test_same_visitor_same_day_gets_the_same_hash(request_from_visitor, frozen_clock):
    first = source_hash(request_from_visitor)
    frozen_clock.shift(dt.timedelta(hours=11))  # 23:00, still the same day
    again = RequestFactory().get("/search/open/x/", REMOTE_ADDR=IP, HTTP_USER_AGENT=UA)
    assert source_hash(again) == first


def test_hash_rotates_at_midnight(request_from_visitor, frozen_clock):
    today = source_hash(request_from_visitor)
    frozen_clock.shift(dt.timedelta(hours=12))  # 00:00 the next day
    assert source_hash(request_from_visitor) != today


def test_explicit_day_overrides_the_clock(request_from_visitor):
    monday = source_hash(request_from_visitor, day=dt.date(2026, 11, 23))
    assert monday == source_hash(request_from_visitor, day=dt.date(2026, 11, 23))
    assert monday != source_hash(request_from_visitor, day=dt.date(2026, 11, 24))


def test_different_addresses_get_different_hashes(request_from_visitor, frozen_clock):
    other = RequestFactory().get("/search/", REMOTE_ADDR="198.51.100.1", HTTP_USER_AGENT=UA)
    assert source_hash(other) != source_hash(request_from_visitor)


@pytest.mark.parametrize("agent", ["curl/8.5", "Mozilla/5.0 Rotated/1", None])
def test_a_new_user_agent_is_not_a_new_client(request_from_visitor, frozen_clock, agent):
    other = RequestFactory().get("/search/", REMOTE_ADDR=IP, HTTP_USER_AGENT=agent or "")
    if agent is None:
        other.META.pop("HTTP_USER_AGENT", None)
    assert visitor(other) == visitor(request_from_visitor)


def ipv(address: str):
    return visitor(RequestFactory().get("/", REMOTE_ADDR=address))


def test_addresses_of_one_slash_24_are_clients_of_one_network(frozen_clock):
    one, two, elsewhere = ipv("203.0.113.7"), ipv("203.0.113.200"), ipv("203.0.114.7")
    assert one.source_hash != two.source_hash
    assert one.network_hash == two.network_hash != elsewhere.network_hash


def test_an_ipv6_client_is_its_slash_64_and_its_network_the_slash_48(frozen_clock):
    home = ipv("2001:db8:1:2::10")
    assert ipv("2001:db8:1:2:ffff::1").source_hash == home.source_hash
    neighbour = ipv("2001:db8:1:3::10")
    assert neighbour.source_hash != home.source_hash
    assert neighbour.network_hash == home.network_hash
    assert ipv("2001:db8:2:2::10").network_hash != home.network_hash


def test_an_ipv4_mapped_address_is_the_ipv4_client(frozen_clock):
    assert ipv("::ffff:203.0.113.7") == ipv("203.0.113.7")


def test_no_hash_is_the_address_or_its_network(frozen_clock):
    hashes = ipv("203.0.113.7")
    for value in (hashes.source_hash, hashes.network_hash):
        assert "203.0.113" not in value
        assert len(value) == 32


def test_missing_headers_do_not_fail(frozen_clock):
    bare = RequestFactory().get("/search/")
    bare.META.pop("REMOTE_ADDR", None)
    bare.META.pop("HTTP_USER_AGENT", None)
    assert len(source_hash(bare)) == 32


def test_salt_depends_on_the_secret_key(settings):
    day = dt.date(2026, 11, 24)
    before = daily_salt(day)
    settings.SECRET_KEY = "another-secret-key-for-this-test-only-0123456789"
    assert daily_salt(day) != before
    assert daily_salt(day) != daily_salt(day + dt.timedelta(days=1))


def test_behind_trusted_proxies_the_client_is_what_the_outermost_proxy_saw(settings, frozen_clock):
    settings.TRUSTED_PROXIES = 1
    proxied = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.7"
    )
    assert visitor(proxied) == ipv("203.0.113.7")
    settings.TRUSTED_PROXIES = 0
    assert visitor(proxied) == ipv("10.0.0.2")


def test_a_short_forwarded_header_falls_back_to_the_socket_address(settings, frozen_clock):
    settings.TRUSTED_PROXIES = 2
    proxied = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="garbage")
    assert visitor(proxied) == ipv("10.0.0.2")
