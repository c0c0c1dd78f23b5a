"""Browser fixtures for the end-to-end tests: Debian's Chromium driven by Playwright, on a phone-sized page.

`playwright install` cannot download a browser here, so the tests use the `chromium` on the PATH
(installed by scripts/system-deps.sh). The app under test comes from the `chat_server_url` fixture.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, sync_playwright

REPO_ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO_ROOT / "test-artifacts"  # git-ignored; one screenshot per test
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
    "locale": "vi-VN",
}


# Package scope: Playwright's sync API keeps an event loop running in the main thread while it is open,
# which later tests that start their own loop (asyncio.run) must not find.
@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail(
            "no `chromium` on the PATH: install Debian's chromium with `bash scripts/system-deps.sh` "
            "(`make system-deps`); `playwright install` cannot download browsers here",
            pytrace=False,
        )
    with sync_playwright() as playwright:
        # No sandbox: Chromium refuses its sandbox as root and in most containers; the pages are our own.
        browser = playwright.chromium.launch(executable_path=executable, headless=True, args=["--no-sandbox"])
        yield browser
        browser.close()


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    """What the browser shows does not depend on the database: SQLite only (the database tests and the Telegram tests
    cover PostgreSQL)."""
    return f"sqlite:///{tmp_path / 'test.db'}"


def _record_console(message: ConsoleMessage, problems: list[str]) -> None:
    # An HTTP error answer is logged as "Failed to load resource"; the tests check those answers themselves.
    if message.type == "error" and not message.text.startswith("Failed to load resource"):
        problems.append(f"console: {message.text}")


def _artifact_name(request: pytest.FixtureRequest) -> str:
    return re.sub(r"[^\w.-]+", "_", request.node.name).strip("_")


@contextmanager
def _checked_page(browser: Browser, request: pytest.FixtureRequest, options: dict) -> Iterator[Page]:
    """A fresh page (own storage); saves a screenshot and fails on script errors afterwards."""
    context = browser.new_context(**options)
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"uncaught: {error}"))
    page.on("console", lambda message: _record_console(message, problems))
    yield page
    ARTIFACTS.mkdir(exist_ok=True)
    try:
        page.screenshot(path=ARTIFACTS / f"{_artifact_name(request)}.png", full_page=True)
    finally:
        context.close()
    assert not problems, f"the page reported errors: {problems}"


@pytest.fixture
def page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A phone-sized page for the web chat."""
    with _checked_page(browser, request, PHONE) as checked:
        yield checked


# The staff console is used on laptops and tablets; a test picks the tablet with indirect parametrization.
SCREENS = {
    "laptop": {"viewport": {"width": 1366, "height": 768}, "locale": "vi-VN"},
    "tablet": {"viewport": {"width": 1024, "height": 768}, "has_touch": True, "locale": "vi-VN"},
}


@pytest.fixture
def console_page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A laptop-sized page (or `request.param` from SCREENS) for the staff console."""
    with _checked_page(browser, request, SCREENS[getattr(request, "param", "laptop")]) as checked:
        yield checked


@pytest.fixture
def snap(console_page: Page, request: pytest.FixtureRequest) -> Callable[[str], None]:
    """`snap("queue")` saves a full-page screenshot of the console page as test-artifacts/<test>__queue.png."""

    def take(step: str) -> None:
        ARTIFACTS.mkdir(exist_ok=True)
        console_page.screenshot(path=ARTIFACTS / f"{_artifact_name(request)}__{step}.png", full_page=True)

    return take
