"""Where focus, scroll, the query and announcements go after an in-place swap: the next page
of results starts at its top, removing a grid column or swapping a pair's side keeps focus in
the comparison, the search page
has one search box, which no other form's text reaches, and the page's one status line (which
no swap replaces) says what changed."""

import re

import pytest
from playwright.sync_api import expect

from catalog.search_index import artifacts_refresh_search
from tests.catalog.factories import ArtifactFactory, CapabilityFactory
from tests.compare.data import make_directory

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def two_pages():
    ArtifactFactory.create_batch(30)  # 24 a page


def test_next_page_starts_at_the_top_of_the_results(browser, live_server, two_pages):
    context = browser.new_context(base_url=live_server.url, viewport=PHONE)
    page = context.new_page()
    page.goto("/browse/")
    next_link = page.get_by_role("link", name="Next →")
    next_link.scroll_into_view_if_needed()
    assert page.evaluate("window.scrollY") > PHONE["height"]

    next_link.click()

    expect(page.get_by_text("Page 2 of 2")).to_be_visible()
    expect(page).to_have_url(re.compile(r"page=2"))
    heading_top = page.get_by_role("heading", name="30 artifacts").bounding_box()["y"]
    assert 0 <= heading_top < PHONE["height"]
    context.close()


def test_the_status_line_outside_the_swap_announces_the_new_count(page):
    ArtifactFactory.create_batch(2, kind="tool")
    ArtifactFactory.create_batch(3, kind="model")
    page.goto("/browse/")
    status = page.get_by_role("status")
    expect(status).to_have_count(1)
    expect(status).to_have_text("")

    page.get_by_role("checkbox", name="Tool").check()

    expect(page.get_by_role("heading", name="2 artifacts")).to_be_visible()
    expect(status).to_have_text("2 artifacts")
    # Nothing inside the swapped region claims to be live: it is replaced, not updated.
    assert page.locator("#browse [aria-live]").count() == 0


def test_removing_a_grid_column_keeps_focus_in_the_grid(page):
    make_directory()
    page.goto("/compare/?a=flux-1-pro&a=sdnext&a=ernie-4-5-vl&a=peer-model-0")
    page.evaluate("window.__marker = 'still here'")

    # A middle column: focus moves to the Remove button of the column now in its place.
    page.get_by_role("link", name="Remove sdnext").focus()
    page.keyboard.press("Enter")

    expect(page.locator("th.side-head")).to_have_count(3)
    expect(page.get_by_role("link", name="Remove Baidu: ERNIE 4.5 VL")).to_be_focused()

    # The last column: no button takes its place, so focus goes to the grid's heading.
    page.get_by_role("link", name="Remove Peer model 0").focus()
    page.keyboard.press("Enter")

    expect(page.locator("th.side-head")).to_have_count(2)
    expect(page.get_by_role("heading", level=1)).to_have_text("Comparing 2 artifacts")
    expect(page.get_by_role("heading", level=1)).to_be_focused()
    assert page.evaluate("window.__marker") == "still here"


def test_swapping_a_pair_side_keeps_focus_on_the_incoming_sides_swap_control(page):
    make_directory()
    page.goto("/compare/ernie-4-5-vl-vs-flux-1-pro/")
    page.evaluate("window.__marker = 'still here'")

    # Keyboard only: open Ernie's Swap control, type, choose a suggestion with Enter.
    page.get_by_text("Swap Baidu: ERNIE 4.5 VL for another artifact").focus()
    page.keyboard.press("Enter")
    field = page.get_by_label("Compare FLUX.1 Pro with")
    field.focus()
    field.press_sequentially("sdn", delay=40)
    choice = page.locator("th.side-head[data-slug=ernie-4-5-vl] .picker-list a", has_text="sdnext")
    expect(choice).to_be_visible()
    choice.focus()
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text("FLUX.1 Pro vs sdnext")
    expect(page.locator("#swap-sdnext")).to_be_focused()
    assert page.evaluate("window.__marker") == "still here"  # swapped in place, not reloaded


@pytest.fixture
def captioners():
    studio = ArtifactFactory(name="Caption Studio", slug="caption-studio", kind="tool")
    CapabilityFactory(artifact=studio, title="Caption product photos")
    ArtifactFactory(name="Speech Kit", slug="speech-kit")
    artifacts_refresh_search()


def test_the_search_page_has_one_search_box_and_it_follows_the_query(page, captioners):
    page.goto("/search/?q=caption")
    boxes = page.get_by_role("searchbox")
    expect(boxes).to_have_count(1)
    expect(boxes).to_have_value("caption")

    boxes.fill("speech")
    expect(page.get_by_role("heading", name=re.compile("for “speech”"))).to_be_visible()
    expect(page.get_by_role("searchbox")).to_have_count(1)
    expect(page.get_by_role("searchbox")).to_have_value("speech")


def test_other_forms_queries_stay_out_of_the_header_box(page):
    make_directory()
    header_box = page.get_by_role("searchbox", name="Search artifacts")

    page.goto("/compare/pick/?a=flux-1-pro&q=ern")  # the picker without JavaScript
    expect(page.get_by_label("Artifact to compare with")).to_have_value("ern")
    expect(header_box).to_have_value("")

    page.goto("/browse/?q=flux")  # browse's keyword filter
    expect(page.get_by_label("Keywords")).to_have_value("flux")
    expect(header_box).to_have_value("")
