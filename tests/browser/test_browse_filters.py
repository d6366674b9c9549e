"""Browse facets update results in place with htmx, and the URL stays shareable."""

import pytest
from playwright.sync_api import expect

from tests.catalog.factories import ArtifactFactory, CategoryFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def small_catalog():
    vision = CategoryFactory(name="Computer vision", slug="computer-vision")
    ArtifactFactory(name="Pixel Sorter", kind="model", categories=[vision])
    ArtifactFactory(name="Token Counter", kind="tool")
    ArtifactFactory(name="Dataset Zero", kind="dataset", categories=[vision])


def test_ticking_a_kind_filters_without_reload_and_updates_the_url(page, small_catalog):
    page.goto("/browse/")
    expect(page.get_by_role("heading", name="3 artifacts")).to_be_visible()
    page.evaluate("window.__notReloaded = true")

    page.get_by_role("checkbox", name="Tool").check()

    expect(page.get_by_role("heading", name="1 artifact")).to_be_visible()
    expect(page.get_by_role("link", name="Token Counter")).to_be_visible()
    expect(page.get_by_role("link", name="Pixel Sorter")).to_have_count(0)
    assert page.evaluate("window.__notReloaded") is True
    assert "kind=tool" in page.url


def test_a_shared_filter_url_renders_the_same_results(page, small_catalog):
    page.goto("/browse/?category=computer-vision&sort=name")
    expect(page.get_by_role("heading", name="2 artifacts")).to_be_visible()
    names = page.locator(".card-title").all_inner_texts()
    assert names == ["Dataset Zero", "Pixel Sorter"]


def test_filters_work_without_javascript(browser, live_server, small_catalog):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    page.goto("/browse/")
    page.get_by_role("checkbox", name="Dataset").check()
    page.get_by_role("button", name="Apply filters").click()
    expect(page.get_by_role("heading", name="1 artifact")).to_be_visible()
    assert "kind=dataset" in page.url
    context.close()
