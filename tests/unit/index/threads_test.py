from __future__ import annotations

import pytest
import torch

from index.embedding import Embedder
from index.threads import is_single_threaded


class TestSingleThreadedQueries:
    def test_small_encodes_run_on_one_thread_and_batches_on_all(self, embedder: Embedder, monkeypatch: pytest.MonkeyPatch) -> None:
        seen: list[tuple[int, bool]] = []
        encode = embedder.model.encode

        def spy(texts, **kwargs):
            seen.append((torch.get_num_threads(), is_single_threaded()))
            return encode(texts, **kwargs)

        monkeypatch.setattr(embedder.model, "encode", spy)
        before = torch.get_num_threads()
        embedder.encode_query("What did Iraq say about US troops?")
        embedder._encode([f"sentence number {i}" for i in range(embedder.config.single_thread_texts + 1)], progress=False)
        assert seen[0] == (1, True) and set(seen[1:]) == {(before, False)}, seen  # the batch may take several model calls
        assert torch.get_num_threads() == before and not is_single_threaded()
