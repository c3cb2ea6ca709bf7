"""`sitroom ui`: serve the Streamlit app on localhost only; the index location travels in the environment.

Streamlit runs as a child in its own session: `sitroom ui` forwards SIGINT, SIGTERM and SIGHUP to it and
waits, and on Linux the child is also told to stop if its parent dies without forwarding (SIGKILL).
"""

from __future__ import annotations

import argparse
import ctypes
import errno
import json
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

from sitroom.config import INDEX_DIR_ENV, MILVUS_URI_ENV, VECTOR_BACKEND_ENV, Settings
from sitroom.errors import SitroomError

APP = Path(__file__).with_name("app.py")
HOST = "127.0.0.1"
FORWARDED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
_PR_SET_PDEATHSIG = 1


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--port", type=int, default=8501, help=f"port on {HOST}, 1 to 65535 (default 8501)")


def check_port(port: int) -> None:
    """A clear error for a port that is out of range or already taken, before Streamlit starts."""
    if not 0 < port < 65536:
        raise SitroomError(f"--port {port} is not a port number (1 to 65535)")
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((HOST, port))
        except OSError as exc:
            why = "is already in use" if exc.errno == errno.EADDRINUSE else f"cannot be used ({exc.strerror})"
            raise SitroomError(f"port {port} on {HOST} {why}; pick another with --port") from exc


def _stop_with_parent() -> None:
    """In the child before exec: Linux sends it SIGTERM when `sitroom ui` dies, even by SIGKILL."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def command(port: int) -> list[str]:
    return [
        sys.executable, "-m", "streamlit", "run", str(APP),
        "--server.address", HOST,
        "--server.port", str(port),
        "--server.headless", "true",
        "--server.fileWatcherType", "none",
        "--browser.gatherUsageStats", "false",
        "--client.toolbarMode", "minimal",
    ]  # fmt: skip


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Run Streamlit in the foreground; with --json the URL goes to stdout and Streamlit's own output to stderr."""
    check_port(args.port)
    index_dir = settings.index_dir.resolve()
    url = f"http://{HOST}:{args.port}"
    if args.json:
        print(json.dumps({"url": url, "index_dir": str(index_dir)}), flush=True)
    else:
        print(f"sitroom UI for {index_dir} at {url} (Ctrl-C to stop)", file=sys.stderr, flush=True)
    env = {**os.environ, INDEX_DIR_ENV: str(index_dir)}
    store = settings.vector_store
    env |= {name: value for name, value in ((VECTOR_BACKEND_ENV, store.backend), (MILVUS_URI_ENV, store.milvus_uri)) if value}
    process = subprocess.Popen(
        command(args.port), env=env, stdout=sys.stderr if args.json else None, start_new_session=True, preexec_fn=_stop_with_parent
    )
    received: list[int] = []

    def forward(signum: int, _frame: object) -> None:
        received.append(signum)
        if len(received) > 1:  # asked twice: Streamlit is not stopping by itself
            process.kill()
        else:
            process.send_signal(signal.SIGTERM if signum == signal.SIGHUP else signum)

    previous = {signum: signal.signal(signum, forward) for signum in FORWARDED}
    try:
        code = process.wait()
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    if received and received[0] == signal.SIGINT:
        return 0  # Ctrl-C is the documented way to stop the UI
    return 128 - code if code < 0 else code  # killed by a signal: the shell's 128+N convention
