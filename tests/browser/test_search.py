"""Search in a real browser: live results without a reload, and choices counted as matches."""

import re

import pytest
from playwright.sync_api import expect

from catalog.search_index import artifacts_refresh_search
from matchgraph.models import MatchEvent, SearchEvent
from tests.catalog.factories import ArtifactFactory, CapabilityFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def captioners():
    studio = ArtifactFactory(name="Caption Studio", slug="caption-studio", kind="tool")
    CapabilityFactory(artifact=studio, title="Caption product photos")
    namer = ArtifactFactory(name="Photo Namer", slug="photo-namer")
    CapabilityFactory(artifact=namer, title="Name photos", description="Writes a caption too.")
    ArtifactFactory(name="Speech Kit", slug="speech-kit")
    artifacts_refresh_search()
    return {"studio": studio, "namer": namer}


def result_names(page) -> list[str]:
    return page.locator(".search-result .card-title").all_inner_texts()


def test_live_search_updates_results_and_url_without_a_reload(page, captioners):
    page.goto("/search/")
    expect(page.get_by_role("heading", name="What are you building?")).to_be_visible()
    page.evaluate("window.__marker = 'still here'")

    page.locator("#search-q").press_sequentially("caption", delay=30)

    expect(page.get_by_role("heading", name="2 results for “caption”")).to_be_visible()
    assert result_names(page) == ["Caption Studio", "Photo Namer"]
    expect(page).to_have_url(re.compile(r"/search/\?q=caption$"))
    assert page.evaluate("window.__marker") == "still here"
    # Keystrokes are not intents: nothing was recorded while typing.
    assert not SearchEvent.objects.exists()

    # Submitting (Enter) is an intent: recorded, still without a reload.
    with page.expect_response(lambda response: "/search/?" in response.url):
        page.locator("#search-q").press("Enter")
    expect(page.get_by_role("heading", name="2 results for “caption”")).to_be_visible()
    assert page.evaluate("window.__marker") == "still here"
    event = SearchEvent.objects.get()
    assert event.intent.text == "caption"
    assert event.shown_artifact_ids == [captioners["studio"].pk, captioners["namer"].pk]


def recorded_match(page) -> MatchEvent:
    """The one recorded match, once the beacon (sent as the page leaves) has arrived."""
    for _ in range(40):
        if MatchEvent.objects.exists():
            break
        page.wait_for_timeout(50)
    return MatchEvent.objects.get()


def test_clicking_a_result_posts_a_beacon_and_goes_straight_to_the_artifact(page, captioners):
    page.goto("/search/?q=caption")
    assert result_names(page) == ["Caption Studio", "Photo Namer"]
    requests = []
    page.on("request", lambda request: requests.append((request.method, request.url)))

    page.get_by_role("link", name="Photo Namer").click()

    expect(page.get_by_role("heading", level=1, name="Photo Namer")).to_be_visible()
    assert page.url.endswith(captioners["namer"].get_absolute_url())
    match = recorded_match(page)
    assert (match.artifact_id, match.position, match.via, match.intent.text, match.evidence) == (
        captioners["namer"].pk,
        2,
        "click",
        "caption",
        "shown",
    )
    opened = [method for method, url in requests if "/search/open/" in url]
    assert opened == ["POST"], "the beacon records it; the link skips the redirect"


def test_without_javascript_the_link_redirects_and_records_it(browser, live_server, captioners):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    page.goto("/search/?q=caption")
    page.get_by_role("link", name="Caption Studio").click()
    expect(page.get_by_role("heading", level=1, name="Caption Studio")).to_be_visible()
    match = MatchEvent.objects.get()
    assert (match.artifact_id, match.position, match.evidence) == (
        captioners["studio"].pk,
        1,
        "shown",
    )
    context.close()


def test_this_fits_thanks_in_place_and_records_fits(page, captioners):
    page.goto("/search/?q=caption")
    page.evaluate("window.__marker = 'still here'")
    namer = page.locator(".search-result").filter(has_text="Photo Namer")

    namer.get_by_role("button", name="I’d pick this for “caption”").click()

    thanks = "Thanks — your vote for Photo Namer now helps the next person with this need."
    expect(namer.locator(".fits-thanks")).to_have_text(thanks)
    # Announced by the page's one status line, which the swap did not replace.
    expect(page.locator("#live-status")).to_have_text(thanks)
    assert page.evaluate("window.__marker") == "still here"
    match = MatchEvent.objects.get()
    assert (match.artifact_id, match.position, match.via) == (captioners["namer"].pk, 2, "fits")
