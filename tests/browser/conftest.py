"""Browser fixtures: headless Debian Chromium through Playwright, skipped (or required in CI) when missing."""
import os
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]


def pytest_collection_modifyitems(items):
    """Mark every test in this folder `browser`, so `-m "not browser"` leaves them out."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)


def missing(reason: str):
    """Skip for a missing browser part, or fail when CI said browsers are required."""
    if os.environ.get("PROOFHOOK_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason} (PROOFHOOK_REQUIRE_BROWSER=1 makes the browser tests required)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def chromium():
    """Launch Debian's Chromium once for the whole run (never a downloaded browser)."""
    if not os.access(CHROMIUM, os.X_OK):
        missing("Chromium not installed: apt-get install chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing("Playwright not installed: pip install -r requirements-test.txt")
    # Playwright gives every launch a fresh temporary profile of its own (it refuses --user-data-dir).
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
