"""The pages on a phone (390 × 844), over the demo catalog: results before the facets, which
fold into a "Filters" disclosure that works without JavaScript; comparison tables that scroll
inside their own box with the feature names kept in view; a rank explanation shown whole."""

import io
import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from catalog.search_index import artifacts_refresh_search
from matchgraph.search.vocabulary import vocabulary_rebuild
from ranking import services
from ranking.signals import SIGNALS

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
WIDE = {"width": 1280, "height": 900}
PAIR = "/compare/openai-whisper-vs-whisper-cpp/"
GRID = "/compare/?a=openai-whisper&a=whisper-cpp&a=faster-whisper"


@pytest.fixture
def demo():
    call_command("load_demo", stdout=io.StringIO())
    artifacts_refresh_search()
    vocabulary_rebuild()
    services.rank_recompute_all()


@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport=PHONE)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def top_of(locator) -> float:
    return locator.bounding_box()["y"]


def scrolls_sideways(page) -> bool:
    return page.evaluate(
        "document.documentElement.scrollWidth > document.documentElement.clientWidth"
    )


@pytest.mark.parametrize(
    ("path", "first_result"),
    [("/search/?q=speech+recognition", ".search-result"), ("/browse/", ".card-grid .card")],
)
def test_first_result_is_above_the_fold_and_the_facets_are_folded(phone, demo, path, first_result):
    phone.goto(path)

    assert top_of(phone.locator(first_result).first) < PHONE["height"]
    expect(phone.get_by_text("Filters", exact=True)).to_be_visible()
    expect(phone.get_by_role("checkbox", name="Has a free tier")).to_be_hidden()

    phone.get_by_text("Filters", exact=True).click()
    free_tier = phone.get_by_role("checkbox", name="Has a free tier")
    expect(free_tier).to_be_visible()

    # Choosing a filter swaps the region in place; the disclosure stays open for the next one.
    free_tier.check()
    expect(phone).to_have_url(re.compile(r"free_tier=on"))
    expect(phone.get_by_role("checkbox", name="Has a free tier")).to_be_checked()
    expect(phone.get_by_role("checkbox", name="Has a free tier")).to_be_visible()


def test_wide_screens_show_the_facets_without_a_disclosure(browser, live_server, demo):
    context = browser.new_context(base_url=live_server.url, viewport=WIDE)
    page = context.new_page()
    page.goto("/browse/")
    expect(page.get_by_role("checkbox", name="Has a free tier")).to_be_visible()
    expect(page.get_by_text("Filters", exact=True)).to_be_hidden()
    context.close()


def test_filters_open_and_filter_without_javascript(browser, live_server, demo):
    context = browser.new_context(
        base_url=live_server.url, viewport=PHONE, java_script_enabled=False
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto("/browse/")
    dataset = page.locator("#facet-kind-dataset")
    expect(dataset).to_be_hidden()

    page.get_by_text("Filters", exact=True).click()
    dataset.check()
    page.get_by_role("button", name="Apply filters").click()

    assert "kind=dataset" in page.url
    kinds = page.locator(".card .tag-kind").all_inner_texts()
    assert kinds and set(kinds) == {"Dataset"}
    expect(page.get_by_role("heading", name=f"{len(kinds)} artifacts")).to_be_visible()
    # Results first again: the disclosure is closed on the new page.
    assert top_of(page.locator(".card-grid .card").first) < PHONE["height"]
    context.close()


@pytest.mark.parametrize("path", [PAIR, GRID])
def test_comparison_tables_scroll_in_their_box_with_names_kept_in_view(phone, demo, path):
    phone.goto(path)
    box = phone.get_by_role("region", name=re.compile("Feature by feature"))
    expect(box).to_be_visible()

    assert not scrolls_sideways(phone)
    assert box.evaluate("node => node.scrollWidth > node.clientWidth")  # its own scroll

    name_cell = box.locator("tbody th").first
    assert name_cell.evaluate("node => getComputedStyle(node).position") == "sticky"
    before = name_cell.bounding_box()["x"]
    box.evaluate("node => { node.scrollLeft = node.scrollWidth; }")
    assert name_cell.bounding_box()["x"] == pytest.approx(before, abs=1)
    assert not scrolls_sideways(phone)


def test_rank_explanation_is_shown_whole(phone, demo):
    phone.goto("/a/whisper-cpp/")
    table = phone.get_by_role("table", name=re.compile("Points each signal adds"))
    table.scroll_into_view_if_needed()

    assert not scrolls_sideways(phone)
    wrap = phone.get_by_role("region", name="Rank breakdown table")
    assert wrap.evaluate("node => node.scrollWidth <= node.clientWidth")
    # Every row, caption and cell sits inside the screen: nothing is cut off or hidden in a scroll.
    rights = table.locator("caption, th, td").evaluate_all(
        "nodes => nodes.filter(node => node.offsetParent)"
        ".map(node => node.getBoundingClientRect().right)"
    )
    assert rights and max(rights) <= PHONE["width"]
    for name in [SIGNALS[0].name, SIGNALS[-1].name, "Total"]:  # named by the registry
        expect(table.get_by_role("rowheader", name=name)).to_be_visible()
    expect(table.get_by_text(re.compile(r"^\d+/100$")).first).to_be_visible()


def test_search_filters_open_and_filter_without_javascript(browser, live_server, demo):
    context = browser.new_context(
        base_url=live_server.url, viewport=PHONE, java_script_enabled=False
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto("/search/?q=speech+recognition")
    total = page.locator(".search-result").count()
    free_tier = page.get_by_role("checkbox", name="Has a free tier")
    expect(free_tier).to_be_hidden()

    page.get_by_text("Filters", exact=True).click()
    free_tier.check()
    page.get_by_role("button", name="Apply filters").click()

    assert "free_tier=on" in page.url and "q=speech+recognition" in page.url
    expect(page.get_by_role("searchbox")).to_have_value("speech recognition")
    assert 0 < page.locator(".search-result").count() < total
    assert top_of(page.locator(".search-result").first) < PHONE["height"]
    context.close()
