"""Browser tests: Playwright driving Debian's Chromium against Django's live server."""

import os
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
# around it are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
SHOTS = Path(os.environ.get("E2E_OUTPUT_DIR", "test-results/e2e"))


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is missing: apt-get install -y chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-background-networking",
                "--disable-gpu",
                "--disable-component-update",
                "--no-first-run",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(locale="zh-CN", base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(15000)
    # irreversible steps ask "确定…？" (data-confirm): the person in these journeys says yes
    page.on("dialog", lambda dialog: dialog.accept())
    yield page
    context.close()


@pytest.fixture
def shot(request):
    SHOTS.mkdir(parents=True, exist_ok=True)

    def take(page, name: str) -> Path:
        safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in request.node.name)
        path = SHOTS / f"{safe}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
