"""The real thing once: `sitroom ui` served to headless Debian Chromium, a question typed, a cited answer seen."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed (Debian packages chromium, chromium-driver)")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_healthy(url: str, server: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"`sitroom ui` exited with status {server.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"`sitroom ui` did not answer on {url} within {timeout:.0f} s")


@contextmanager
def running_ui(index_dir: Path) -> Iterator[str]:
    """A real `sitroom ui` on a free port, stopped (and killed if it lingers) on exit."""
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "sitroom.cli", "ui", "--index-dir", str(index_dir), "--port", str(port)])
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, server)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()


@pytest.fixture
def ui_url(seeds_index: Path) -> Iterator[str]:
    with running_ui(seeds_index) as url:
        yield url


def test_browser_asks_and_sees_a_cited_answer(ui_url: str, tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(ui_url)
            box = page.get_by_label("Question")
            box.wait_for(timeout=60_000)
            box.fill("What did Iraq say about US troops?")
            box.press("Enter")
            citation = page.locator(".sr-answer a.cite").first
            citation.wait_for(timeout=120_000)
            assert citation.inner_text() == "[1]"
            assert "Iraq" in page.locator(".sr-answer").inner_text()
            # The passage cards render after the answer: wait for the target instead of counting once.
            expect(page.locator("#cite-1"), "citation [1] has a passage to jump to").to_have_count(1, timeout=60_000)
            page.screenshot(path=str(tmp_path / "ask.png"), full_page=True)
        finally:
            browser.close()
    assert (tmp_path / "ask.png").stat().st_size > 10_000
