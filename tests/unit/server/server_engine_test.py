from __future__ import annotations

import shutil
from pathlib import Path

from index.builder import IndexBuilder
from index.embedding import Embedder
from server.engine import Engine
from sitroom.config import Settings


class TestEngine:
    def test_reloads_when_a_build_publishes_a_new_generation(self, tmp_path: Path, corpus: Path, embedder: Embedder) -> None:
        """The model stays loaded; the index follows the live generation."""
        settings = Settings(index_dir=tmp_path / "ix")
        later = tmp_path / "later"
        later.mkdir()
        shutil.move(str(next(iter(sorted(corpus.iterdir())))), later)
        IndexBuilder(settings, embedder=embedder).run([corpus], progress=False)
        engine = Engine(settings, embedder)
        first = engine.current()
        assert engine.current() is first and first.searcher.manifest.documents == 4
        IndexBuilder(settings, embedder=embedder).run([corpus, later], progress=False)
        second = engine.current()
        assert second.generation != first.generation and second.searcher.manifest.documents == 5
        assert second.searcher.embedder is first.searcher.embedder is embedder
