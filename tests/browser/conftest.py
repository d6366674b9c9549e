"""Playwright + Debian's Chromium against pytest-django's live server.

Browser tests are marked `browser` (run alone with `pytest -m browser`). Without Chromium they
skip, unless REQUIRE_BROWSER=1 (CI), where a missing browser is a failure."""

import os
import shutil

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-quic",
    "--no-first-run",
    "--disable-sync",
]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"REQUIRE_BROWSER=1 but no Chromium at {CHROMIUM}")
        pytest.skip(f"no Chromium at {CHROMIUM}")
    # Playwright's sync API runs an event loop; Django's ORM must allow it in this thread.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


BUILDER_PASSWORD = "a-long-pass-phrase"


@pytest.fixture
def builder_page(page):
    """`page`, logged in through the form as a builder whose address is confirmed."""
    from tests.builders.conftest import make_user

    make_user("builder", email="ada@mail.example")
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("builder")
    page.get_by_label("Password").fill(BUILDER_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/builder/")
    return page
