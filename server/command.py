"""`sitroom serve`: run the HTTP API in the foreground with uvicorn.

Loopback only unless `--host` says otherwise; any other address needs a token (`--token` or
$SITROOM_TOKEN), since the API reads every indexed briefing.
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import logging
import os
import sys
import time

from sitroom.config import TOKEN_ENV, Settings
from sitroom.errors import SitroomError

logger = logging.getLogger(__name__)

DEFAULT_PORT = 8765


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1; anything else needs a token)")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})")
    parser.add_argument(
        "--token", help=f"require `Authorization: Bearer TOKEN` (default: ${TOKEN_ENV}; prefer the variable, argv is visible)"
    )
    parser.add_argument(
        "--concurrency", type=int, default=os.cpu_count() or 1, help="requests computed at once (default: CPU cores); the rest wait"
    )


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def run(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from server.app import create_app
    from server.engine import Engine

    token = args.token or os.environ.get(TOKEN_ENV) or None
    if not is_loopback(args.host) and not token:
        raise SitroomError(f"binding to {args.host} exposes the index beyond this machine: set a token with --token or {TOKEN_ENV}")
    if args.concurrency < 1:
        raise SitroomError("--concurrency must be at least 1")
    started = time.perf_counter()
    engine = Engine(settings)
    engine.warm()
    try:
        generation = engine.current().generation.name
    except SitroomError as exc:
        generation = None
        print(f"sitroom serve: {exc}; requests get 503 until an index is built", file=sys.stderr)
    url = f"http://{args.host}:{args.port}"
    if args.json:
        print(json.dumps({"url": url, "index_dir": str(settings.index_dir.resolve()), "generation": generation}), flush=True)
    print(
        f"sitroom serve: {url} for {settings.index_dir.resolve()} (model loaded in {time.perf_counter() - started:.1f}s"
        f"{', token required' if token else ''}; Ctrl-C to stop)",
        file=sys.stderr,
        flush=True,
    )
    app = create_app(engine, token=token, concurrency=args.concurrency)
    uvicorn.run(app, host=args.host, port=args.port, log_level="info" if args.verbose else "warning")
    return 0
