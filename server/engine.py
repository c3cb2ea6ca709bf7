"""The model loaded once per server; the index reloaded when a build publishes a new generation."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from pathlib import Path

from index.embedding import Embedder
from retrieval.answer import AnswerComposer
from retrieval.searcher import Searcher, open_index
from sitroom.config import Settings

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Loaded:
    generation: Path
    searcher: Searcher
    composer: AnswerComposer


class Engine:
    """Thread-safe: requests share one embedder and one loaded generation.

    The embedder has no embedding cache, so serving never writes to the index directory (query vectors are
    never cached anyway). A request that started on the previous generation finishes on it: its open files
    stay readable after the build deletes them.
    """

    def __init__(self, settings: Settings, embedder: Embedder | None = None) -> None:
        self.settings = settings
        self.embedder = embedder or Embedder(settings.embedding)
        self._lock = threading.Lock()
        self._loaded: Loaded | None = None

    def warm(self) -> None:
        """Load the model now rather than on the first request."""
        _ = self.embedder.model

    def current(self) -> Loaded:
        """The live generation, loaded; raises SitroomError when there is no usable index."""
        live = open_index(self.settings.index_dir)
        loaded = self._loaded
        if loaded is None or loaded.generation != live:
            with self._lock:  # one request loads a new generation; the others wait for it rather than load it again
                loaded = self._loaded
                if loaded is None or loaded.generation != live:
                    searcher = Searcher(self.settings, embedder=self.embedder)
                    searcher.read_ahead()
                    loaded = self._loaded = Loaded(searcher.path, searcher, AnswerComposer(searcher))
                    logger.info("loaded index generation %s", searcher.path.name)
        return loaded
