"""The artifact page in a real browser: landmarks, sections and keyboard reachability."""

import pytest
from playwright.sync_api import expect

from tests.catalog.factories import (
    ArtifactFactory,
    CapabilityFactory,
    CategoryFactory,
    PricingPlanFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def flux():
    images = CategoryFactory(name="Image generation", slug="image-generation")
    artifact = ArtifactFactory(
        name="FLUX.1 Pro", slug="flux-1-pro", categories=[images], pricing_model="freemium"
    )
    CapabilityFactory(artifact=artifact, title="text to image generation", position=0)
    CapabilityFactory(artifact=artifact, title="multi-reference style control", position=1)
    PricingPlanFactory(artifact=artifact, price="0.05", unit="image")
    neighbour = ArtifactFactory(name="SDXL", categories=[images])
    CapabilityFactory(artifact=neighbour, title="text to image with refiner")
    return artifact


def test_artifact_page_sections_and_navigation(page, flux):
    page.goto("/a/flux-1-pro/")
    expect(page.get_by_role("heading", level=1, name="FLUX.1 Pro")).to_be_visible()
    expect(page.get_by_role("heading", name="Capabilities — 2 decomposed")).to_be_visible()
    expect(page.get_by_role("main")).to_be_visible()
    expect(page.get_by_role("banner")).to_be_visible()
    expect(page.get_by_role("contentinfo")).to_be_visible()
    expect(page.locator(".price-line")).to_contain_text("$0.05 per image")

    page.get_by_role("link", name="SDXL").first.click()
    expect(page.get_by_role("heading", level=1, name="SDXL")).to_be_visible()


def test_skip_link_is_the_first_tab_stop(page, flux):
    page.goto("/a/flux-1-pro/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused.strip() == "Skip to content"


def test_page_is_readable_on_a_phone(browser, live_server, flux):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 375, "height": 800})
    page = context.new_page()
    page.goto("/a/flux-1-pro/")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    context.close()
