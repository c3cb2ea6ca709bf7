"""On-disk layout of an index directory and the atomic generation swap.

    INDEX_DIR/current -> generations/gen-…   (symlink; replaced atomically with os.replace)
    INDEX_DIR/generations/gen-…/{manifest.json, store.sqlite, vectors.faiss, bm25/}
    INDEX_DIR/cache/embeddings.sqlite        (content-hash embedding cache, kept across builds)

A build writes a new generation beside the live one and only then flips `current`, so a crash or
Ctrl-C mid-build leaves the previous index loadable.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sitroom.errors import SitroomError

STORE = "store.sqlite"
VECTORS = "vectors.faiss"
BM25 = "bm25"


def current(index_dir: Path) -> Path | None:
    link = index_dir / "current"
    return link.resolve() if link.is_symlink() and link.resolve().is_dir() else None


def cache_path(index_dir: Path) -> Path:
    return index_dir / "cache" / "embeddings.sqlite"


def new_generation(index_dir: Path) -> Path:
    generations = index_dir / "generations"
    generations.mkdir(parents=True, exist_ok=True)
    for stale in generations.glob(".tmp-*"):  # left by an interrupted build
        shutil.rmtree(stale, ignore_errors=True)
    path = generations / f".tmp-gen-{time.strftime('%Y%m%dT%H%M%S')}-{time.time_ns() % 10**9:09d}"
    path.mkdir()
    return path


def publish(index_dir: Path, building: Path) -> Path:
    """Make `building` the live generation atomically and delete the old one."""
    final = building.with_name(building.name.removeprefix(".tmp-"))
    building.rename(final)
    old = current(index_dir)
    tmp_link = index_dir / f".current-{os.getpid()}"
    tmp_link.unlink(missing_ok=True)
    tmp_link.symlink_to(final.relative_to(index_dir))
    os.replace(tmp_link, index_dir / "current")
    if old and old != final:
        shutil.rmtree(old, ignore_errors=True)
    return final


@contextmanager
def build_lock(index_dir: Path) -> Iterator[None]:
    index_dir.mkdir(parents=True, exist_ok=True)
    with open(index_dir / ".lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise SitroomError(f"another `sitroom index` is building {index_dir}; wait for it to finish") from exc
        yield
