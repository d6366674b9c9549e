"""Live search in a real browser: slow responses, history, chips, and no JavaScript at all.

The query box sits outside the region htmx swaps, so live responses never touch what is being
typed; live typing replaces the history entry and a submitted search pushes one; a chip's ×
rewrites the box (the page's only one) to the search without it; without JavaScript the box
still submits the facet form it belongs to."""

import contextlib
import random
import re
import time
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from catalog.search_index import artifacts_refresh_search
from matchgraph.models import ConstraintTerm, SynonymGroup
from matchgraph.services import search_terms_changed
from tests.catalog.factories import ArtifactFactory, CapabilityFactory

pytestmark = pytest.mark.django_db(transaction=True)

# Slower than the 300 ms debounce, so a pause in typing sends a request that is still in
# flight, or comes back, while typing goes on.
SLOW_RESPONSE_MS = (400, 700)
KNOWN_BUG_TIMEOUT_MS = 2_000


@pytest.fixture
def catalog():
    studio = ArtifactFactory(
        name="Caption Studio", slug="caption-studio", kind="tool", free_tier=False
    )
    CapabilityFactory(artifact=studio, title="Caption product photos for an online shop")
    namer = ArtifactFactory(name="Photo Namer", slug="photo-namer")
    CapabilityFactory(artifact=namer, title="Name photos", description="Writes a caption too.")
    speech = {"inputs": ["audio"], "outputs": ["text"]}
    whisper = ArtifactFactory(name="Whisper", slug="whisper", pricing_model="open_source", **speech)
    CapabilityFactory(artifact=whisper, title="Speech recognition on your own machine")
    ears = ArtifactFactory(
        name="Cloud Ears", slug="cloud-ears", kind="api", pricing_model="paid", **speech
    )
    CapabilityFactory(artifact=ears, title="Speech recognition as a service")
    # A fresh test database holds the seeded vocabulary, a flushed one none: start from
    # exactly the one constraint word these tests use, and no synonyms.
    SynonymGroup.objects.all().delete()
    ConstraintTerm.objects.all().delete()
    ConstraintTerm.objects.create(phrase="locally", constraint="runs_locally")
    search_terms_changed()
    artifacts_refresh_search()


class SearchTraffic:
    """The page's htmx requests to /search/: how many live ones left and came back, and
    whether any is still in flight."""

    def __init__(self, page):
        self.page = page
        self.pending: set = set()
        self.live_sent = 0
        self.live_returned = 0
        page.on("request", self._started)
        page.on("requestfinished", self._finished)
        page.on("requestfailed", self._failed)

    @staticmethod
    def _is_search(request) -> bool:
        return "/search/" in request.url and request.resource_type in {"xhr", "fetch"}

    @staticmethod
    def _is_live(request) -> bool:
        return request.headers.get("x-live-search") == "1"

    def _started(self, request):
        if self._is_search(request):
            self.pending.add(request)
            self.live_sent += self._is_live(request)

    def _finished(self, request):
        if request in self.pending:
            self.pending.discard(request)
            self.live_returned += self._is_live(request)

    def _failed(self, request):  # aborted by hx-sync="…:replace" when a newer one left
        self.pending.discard(request)

    def wait_until_settled(self, quiet_ms: int = 1_000, timeout_s: float = 15) -> None:
        """Nothing in flight for `quiet_ms`: longer than the debounce, so the last keystroke's
        request has left, and then come back."""
        deadline = time.monotonic() + timeout_s
        quiet_since = time.monotonic()
        while time.monotonic() < deadline:
            self.page.wait_for_timeout(100)
            if self.pending:
                quiet_since = time.monotonic()
            elif (time.monotonic() - quiet_since) * 1000 >= quiet_ms:
                return
        raise AssertionError(f"search requests still in flight: {self.pending}")


def slow_down_search(page, seed: int) -> None:
    """Hold each response to /search/ for 400-700 ms. The wait yields to Playwright's loop, so
    held requests overlap instead of queueing behind each other."""
    rng = random.Random(seed)

    def handler(route):
        page.wait_for_timeout(rng.randint(*SLOW_RESPONSE_MS))
        with contextlib.suppress(PlaywrightError):  # the page aborted it meanwhile
            route.continue_()

    page.route("**/search/**", handler)


def heading_for(query: str) -> re.Pattern:
    return re.compile(rf"^\d+ results? for “{re.escape(query)}”$")


def results_heading(page):
    return page.locator("#results-title")


def history_length(page) -> int:
    return page.evaluate("window.history.length")


def queries_in_url(page) -> list[str]:
    return parse_qs(urlsplit(page.url).query).get("q", [])


def query_in_url(page) -> str | None:
    """The query as Django reads it: the last `q`."""
    queries = queries_in_url(page)
    return queries[-1] if queries else None


def type_live(page, text: str) -> None:
    """Type `text` into an emptied query box and wait for its live results."""
    box = page.locator("#search-q")
    box.click()
    box.press("Control+a")
    box.press("Backspace")
    box.press_sequentially(text, delay=40)
    expect(results_heading(page)).to_have_text(heading_for(text))


def submit(page) -> None:
    """Press Enter in the query box and wait until its response is in and its URL pushed."""
    before = history_length(page)
    with page.expect_response(lambda response: "/search/?" in response.url):
        page.locator("#search-q").press("Enter")
    page.wait_for_function("before => window.history.length > before", arg=before)


