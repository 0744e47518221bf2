"""Headless Debian Chromium driven by Playwright, and the real ``mermaid`` package.

Playwright (not Selenium) because it reports console messages, page errors and every
request as events, which is what the tests check; it drives the system's
``/usr/bin/chromium`` (never ``playwright install``). ``mermaid`` comes from the npm
registry once (``npm pack``) and is cached under ``$PERF_GATE_CACHE/mermaid/``.
Without Chromium the tests skip, unless ``PERF_GATE_REQUIRE_BROWSER_TEST=1`` (CI) makes
that a failure. Screenshots go to ``.cache/screenshots/`` for people to look at.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("PERF_GATE_CHROMIUM", "/usr/bin/chromium"))
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
MERMAID = "mermaid@11.12.0"
SCREENSHOTS = ROOT / ".cache" / "screenshots"


def _unavailable(reason: str) -> None:
    if os.environ.get("PERF_GATE_REQUIRE_BROWSER_TEST"):
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        _unavailable(f"{CHROMIUM} is missing: apt-get install chromium chromium-driver")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


@dataclass
class Watched:
    """A page and what it said: console errors, page errors, requests off the file."""

    page: Any
    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    def screenshot(self, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path


@pytest.fixture
def watched(browser: Any) -> Iterator[Watched]:
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    seen = Watched(page)
    page.on("console", lambda m: seen.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: seen.errors.append(str(e)))
    page.on("request", lambda r: seen.requests.append(r.url))
    yield seen
    context.close()


@pytest.fixture(scope="session")
def mermaid_js() -> Path:
    """``dist/mermaid.min.js`` of the real package (fetched once with ``npm pack``)."""
    cache = Path(os.environ.get("PERF_GATE_CACHE", ROOT / ".cache")) / "mermaid" / MERMAID
    target = cache / "mermaid.min.js"
    if target.is_file():
        return target
    npm = shutil.which("npm")
    if npm is None:
        _unavailable("npm is missing: the Mermaid check needs the mermaid package")
    cache.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=cache) as tmp:
        subprocess.run(
            [str(npm), "pack", MERMAID, "--pack-destination", tmp, "--silent"],
            check=True,
            capture_output=True,
            timeout=300,
        )
        with tarfile.open(next(Path(tmp).glob("*.tgz")), "r:gz") as archive:
            member = archive.extractfile("package/dist/mermaid.min.js")
            assert member is not None
            (Path(tmp) / "mermaid.min.js").write_bytes(member.read())
        (Path(tmp) / "mermaid.min.js").replace(target)
    return target
