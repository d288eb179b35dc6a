"""Fixtures for the headless-browser tests: a live server and a Chromium page.

The live server serves the session `app` from tests/conftest.py in a background thread; it is
started after (and stopped before) the autouse `db` fixture empties the tables, so each test
sees a clean database. CSRF is switched on because the browser posts real forms with tokens.

Chromium comes from the system package (/usr/bin/chromium); nothing is ever downloaded.
Without it the tests are skipped, unless REQUIRE_BROWSER=1 (CI), where they fail.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.serving import make_server

CHROMIUM_PATH = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
ARTIFACTS_DIR = Path(__file__).resolve().parents[2] / "test-artifacts"
TIMEOUT_MS = 10_000
# Navigations wait for the page's `load` event: with two pytest-xdist workers, two Chromiums on a busy
# machine, that took over 10 s (when dossier pages still loaded every PDF preview with the page).
NAVIGATION_TIMEOUT_MS = 30_000
# The screens of issue 16: a common laptop, and a phone.
DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
# What anyone may open without logging in: home, registry, product, verify, track, results, register, login.
PUBLIC_PATH = r"^/(registry(/\d+)?|verify/[^/]+|track|results/\d+|register|login)?$"


def scrolls_sideways(page) -> bool:
    """The page itself is wider than the window (a horizontal scroll bar), not a table inside it."""
    return page.evaluate("document.documentElement.scrollWidth > window.innerWidth")


def set_timeouts(context) -> None:
    """Short waits for elements (a test fails fast), longer ones for navigations."""
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(NAVIGATION_TIMEOUT_MS)


def flag_sideways_scroll_on_public_pages(context) -> None:
    """Each public page this context loads logs a console error when it scrolls sideways, so a test
    that watches for problems (watch_for_problems) fails on it, whichever page it was."""
    context.add_init_script(
        script=f"""addEventListener("load", () => {{
          const path = location.pathname, width = document.documentElement.scrollWidth;
          if (new RegExp({json.dumps(PUBLIC_PATH)}).test(path) && width > innerWidth)
            console.error(`horizontal scroll bar on ${{path}}: ${{width}} > ${{innerWidth}} px`);
        }});"""
    )


@pytest.fixture
def live_server(app, db, csrf_enabled) -> Iterator[str]:
    """The app on 127.0.0.1 at a free port; yields its base URL ("http://127.0.0.1:PORT")."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def chromium():
    """One headless Chromium per test process (launching it cost each browser test about a second);
    each test still gets contexts of its own, so no cookie or storage crosses tests."""
    if not os.path.exists(CHROMIUM_PATH):
        message = f"Chromium not found at {CHROMIUM_PATH}: apt-get install -y chromium"
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(message + " (REQUIRE_BROWSER=1)", pytrace=False)
        pytest.skip("Chromium not installed: apt-get install -y chromium")

    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM_PATH, args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def browser_page(chromium, live_server):
    """A fresh page in a context of its own (own cookies) with short timeouts; every context the
    test opened on the shared browser is closed after it."""
    context = chromium.new_context(base_url=live_server, locale="vi-VN")
    set_timeouts(context)
    try:
        yield context.new_page()
    finally:
        for opened in list(chromium.contexts):
            opened.close()


@pytest.fixture
def artifacts_dir() -> Path:
    """test-artifacts/ at the repository root (gitignored), for screenshots."""
    ARTIFACTS_DIR.mkdir(exist_ok=True)
    return ARTIFACTS_DIR
