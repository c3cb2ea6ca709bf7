"""A real uvicorn server on a free port, serving the session's seeds index with the session's model."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn

from index.embedding import Embedder
from server.app import create_app
from server.engine import Engine
from sitroom.config import Settings
from ui.served import free_port

TOKEN = "test-token-0123456789"


@pytest.fixture(scope="session")
def server_url(seeds_settings: Settings, embedder: Embedder) -> Iterator[str]:
    """Token-protected, like any server reachable from elsewhere; tests send the token unless they test its absence."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(Engine(seeds_settings, embedder), token=TOKEN), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def one_model(monkeypatch: pytest.MonkeyPatch, embedder: Embedder) -> Embedder:
    """The CLI's local path reuses the session's loaded model instead of loading its own."""
    monkeypatch.setattr("retrieval.searcher.Embedder", lambda *args, **kwargs: embedder)
    return embedder
