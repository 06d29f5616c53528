"""A real chromium (Debian's, never a download) driven by Playwright, and Label Studio's log-in: shared by the
browser tests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Page, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
# Offline, no first-run work, no sandbox (containers); measured with label-studio 1.23.2.
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@contextmanager
def browser_page() -> Iterator[Page]:
    """A page of a fresh chromium (launch() gives it its own temporary profile); fails, never skips."""
    if not CHROMIUM.is_file():
        pytest.fail(f"{CHROMIUM} is missing (apt-get install -y chromium; `make test` does it)", pytrace=False)
    try:
        pw = sync_playwright().start()
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS, headless=True)
    except Exception as exc:  # the browser must start: fail, never skip
        pytest.fail(f"chromium could not start: {exc}", pytrace=False)
    try:
        context = browser.new_context(viewport={"width": 1400, "height": 900})
        context.set_default_timeout(30_000)
        yield context.new_page()
    finally:
        browser.close()
        pw.stop()


def log_in(page: Page, url: str, email: str, password: str) -> None:
    page.goto(f"{url}/user/login/")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("button[type=submit], input[type=submit]")
    page.wait_for_url(lambda u: "/user/login" not in u)
