"""Claiming and the builder dashboard in a real browser: the panel opens and submits in
place with htmx, the email link verifies, the badge appears, and analytics render."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from playwright.sync_api import expect

from builders import services
from builders.models import Claim, Correction
from matchgraph.models import Intent, IntentArtifactEdge
from tests.builders.conftest import make_user
from tests.catalog.factories import ArtifactFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def parrot():
    return ArtifactFactory(name="Parrot TTS", slug="parrot-tts", homepage="https://parrot.example/")


def test_claim_by_email_in_place_then_verify_from_the_link(builder_page, parrot):
    page = builder_page
    page.goto("/a/parrot-tts/")
    page.get_by_role("link", name="Claim this artifact").click()
    panel = page.locator("#claim-panel")
    expect(panel.get_by_text("How will you prove it?")).to_be_visible()
    assert page.url.endswith("/a/parrot-tts/")  # opened in place

    panel.get_by_label("Email at the homepage's domain").check()
    panel.get_by_label(re.compile("Your address")).fill("ada@gmail.com")
    panel.get_by_role("button", name="Claim Parrot TTS").click()
    expect(panel.get_by_role("alert")).to_contain_text("homepage's domain")

    panel.get_by_label(re.compile("Your address")).fill("ada@parrot.example")
    panel.get_by_role("button", name="Claim Parrot TTS").click()
    expect(panel).to_contain_text("We sent a link to ada@parrot.example")
    assert page.url.endswith("/a/parrot-tts/")

    link = re.search(r"http://\S+/claim/confirm/\S+/", mail.outbox[-1].body).group(0)
    page.goto(link)
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_text("Verified.")).to_be_visible()

    page.goto("/a/parrot-tts/")
    expect(page.locator(".artifact-header")).to_contain_text(
        "Verified builder · email at the homepage's domain"
    )


def test_the_claim_form_works_without_javascript(browser, live_server, parrot):
    make_user("builder")
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    page.goto("/a/parrot-tts/")
    page.get_by_role("link", name="Claim this artifact").click()
    page.locator("#claim-panel").get_by_role("link", name="Log in").click()
    page.get_by_label("Username").fill("builder")
    page.get_by_label("Password").fill("a-long-pass-phrase")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/a/parrot-tts/")
    page.get_by_role("link", name="Claim this artifact").click()
    assert page.url.endswith("/claim/parrot-tts/")
    page.get_by_label("Reviewed by a curator").check()
    page.get_by_label("What should a curator check?").fill("My commits: github.com/ada")
    page.get_by_role("button", name="Claim Parrot TTS").click()
    expect(page.locator("#claim-panel")).to_contain_text("A curator will read your evidence")
    assert Claim.objects.get().evidence == "My commits: github.com/ada"
    context.close()


def test_the_dashboard_shows_analytics_for_a_verified_artifact(builder_page, parrot):
    page = builder_page
    builder = get_user_model().objects.get(username="builder")
    claim = Claim.objects.create(artifact=parrot, user=builder, method="curator")
    services.claim_approve(claim=claim, curator=make_user("curator"))
    intent = Intent.objects.create(text="read my text aloud", is_public=True)
    IntentArtifactEdge.objects.create(intent=intent, artifact=parrot, impressions=20, matches=5)

    page.goto("/builder/")
    page.get_by_role("link", name="Match analytics").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Parrot TTS: match analytics")
    expect(page.locator(".analytics-chart svg")).to_be_visible()
    expect(page.get_by_role("table").first).to_contain_text("read my text aloud")
    expect(page.get_by_text("No documentation link")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download per intent (CSV)").click()
    assert download.value.suggested_filename == "parrot-tts-intents.csv"


def test_a_visitor_suggests_a_correction_in_place(page, parrot):
    page.goto("/a/parrot-tts/")
    page.get_by_role("link", name="Suggest a correction").click()
    panel = page.locator("#correction-panel")
    panel.get_by_label("What is wrong?").select_option("license")
    panel.get_by_label("What should it say?").fill("Apache-2.0")
    panel.get_by_label("Where is that shown?").fill("https://parrot.example/license")
    panel.get_by_role("button", name="Send the correction").click()
    expect(page.locator("#correction-panel")).to_contain_text("Thank you")
    assert page.url.endswith("/a/parrot-tts/")
    assert Correction.objects.get().value == "Apache-2.0"


def test_the_builder_edits_prices_with_their_date(builder_page, parrot):
    from catalog.models import PricingPlan
    from tests.catalog.factories import PricingPlanFactory

    page = builder_page
    builder = get_user_model().objects.get(username="builder")
    claim = Claim.objects.create(artifact=parrot, user=builder, method="curator")
    services.claim_approve(claim=claim, curator=make_user("curator"))
    PricingPlanFactory(artifact=parrot, name="Pro", price="20", unit="month")

    page.goto("/builder/parrot-tts/edit/")
    page.get_by_role("link", name="prices").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Prices of Parrot TTS")
    page.get_by_label("Price", exact=True).first.fill("25")
    page.get_by_role("button", name="Save").click()
    # The browser asks for the date before the form leaves: it is required.
    assert PricingPlan.objects.get(artifact=parrot).price == 20
    page.get_by_label("These are the prices as of").fill("2026-11-20")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Saved.")).to_be_visible()
    expect(page.locator(".listing-edit ins")).to_contain_text("Pro: 25 USD per month")
    plan = PricingPlan.objects.get(artifact=parrot)
    assert (plan.price, plan.as_of.isoformat()) == (25, "2026-11-20")
