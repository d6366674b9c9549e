"""Whole pages kept for visitors without a session (catalog/page_cache.py): served without a
query, fresh after every write that changes them, with each visitor's own CSRF token."""

import re

import pytest
from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.csrf import (
    CSRF_ALLOWED_CHARS,
    CSRF_SECRET_LENGTH,
    CSRF_TOKEN_LENGTH,
    _unmask_cipher_token,
)
from django.test import Client
from django.urls import reverse

from catalog.models import Artifact
from catalog.page_cache import (
    PAGES_VERSION_KEY,
    ServeKeptPages,
    _random_token_chars,
    visitor_csrf_token,
)
from tests.catalog.factories import ArtifactFactory, CapabilityFactory, CategoryFactory

pytestmark = pytest.mark.django_db

TOKEN_RE = re.compile(r'"X-CSRFToken": "([A-Za-z0-9]{64})"')


@pytest.fixture
def whisper():
    speech = CategoryFactory(name="Speech", slug="speech")
    return ArtifactFactory(name="Whisper", slug="whisper", categories=[speech])


def page(slug: str = "whisper") -> str:
    return reverse("catalog:artifact-detail", args=[slug])


def test_a_second_visit_runs_no_query(client, whisper, django_assert_num_queries):
    first = client.get(page())
    with django_assert_num_queries(0):
        second = client.get(page())
    assert second.status_code == 200
    assert "Whisper" in second.content.decode()
    assert TOKEN_RE.sub("", first.content.decode()) == TOKEN_RE.sub("", second.content.decode())


def test_each_visitor_gets_a_token_of_their_own_that_works(whisper):
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    first_token = TOKEN_RE.search(first.get(page()).content.decode()).group(1)
    served = second.get(page())  # from the cache
    second_token = TOKEN_RE.search(served.content.decode()).group(1)

    assert second_token != first_token
    assert "csrftoken" in served.cookies  # the token's secret, for this visitor
    vote = second.post(
        reverse("matchgraph:fits", args=["whisper"]),
        {"q": "transcribe a meeting"},
        headers={"X-CSRFToken": second_token, "HX-Request": "true"},
    )
    assert vote.status_code == 200


def test_an_edit_shows_on_the_next_visit(client, whisper):
    client.get(page())
    whisper.name = "Whisper Large"
    whisper.save()
    assert "Whisper Large" in client.get(page()).content.decode()

    CapabilityFactory(artifact=whisper, title="Transcribes forty languages")  # its own save
    assert "Transcribes forty languages" in client.get(page()).content.decode()


