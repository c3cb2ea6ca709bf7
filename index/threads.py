"""A query encode runs on one thread.

A query is too small to split across cores: with two threads, a second core busy with other work (another
request, an index build, another process) stalls every parallel step until it gets its slice. One thread
per query keeps latency steady and lets a server answer one query per core at once. Batches (an answer's
shortlisted sentences, indexing) keep all cores.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

_state = threading.local()


@contextmanager
def single_threaded() -> Iterator[None]:
    """Torch's thread count is per calling thread once set; ONNX Runtime reads `is_single_threaded` to pick its one-thread session."""
    import torch

    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    _state.single = True
    try:
        yield
    finally:
        _state.single = False
        torch.set_num_threads(previous)


def is_single_threaded() -> bool:
    return getattr(_state, "single", False)
