from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence

import numpy as np
import pytest

from index.pipeline import embed_overlapped


def _lengths(texts: Sequence[str]) -> tuple[np.ndarray, int]:
    """Records which thread encodes; a vector per text that identifies it."""
    _lengths.threads.add(threading.current_thread().name)
    return np.array([[len(t), int(t.split("-")[1])] for t in texts], dtype=np.float32), len(texts)


_lengths.threads = set()


class TestEmbedOverlapped:
    def test_items_and_vectors_keep_their_order_across_batches(self) -> None:
        items = [(i, [f"doc{i}-{j}" for j in range(i % 4)]) for i in range(50)]
        seen: list[tuple[int, int]] = []
        producer_threads: set[str] = set()

        def produce() -> Iterator[tuple[int, list[str]]]:
            for item in items:
                producer_threads.add(threading.current_thread().name)
                yield item

        done, vectors, computed = embed_overlapped(
            produce(),
            texts_of=lambda item: item[1],
            encode=_lengths,
            batch=7,
            queue_size=3,
            total=50,
            report=lambda d, t: seen.append((d, t)),
        )
        texts = [t for _, ts in items for t in ts]
        assert done == items and computed == len(texts)
        np.testing.assert_array_equal(np.concatenate(vectors), [[len(t), int(t.split("-")[1])] for t in texts])
        assert producer_threads == {"chunking"} and _lengths.threads == {threading.current_thread().name}
        assert seen[-1] == (50, 50) and [d for d, _ in seen] == sorted(d for d, _ in seen)

    def test_an_error_while_chunking_is_raised_in_the_caller(self) -> None:
        def produce() -> Iterator[tuple[int, list[str]]]:
            yield 0, ["doc0-0"]
            raise ValueError("bad document")

        with pytest.raises(ValueError, match="bad document"):
            embed_overlapped(produce(), texts_of=lambda item: item[1], encode=_lengths)

    def test_an_error_while_embedding_stops_the_worker(self) -> None:
        def failing(texts: Sequence[str]) -> tuple[np.ndarray, int]:
            raise RuntimeError("model failed")

        produced: list[int] = []

        def produce() -> Iterator[tuple[int, list[str]]]:
            for i in range(10_000):
                produced.append(i)
                yield i, [f"doc{i}-0"]

        with pytest.raises(RuntimeError, match="model failed"):
            embed_overlapped(produce(), texts_of=lambda item: item[1], encode=failing, batch=1, queue_size=2)
        worker = next(t for t in threading.enumerate() if t.name == "chunking")
        worker.join(timeout=5)
        assert not worker.is_alive() and len(produced) < 100
