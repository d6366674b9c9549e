"""A misspelled search in a real browser: the correction is shown, and "search instead for"
runs the words exactly as typed."""

import re

import pytest
from playwright.sync_api import expect

from catalog.search_index import artifacts_refresh_search
from matchgraph.search.vocabulary import vocabulary_rebuild
from tests.catalog.factories import ArtifactFactory, CapabilityFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def catalog():
    whisper = ArtifactFactory(name="Whisper", slug="whisper", summary="Open speech model.")
    CapabilityFactory(artifact=whisper, title="Transcribe audio")
    ArtifactFactory(name="Caption Studio", slug="caption-studio", summary="Writes captions.")
    artifacts_refresh_search()
    vocabulary_rebuild()


def test_search_instead_for_runs_the_query_as_typed(page, catalog):
    page.goto("/search/")
    page.locator("#search-q").fill("whsiper")
    with page.expect_response(lambda response: "/search/?" in response.url):
        page.locator("#search-q").press("Enter")

    correction = page.locator(".notice.correction")
    expect(correction).to_have_text("Showing results for whisper — search instead for whsiper")
    expect(page.locator(".search-result .card-title")).to_have_text(["Whisper"])

    correction.get_by_role("link", name="whsiper", exact=True).click()

    expect(page).to_have_url(re.compile(r"/search/\?q=whsiper&exact=1$"))
    expect(page.get_by_role("heading", name="0 results for “whsiper”")).to_be_visible()
    expect(page.locator(".notice.correction")).to_have_count(0)
    expect(page.get_by_text("Showing results for")).to_have_count(0)


def test_the_corrected_words_link_searches_them(page, catalog):
    page.goto("/search/?q=whsiper")
    page.locator(".notice.correction").get_by_role("link", name="whisper", exact=True).click()

    expect(page).to_have_url(re.compile(r"/search/\?q=whisper$"))
    expect(page.get_by_role("heading", name="1 result for “whisper”")).to_be_visible()
    expect(page.locator(".notice.correction")).to_have_count(0)