def test_a_write_changes_the_version_again_when_it_commits(
    whisper, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        whisper.save()
        during = cache.get(PAGES_VERSION_KEY)
    assert cache.get(PAGES_VERSION_KEY) != during


def test_a_visitor_with_a_session_gets_a_fresh_page(client, whisper, django_assert_max_num_queries):
    client.get(page())
    client.cookies["sessionid"] = "a-session"
    with django_assert_max_num_queries(20) as captured:
        assert client.get(page()).status_code == 200
    assert len(captured) > 0


def test_the_htmx_part_and_the_whole_page_are_kept_apart(client, whisper):
    url = reverse("catalog:browse")
    whole = client.get(url).content.decode()
    part = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "<html" in whole
    assert "<html" not in part
    assert "<html" in client.get(url).content.decode()


def test_a_missing_page_is_not_kept(client, whisper):
    assert client.get(page("parakeet")).status_code == 404
    ArtifactFactory(name="Parakeet", slug="parakeet")
    assert client.get(page("parakeet")).status_code == 200


def test_the_query_string_is_part_of_the_page(client, whisper):
    ArtifactFactory(name="Aardvark Speech", slug="aardvark")
    url = reverse("catalog:browse")
    by_name = client.get(f"{url}?sort=name").content.decode()
    assert by_name.index("Aardvark Speech") < by_name.index("Whisper")
    assert client.get(f"{url}?q=whisper").content.decode().count("Aardvark Speech") == 0


def test_turned_off_every_visit_is_rendered(
    client, whisper, settings, django_assert_max_num_queries
):
    settings.PAGE_CACHE_SECONDS = 0
    client.get(page())
    with django_assert_max_num_queries(20) as captured:
        client.get(page())
    assert len(captured) > 0


# --- Copies kept in the process, served before the URL is resolved -----------------------------


def test_a_kept_page_is_served_before_any_view_runs(client, whisper, rf):
    rendered = client.get(page())

    def no_view(request):
        raise AssertionError("the view ran")

    served = ServeKeptPages(no_view)(rf.get(page()))
    assert served.status_code == 200
    assert TOKEN_RE.sub("", served.content.decode()) == TOKEN_RE.sub("", rendered.content.decode())


def test_other_paths_pass_on_to_the_view(client, whisper, rf):
    client.get(page())
    passed = HttpResponse("the view")
    assert ServeKeptPages(lambda request: passed)(rf.get(page("parakeet"))) is passed
    assert ServeKeptPages(lambda request: passed)(rf.get(page(), {"q": "x"})) is passed


def test_a_version_changed_elsewhere_is_seen_at_once(
    client, whisper, django_assert_max_num_queries
):
    client.get(page())
    Artifact.objects.filter(pk=whisper.pk).update(name="Whisper Turbo")  # no signal here
    cache.set(PAGES_VERSION_KEY, "set-by-another-process", None)
    with django_assert_max_num_queries(20) as captured:
        assert "Whisper Turbo" in client.get(page()).content.decode()
    assert len(captured) > 0


def test_a_kept_page_expires_with_the_cache_seconds(
    client, whisper, settings, frozen_clock, django_assert_max_num_queries
):
    settings.PAGE_CACHE_SECONDS = 60
    client.get(page())
    frozen_clock.shift(61)
    with django_assert_max_num_queries(20) as captured:
        client.get(page())
    assert len(captured) > 0


def test_a_lost_version_starts_anew_so_no_kept_page_passes_for_current(client, whisper):
    client.get(page())
    first = cache.get(PAGES_VERSION_KEY)
    assert first is not None
    whisper.name = "Whisper Large"
    whisper.save()
    cache.clear()  # Redis restarted or flushed: the version is gone, the process copy is not
    assert "Whisper Large" in client.get(page()).content.decode()
    assert cache.get(PAGES_VERSION_KEY) not in (None, first)


def test_the_process_keeps_only_so_many_pages(client, whisper, settings, rf):
    settings.PAGE_CACHE_PROCESS_PAGES = 2
    ArtifactFactory(name="Parakeet", slug="parakeet")
    ArtifactFactory(name="Canary", slug="canary")
    for slug in ("whisper", "parakeet", "canary"):
        client.get(page(slug))
    passed = HttpResponse("the view")
    assert ServeKeptPages(lambda request: passed)(rf.get(page("whisper"))) is passed
    assert ServeKeptPages(lambda request: passed)(rf.get(page("canary"))) is not passed


def test_a_cached_page_has_the_headers_of_a_rendered_one(client, whisper):
    url = reverse("catalog:browse")
    for headers in ({}, {"HX-Request": "true"}):
        rendered, cached = (Client().get(url, headers=headers) for _ in range(2))
        assert cached_headers(cached) == cached_headers(rendered)
        assert ("csrftoken" in cached.cookies) == ("csrftoken" in rendered.cookies)
    assert "HX-Request" in cached["Vary"]
    assert cached["X-Frame-Options"] == "DENY"  # the middleware outside still acts


def cached_headers(response) -> dict[str, str]:
    return {name: value for name, value in response.items() if name != "Set-Cookie"}


# --- The visitor's CSRF token --------------------------------------------------------------------


def test_a_new_visitor_gets_a_new_secret_and_a_masked_token(rf):
    request = rf.get("/")
    token = visitor_csrf_token(request)
    secret = request.META["CSRF_COOKIE"]
    assert request.META["CSRF_COOKIE_NEEDS_UPDATE"] is True
    assert len(token) == CSRF_TOKEN_LENGTH and len(secret) == CSRF_SECRET_LENGTH
    assert set(token + secret) <= set(CSRF_ALLOWED_CHARS)
    assert _unmask_cipher_token(token) == secret
    assert visitor_csrf_token(rf.get("/")) != token


def test_a_returning_visitor_keeps_their_secret_under_a_new_mask(rf):
    request = rf.get("/")
    request.META["CSRF_COOKIE"] = secret = "a" * CSRF_SECRET_LENGTH
    first, second = visitor_csrf_token(request), visitor_csrf_token(request)
    assert first != second
    assert _unmask_cipher_token(first) == _unmask_cipher_token(second) == secret
    assert request.META["CSRF_COOKIE"] == secret


def test_token_characters_are_drawn_from_the_whole_alphabet():
    drawn = "".join(_random_token_chars(CSRF_SECRET_LENGTH) for _ in range(200))
    assert set(drawn) == set(CSRF_ALLOWED_CHARS)  # 6,400 draws miss one of 62 with p < 1e-40


@pytest.mark.parametrize(("where", "kept"), [("hx-vals", False), ("header", True)])
def test_a_page_whose_token_the_cache_cannot_find_is_not_kept(rf, where, kept):
    """A token the page holds where TOKEN_RE does not look would be the first visitor's,
    served to everyone: such a page is rendered for every visit instead."""
    from django.middleware.csrf import get_token

    from catalog.page_cache import cached_for_visitors

    rendered = []

    @cached_for_visitors
    def view(request):
        rendered.append(request)
        token = get_token(request)
        if where == "hx-vals":
            return HttpResponse(f'<div hx-vals=\'{{"token": "{token}"}}\'></div>')
        return HttpResponse(f'<body hx-headers=\'{{"X-CSRFToken": "{token}"}}\'></body>')

    first = view(rf.get("/token-page/")).content.decode()
    second = view(rf.get("/token-page/")).content.decode()
    assert len(rendered) == (1 if kept else 2)
    assert first != second  # each visitor's own token either way
