"""The de-duplication hash: stable within a day, unlinkable across days, never the raw data."""

import datetime as dt

import pytest
from django.test import RequestFactory

from matchgraph.privacy import daily_salt, source_hash

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


@pytest.mark.parametrize(
    "meta",
    [
        {"REMOTE_ADDR": "198.51.100.1", "HTTP_USER_AGENT": UA},
        {"REMOTE_ADDR": IP, "HTTP_USER_AGENT": "curl/8.5"},
        {"REMOTE_ADDR": IP},
    ],
)
def test_different_visitors_get_different_hashes(request_from_visitor, frozen_clock, meta):
    other = RequestFactory().get("/search/", **meta)
    if "HTTP_USER_AGENT" not in meta:
        other.META.pop("HTTP_USER_AGENT", None)
    assert source_hash(other) != source_hash(request_from_visitor)


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
