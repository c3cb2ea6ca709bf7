"""Eval fixtures on top of tests/conftest.py's session model and seeds index."""

from __future__ import annotations

import pytest

from index.embedding import Embedder


@pytest.fixture
def one_model(monkeypatch: pytest.MonkeyPatch, embedder: Embedder) -> Embedder:
    """Make `sitroom eval` reuse the session's loaded model instead of loading its own."""
    monkeypatch.setattr("eval.command.Embedder", lambda *args, **kwargs: embedder)
    return embedder
