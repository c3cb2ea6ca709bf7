"""Cleaning and chunking overlapped with embedding.

A worker thread runs the document → chunks generator and feeds a bounded queue; the calling thread
embeds the chunk texts in batches as they arrive. The model releases the GIL while it computes, so
the Python-heavy chunking of the next documents proceeds meanwhile instead of before all embedding.
Reading the files stays before it: boilerplate detection needs the whole corpus first, and reading
is cheap next to cleaning and chunking (150 usgov documents: 0.15 s against 54 s, on a loaded machine).
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import TypeVar

import numpy as np
from tqdm import tqdm

T = TypeVar("T")

_DONE = object()


class _Failed:
    def __init__(self, error: BaseException) -> None:
        self.error = error


def embed_overlapped(
    items: Iterator[T],
    texts_of: Callable[[T], Sequence[str]],
    encode: Callable[[Sequence[str]], tuple[np.ndarray, int]],
    batch: int = 256,
    queue_size: int = 64,
    total: int | None = None,
    progress: bool = False,
    report: Callable[[int, int], None] | None = None,
) -> tuple[list[T], list[np.ndarray], int]:
    """All `items` in order, the vectors of their texts in the same order (one array per batch) and how many
    texts had to be computed. An error in `items` is raised here, in the calling thread.

    Progress: a tqdm bar over items on stderr if `progress`; `report(items embedded, total)` after each batch.
    """
    feed: queue.Queue = queue.Queue(maxsize=queue_size)
    stop = threading.Event()

    def put(item: object) -> bool:
        """False once the consumer has stopped (it failed or was interrupted): nobody will read the queue."""
        while not stop.is_set():
            try:
                feed.put(item, timeout=0.2)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in items:
                if not put(item):
                    return
            put(_DONE)
        except BaseException as exc:  # handed to the consumer, which re-raises it
            put(_Failed(exc))

    worker = threading.Thread(target=produce, name="chunking", daemon=True)
    worker.start()
    done: list[T] = []
    vectors: list[np.ndarray] = []
    computed = 0
    pending: list[str] = []
    waiting = 0  # items whose texts are pending, for the progress bar
    embedded = 0  # items whose texts are all embedded

    def flush(bar: tqdm) -> None:
        nonlocal computed, waiting, embedded
        if pending:
            out, n = encode(pending)
            vectors.append(out)
            computed += n
            bar.set_postfix(chunks=sum(len(v) for v in vectors), refresh=False)
            pending.clear()
        bar.update(waiting)
        embedded, waiting = embedded + waiting, 0
        if report is not None:
            report(embedded, total or embedded)

    try:
        with tqdm(total=total, desc="indexing", unit="doc", disable=not progress) as bar:
            while True:
                item = feed.get()
                if item is _DONE:
                    break
                if isinstance(item, _Failed):
                    raise item.error
                done.append(item)
                pending.extend(texts_of(item))
                waiting += 1
                if len(pending) >= batch:
                    flush(bar)
            flush(bar)
    finally:
        stop.set()
    worker.join()
    return done, vectors, computed
