"""The cost calculator on an API's page: with JavaScript the estimate follows what is typed,
in place (htmx); without it the same GET form submits to the calculator's page and shows the
same figure; a bad value shows the calculator's message either way (a 400, never a 5xx)."""

import re

import pytest
from playwright.sync_api import expect

from tests.catalog.factories import token_api_with_cached_input

pytestmark = pytest.mark.django_db(transaction=True)

# GPT-4o-like rates: 3M input tokens at $2.50 per 1M plus 1M output at $10.00 per 1M.
TOTAL = "About $17.50 a month"
BAD_VALUE = "Tokens in must be a whole number of tokens, such as 3000000 or 3M."


@pytest.fixture
def gpt4o():
    return token_api_with_cached_input()


def test_typing_tokens_updates_the_monthly_cost_in_place(page, gpt4o):
    page.goto(gpt4o.get_absolute_url())
    page.evaluate("window.__notReloaded = true")
    result = page.locator("#cost-result")

    page.get_by_label("Tokens in per month").fill("3M")
    expect(result).to_contain_text("About $7.50 a month")
    page.get_by_label("Tokens out per month").fill("1,000,000")

    expect(result).to_contain_text(TOTAL)
    expect(result.get_by_role("table")).to_contain_text("1,000,000 tokens × $10.00 per 1M")
    assert page.evaluate("window.__notReloaded") is True  # swapped in, not a new page
    assert page.url.endswith(gpt4o.get_absolute_url())


def test_a_bad_value_shows_the_message_in_place(page, gpt4o):
    page.goto(gpt4o.get_absolute_url())
    page.evaluate("window.__notReloaded = true")
    with page.expect_response(re.compile(r"/cost/\?")) as answer:
        page.get_by_label("Tokens in per month").fill("three million")
    assert answer.value.status == 400
    expect(page.locator("#cost-result [role=alert]")).to_contain_text(BAD_VALUE)
    assert page.evaluate("window.__notReloaded") is True

    page.get_by_label("Tokens in per month").fill("3000000")  # corrected: the estimate returns
    page.get_by_label("Tokens out per month").fill("1M")
    expect(page.locator("#cost-result")).to_contain_text(TOTAL)
    expect(page.locator("#cost-result [role=alert]")).to_have_count(0)


@pytest.fixture
def page_without_js(browser, live_server):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def test_without_javascript_the_form_submits_and_shows_the_same_figure(page_without_js, gpt4o):
    page = page_without_js
    page.goto(gpt4o.get_absolute_url())
    page.get_by_label("Tokens in per month").fill("3M")
    page.get_by_label("Tokens out per month").fill("1,000,000")
    page.get_by_role("button", name="Estimate").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("What would GPT-4o API cost a month?")
    expect(page.locator("#cost-result")).to_contain_text(TOTAL)
    assert "/cost/?" in page.url and "in=3M" in page.url
    # The form keeps what was typed, to change and submit again.
    expect(page.get_by_label("Tokens in per month")).to_have_value("3M")


def test_without_javascript_a_bad_value_is_a_400_page_with_the_message(page_without_js, gpt4o):
    page = page_without_js
    page.goto(gpt4o.get_absolute_url())
    page.get_by_label("Tokens in per month").fill("-5")
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Estimate").click()
    assert navigation.value.status == 400
    expect(page.locator("#cost-result [role=alert]")).to_contain_text(
        "Tokens in cannot be negative."
    )