def test_no_keystroke_is_lost_while_slow_live_responses_arrive(page, catalog):
    page.goto("/search/")
    traffic = SearchTraffic(page)
    slow_down_search(page, seed=7)
    box = page.locator("#search-q")
    box.click()
    rng = random.Random(11)
    chunks = ["caption", " product", " photos", " for an", " online shop"]
    for chunk in chunks:
        box.press_sequentially(chunk, delay=rng.randint(60, 120))
        page.wait_for_timeout(rng.randint(380, 480))  # past the debounce: a live request leaves
    typed = "".join(chunks)
    # Responses came back while typing went on, not only after it.
    assert traffic.live_returned >= 2

    traffic.wait_until_settled()

    assert traffic.live_sent >= len(chunks)
    expect(box).to_have_value(typed)
    expect(box).to_be_focused()
    expect(results_heading(page)).to_have_text(heading_for(typed))
    expect(page.locator("#live-status")).to_have_text(
        re.compile(rf"results? for {re.escape(typed)}$")
    )
    assert query_in_url(page) == typed


def test_live_typing_replaces_the_history_entry_and_a_submit_pushes_one(page, catalog):
    page.goto("/search/?q=caption")
    expect(results_heading(page)).to_have_text("2 results for “caption”")
    before = history_length(page)

    type_live(page, "speech recognition")

    assert history_length(page) == before
    assert queries_in_url(page) == ["speech recognition"]

    submit(page)

    expect(results_heading(page)).to_have_text(heading_for("speech recognition"))
    assert history_length(page) == before + 1
    assert query_in_url(page) == "speech recognition"


def test_going_back_after_a_submit_returns_to_the_previous_search(page, catalog):
    page.goto("/search/?q=caption")
    type_live(page, "speech recognition")
    submit(page)

    page.go_back()

    expect(page).to_have_url(re.compile(r"\?q=caption$"), timeout=KNOWN_BUG_TIMEOUT_MS)
    expect(results_heading(page)).to_have_text("2 results for “caption”")
    expect(page.locator("#search-q")).to_have_value("caption")


def test_after_going_back_the_box_shows_the_search_on_the_page(page, catalog):
    page.goto("/search/")
    type_live(page, "caption")
    submit(page)
    type_live(page, "speech recognition")
    submit(page)

    page.go_back()

    shown = query_in_url(page)
    expect(results_heading(page)).to_have_text(heading_for(shown))
    expect(page.locator("#search-q")).to_have_value(shown, timeout=KNOWN_BUG_TIMEOUT_MS)


def test_a_submit_after_live_results_sends_the_query_once(page, catalog):
    page.goto("/search/")
    type_live(page, "caption")
    submit(page)
    submit(page)

    assert queries_in_url(page) == ["caption"]


def test_unchecking_a_filter_after_a_swap_removes_it(page, catalog):
    page.goto("/search/?q=caption")
    free_tier = page.locator("#facet-free_tier")
    free_tier.check()
    expect(results_heading(page)).to_have_text("1 result for “caption”")

    free_tier.uncheck()

    expect(results_heading(page)).to_have_text(
        "2 results for “caption”", timeout=KNOWN_BUG_TIMEOUT_MS
    )
    assert "free_tier" not in urlsplit(page.url).query


def test_removing_a_chip_searches_without_it_and_rewrites_the_box(page, catalog):
    page.goto("/search/?q=speech recognition locally")
    chip = page.locator(".understood .chip").filter(has_text="runs locally")
    expect(chip).to_have_text(re.compile(r"^\s*runs locally\s*×\s*$"))
    # What runs locally comes first; the rest follows, marked "Not runs locally".
    expect(page.locator(".search-result .card-title").first).to_have_text("Whisper")
    expect(page.locator(".misses-constraints .reason-miss")).to_have_text(["Not runs locally"])
    before = history_length(page)

    chip.get_by_role("link", name="Remove “runs locally”").click()

    expect(results_heading(page)).to_have_text("2 results for “speech recognition”")
    expect(page.locator(".understood")).to_have_count(0)
    expect(page.locator(".reason-miss")).to_have_count(0)
    expect(page.locator("#search-q")).to_have_value("speech recognition")
    assert queries_in_url(page) == ["speech recognition"]
    assert history_length(page) == before + 1


def test_search_works_without_javascript(browser, live_server, catalog):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        page.goto("/search/")
        box = page.locator("#search-q")
        box.fill("speech recognition locally")
        box.press("Enter")

        expect(page).to_have_url(re.compile(r"/search/\?q=speech\+recognition\+locally"))
        expect(results_heading(page)).to_have_text("2 results for “speech recognition locally”")
        expect(page.locator(".search-result .card-title").first).to_have_text("Whisper")
        expect(page.locator(".results-divider")).to_have_count(1)
        chip = page.locator(".understood .chip").filter(has_text="runs locally")
        expect(chip).to_be_visible()

        chip.get_by_role("link", name="Remove “runs locally”").click()

        expect(results_heading(page)).to_have_text("2 results for “speech recognition”")
        expect(page.locator(".understood")).to_have_count(0)
        expect(box).to_have_value("speech recognition")

        # The Search button outside the form submits it too.
        box.fill("caption")
        page.locator(".search-box").get_by_role("button", name="Search").click()

        expect(results_heading(page)).to_have_text("2 results for “caption”")
        assert queries_in_url(page) == ["caption"]
    finally:
        context.close()
