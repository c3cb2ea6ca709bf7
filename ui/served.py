"""A real `sitroom ui` in a child process on a free port, and driving its widgets from Playwright: for browser tests and the screenshot tool."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from re import Pattern
from typing import Any

CHROMIUM = Path("/usr/bin/chromium")  # Debian's package; Playwright drives it instead of downloading a browser
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PICK_WAIT, PICK_ATTEMPTS = 15_000, 4  # ms for a selectbox's list to show an option, and how often to open it


class UiStartError(RuntimeError):
    """`sitroom ui` exited or never answered its health check."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_healthy(url: str, server: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise UiStartError(f"`sitroom ui` exited with status {server.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise UiStartError(f"`sitroom ui` did not answer on {url} within {timeout:.0f} s")


@contextmanager
def running_ui(index_dir: Path) -> Iterator[str]:
    """The URL of a `sitroom ui` serving `index_dir`, stopped (and killed if it lingers) on exit."""
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


def pick(page: Any, key: str, option: str | Pattern[str]) -> None:
    """Choose the first option named `option` in the Streamlit selectbox with widget key `key` (its container is `st-key-<key>`).

    A script run still finishing when the box is opened re-renders it and closes its list, so a list
    that shows no such option within a while is opened again; the last attempt fails with the call log.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

    box, choice = page.locator(f".st-key-{key}").get_by_role("combobox"), page.get_by_role("option", name=option).first
    for _ in range(PICK_ATTEMPTS - 1):
        box.click()
        try:
            choice.click(timeout=PICK_WAIT)
            return
        except PlaywrightTimeoutError:
            page.keyboard.press("Escape")
    box.click()
    choice.click()
