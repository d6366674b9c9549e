"""Comparisons in a real browser: the htmx flows only (picker, swap, expand, grid columns)."""

import re

import pytest
from playwright.sync_api import expect

from matchgraph.models import ComparisonEvent
from tests.compare.data import make_directory

pytestmark = pytest.mark.django_db(transaction=True)

PAIR = "/compare/ernie-4-5-vl-vs-flux-1-pro/"


@pytest.fixture
def directory():
    return make_directory()


def stay_on_page(page):
    """A marker that a full page load would wipe."""
    page.evaluate("window.__marker = 'still here'")


def still_on_page(page) -> bool:
    return page.evaluate("window.__marker") == "still here"


def test_picker_from_an_artifact_page_goes_to_the_canonical_comparison(page, directory):
    page.goto("/a/flux-1-pro/")
    picker = page.get_by_role("region", name="Compare with…").or_(
        page.locator("section.compare-picker")
    )
    field = page.get_by_label("Set another artifact beside FLUX.1 Pro")

    field.focus()  # nothing typed: related artifacts first
    suggestions = picker.locator(".picker-list a")
    expect(picker.get_by_text("Related to FLUX.1 Pro")).to_be_visible()
    expect(suggestions.filter(has_text="sdnext")).to_be_visible()

    field.press_sequentially("ern", delay=40)  # then names, debounced
    expect(picker.get_by_text("Names matching “ern”")).to_be_visible()
    expect(suggestions).to_have_count(1)
    suggestions.first.click()

    expect(page).to_have_url(re.compile(r"/compare/ernie-4-5-vl-vs-flux-1-pro/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Baidu: ERNIE 4.5 VL vs FLUX.1 Pro")
    expect(page.get_by_test_id("headline")).to_contain_text("These do different jobs")


def test_swapping_a_side_in_place_updates_the_url_and_back_restores_it(page, directory):
    page.goto(PAIR)
    stay_on_page(page)
    ernie_column = page.locator("th.side-head[data-slug=ernie-4-5-vl]")
    ernie_column.get_by_text("Swap").click()
    field = ernie_column.get_by_label("Compare FLUX.1 Pro with")
    field.press_sequentially("sdn", delay=40)
    choice = ernie_column.locator(".picker-list a", has_text="sdnext")
    expect(choice).to_be_visible()

    choice.click()

    expect(page.get_by_role("heading", level=1)).to_have_text("FLUX.1 Pro vs sdnext")
    expect(page).to_have_url(re.compile(r"/compare/flux-1-pro-vs-sdnext/$"))
    expect(page).to_have_title("FLUX.1 Pro vs sdnext — compared — Unfragile")
    assert still_on_page(page)
    expect(page.locator("th.side-head")).to_have_count(2)
    # Opening the new pair is a co-match, like any comparison.
    assert ComparisonEvent.objects.count() == 2

    page.go_back()
    expect(page).to_have_url(re.compile(r"/compare/ernie-4-5-vl-vs-flux-1-pro/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Baidu: ERNIE 4.5 VL vs FLUX.1 Pro")


def test_more_capabilities_expand_in_place(page, directory):
    page.goto(PAIR)
    stay_on_page(page)
    flux_list = page.locator("#caps-flux-1-pro")
    expect(flux_list.locator("article.capability")).to_have_count(5)

    flux_list.get_by_role("link", name="+2 more capabilities").click()

    expect(flux_list.locator("article.capability")).to_have_count(7)
    expect(flux_list.get_by_role("heading", name="Open weights for local use")).to_be_visible()
    expect(flux_list.get_by_role("link", name=re.compile("more capabilities"))).to_have_count(0)
    # Focus moves to the first capability revealed, so keyboard users land on the new part.
    expect(flux_list.locator("article.capability").nth(5)).to_be_focused()
    expect(page).to_have_url(re.compile(r"/compare/ernie-4-5-vl-vs-flux-1-pro/$"))
    assert still_on_page(page)
    # Expanding is not a new comparison.
    assert ComparisonEvent.objects.count() == 1


def test_adding_and_removing_grid_columns_keeps_a_shareable_url(page, directory):
    page.goto("/compare/?a=flux-1-pro&a=sdnext")
    stay_on_page(page)
    expect(page.locator("th.side-head")).to_have_count(2)

    field = page.get_by_label(re.compile("Artifact to add"))
    field.press_sequentially("ernie", delay=40)
    choice = page.locator("#add-suggestions .picker-list a", has_text="Baidu: ERNIE 4.5 VL")
    expect(choice).to_be_visible()
    choice.click()

    expect(page.locator("th.side-head")).to_have_count(3)
    expect(page).to_have_url(re.compile(r"/compare/\?a=flux-1-pro&a=sdnext&a=ernie-4-5-vl$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Comparing 3 artifacts")
    assert still_on_page(page)

    page.locator("th.side-head[data-slug=sdnext]").get_by_role("link", name="Remove").click()
    expect(page.locator("th.side-head")).to_have_count(2)
    expect(page).to_have_url(re.compile(r"/compare/\?a=flux-1-pro&a=ernie-4-5-vl$"))
    assert still_on_page(page)

    # The address is the grid: opening it fresh shows the same columns.
    page.reload()
    heads = page.locator("th.side-head .side-name").all_inner_texts()
    assert heads == ["FLUX.1 Pro", "Baidu: ERNIE 4.5 VL"]
