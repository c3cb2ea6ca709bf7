"""`sitroom ui`: serve the Streamlit app on localhost only; the index location travels in the environment."""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

from sitroom.config import INDEX_DIR_ENV, Settings

APP = Path(__file__).with_name("app.py")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--port", type=int, default=8501, help="port on 127.0.0.1 (default 8501)")


def command(port: int) -> list[str]:
    return [
        sys.executable, "-m", "streamlit", "run", str(APP),
        "--server.address", "127.0.0.1",
        "--server.port", str(port),
        "--server.headless", "true",
        "--server.fileWatcherType", "none",
        "--browser.gatherUsageStats", "false",
        "--client.toolbarMode", "minimal",
    ]  # fmt: skip


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Run Streamlit in the foreground; with --json the URL goes to stdout and Streamlit's own output to stderr."""
    index_dir = settings.index_dir.resolve()
    url = f"http://127.0.0.1:{args.port}"
    if args.json:
        print(json.dumps({"url": url, "index_dir": str(index_dir)}), flush=True)
    else:
        print(f"sitroom UI for {index_dir} at {url} (Ctrl-C to stop)", file=sys.stderr, flush=True)
    env = {**os.environ, INDEX_DIR_ENV: str(index_dir)}
    process = subprocess.Popen(command(args.port), env=env, stdout=sys.stderr if args.json else None)
    previous = signal.signal(signal.SIGTERM, lambda *_: process.terminate())  # killing `sitroom ui` must not orphan Streamlit
    try:
        code = process.wait()
    except KeyboardInterrupt:  # the terminal sent SIGINT to Streamlit as well; let it shut down
        process.wait()
        return 0
    finally:
        signal.signal(signal.SIGTERM, previous)
    return 128 - code if code < 0 else code  # killed by a signal: the shell's 128+N convention
