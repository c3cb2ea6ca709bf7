"""A real `sitroom ui` in a child process on a free port, for browser tests and the screenshot tool."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")  # Debian's package; Playwright drives it instead of downloading a browser
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


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
