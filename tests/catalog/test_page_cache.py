"""Whole pages kept for visitors without a session (catalog/page_cache.py): served without a
query, fresh after every write that changes them, with each visitor's own CSRF token."""

import re

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from catalog.page_cache import PAGES_VERSION_KEY
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
