"""One searcher over the session's seeds index for the tests of the JSON objects and their text output."""

from __future__ import annotations

import pytest

from index.embedding import Embedder
from retrieval.searcher import Searcher
from sitroom.config import Settings


@pytest.fixture(scope="module")
def searcher(seeds_settings: Settings, embedder: Embedder) -> Searcher:
    return Searcher(seeds_settings, embedder=embedder)
