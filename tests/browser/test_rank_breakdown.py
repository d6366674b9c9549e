"""The rank breakdown on the artifact page, in a real browser, after a recompute."""

import pytest
from playwright.sync_api import expect

from ranking import services
from ranking.signals import SIGNALS
from tests.catalog.factories import ArtifactFactory, ArtifactLinkFactory, SignalsFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def ranked():
    flux = ArtifactFactory(name="FLUX.1 Pro", slug="flux-1-pro", organization="Black Forest")
    SignalsFactory(artifact=flux, stars=20_000, downloads_30d=900_000, docs_pages=40)
    for index, stars in enumerate([50, 900, 4_000]):
        other = ArtifactFactory(name=f"Other model {index}", organization=f"Lab {index}")
        SignalsFactory(artifact=other, stars=stars, docs_pages=index)
        ArtifactLinkFactory(source=other, target=flux)
    services.rank_recompute_all()
    flux.refresh_from_db()
    return flux


def test_breakdown_is_visible_and_its_bars_add_up(page, ranked):
    page.goto("/a/flux-1-pro/")
    box = page.locator(".rank-box .rank-number")
    expect(box).to_have_text(f"{ranked.current_rank}/100")

    table = page.get_by_role("table", name="Points each signal adds")
    expect(table).to_be_visible()
    for signal in SIGNALS:
        expect(table.get_by_role("rowheader", name=signal.name)).to_be_visible()
    parts = [
        int(value)
        for value in table.locator("tbody [data-part]").evaluate_all(
            "nodes => nodes.map(node => node.dataset.part)"
        )
    ]
    total = int(table.locator("tfoot [data-total]").inner_text())
    assert len(parts) == 5
    assert sum(parts) == total == ranked.current_rank

    # Bars are drawn (not colour alone: each has its number next to it).
    adoption_bar = table.locator("tr[data-signal=adoption] .rank-bar-fill")
    expect(adoption_bar).to_be_visible()
    assert adoption_bar.bounding_box()["width"] > 0

    chart = page.get_by_role(
        "img", name="UnfragileRank of FLUX.1 Pro among models over the last 90 days"
    )
    expect(chart).to_be_visible()
    expect(page.get_by_role("heading", name="Inputs behind each bar")).to_be_visible()

    page.get_by_role("link", name="How ranking works").first.click()
    expect(page.get_by_role("heading", level=1, name="How UnfragileRank works")).to_be_visible()


def test_breakdown_fits_a_phone(browser, live_server, ranked):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 375, "height": 800})
    page = context.new_page()
    page.goto("/a/flux-1-pro/")
    expect(page.locator(".rank-breakdown")).to_be_visible()
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    context.close()
