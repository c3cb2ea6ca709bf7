"""Where passage vectors and the BM25 index live, behind one small interface shared by the builder and the Searcher.

`faiss` (the default) keeps them as files in the index generation (vectors.faiss, bm25/) and filters by
chunk ids looked up in SQLite. `milvus` keeps them in one Milvus collection per generation, filtered by
Milvus itself (index/milvus.py). Either way SQLite holds documents and chunk spans, the manifest says
which backend holds the vectors (`Manifest.vector_store`), and everything above this module is the same.
"""

from __future__ import annotations

import errno
import logging
import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from index import integrity, layout, lexical, vectors
from index.manifest import Manifest
from index.store import Store, StoredChunk, StoredDocument
from sitroom.config import VECTOR_BACKENDS, Settings
from sitroom.errors import IndexDamaged, SitroomError

if TYPE_CHECKING:
    from retrieval.passages import Filters

logger = logging.getLogger(__name__)

FAISS = {"backend": "faiss"}


class VectorStore(Protocol):
    """Dense and BM25 top-k over the chunks of one index generation, with document filters applied inside."""

    size: int  # chunks (vectors) in the store

    def dense(self, query: np.ndarray, k: int, filters: Filters | None) -> dict[int, float]:
        """Chunk id → inner product with the (normalised) query vector, best `k`."""
        ...

    def lexical(self, query: str, k: int, filters: Filters | None) -> dict[int, float]:
        """Chunk id → BM25 score (> 0), best `k`."""
        ...

    def vectors(self, ids: Sequence[int]) -> np.ndarray:
        """The stored vectors of `ids`, one row each, in that order."""
        ...

    def document_frequencies(self, terms: Sequence[str]) -> tuple[int, dict[str, int]]:
        """Number of chunks and, per BM25 token, how many chunks contain it: IDF for answer sentences."""
        ...


class FaissStore:
    """The embedded default: a FAISS index and a bm25s index from the generation's files, filtered via SQLite."""

    def __init__(self, generation: Path, manifest: Manifest, store: Store) -> None:
        self.generation = generation
        with integrity.reading(generation / layout.VECTORS, manifest):
            self.index = vectors.load(generation / layout.VECTORS)
        with integrity.reading(generation / layout.BM25, manifest):
            self.bm25 = lexical.load(generation / layout.BM25, mmap=True)  # opens a 1M-passage index in ms, not seconds
            bm25_docs = int(self.bm25.scores["num_docs"])
        chunks = store.count("chunks")
        counts = (self.index.d, self.index.ntotal, bm25_docs, chunks)
        if counts != (manifest.dimension, manifest.chunks, manifest.chunks, manifest.chunks):
            raise IndexDamaged(
                f"{generation} does not add up: {self.index.ntotal} vectors of dimension {self.index.d}, {bm25_docs} BM25 rows "
                f"and {chunks} stored chunks, the manifest records {manifest.chunks} chunks of dimension {manifest.dimension}"
            )
        self.store = store
        self.articles = store.has_article_columns()  # older indexes filter on document metadata only
        self.size = int(self.index.ntotal)
        self._filtered: tuple[Filters, np.ndarray] | None = None  # dense and BM25 of one search share the lookup

    def _allowed(self, filters: Filters | None) -> np.ndarray | None:
        if filters is None or filters.is_empty():
            return None
        cached = self._filtered
        if cached is None or cached[0] != filters:
            with integrity.reading(self.generation / layout.STORE, errors=(sqlite3.DatabaseError,)):
                cached = (filters, np.asarray(self.store.chunk_ids_where(*filters.sql(self.articles)), dtype=np.int64))
            self._filtered = cached
        return cached[1]

    def dense(self, query: np.ndarray, k: int, filters: Filters | None) -> dict[int, float]:
        allowed = self._allowed(filters)
        if (allowed is not None and not len(allowed)) or not self.size:
            return {}
        scores, ids = vectors.search(self.index, query, min(k, self.size), allowed)
        return {int(i): float(s) for s, i in zip(scores, ids, strict=True) if i >= 0}

    def lexical(self, query: str, k: int, filters: Filters | None) -> dict[int, float]:
        with integrity.reading(self.generation / layout.BM25, errors=(IndexError, ValueError)):
            scores = lexical.scores(self.bm25, query)
        allowed = self._allowed(filters)
        if allowed is not None:
            masked = np.zeros_like(scores)
            masked[allowed] = scores[allowed]
            scores = masked
        top = np.argpartition(-scores, min(k, len(scores) - 1))[:k] if len(scores) > k else np.arange(len(scores))
        return {int(i): float(scores[i]) for i in top if scores[i] > 0}

    def vectors(self, ids: Sequence[int]) -> np.ndarray:
        return self.index.reconstruct_batch(np.asarray(ids, dtype=np.int64)) if len(ids) else np.empty((0, self.index.d), np.float32)

    def document_frequencies(self, terms: Sequence[str]) -> tuple[int, dict[str, int]]:
        vocab, indptr = self.bm25.vocab_dict, self.bm25.scores["indptr"]
        counts = {t: int(indptr[vocab[t] + 1] - indptr[vocab[t]]) if t in vocab else 0 for t in terms}
        return int(self.bm25.scores["num_docs"]), counts


def live_info(index_dir: Path) -> dict[str, Any] | None:
    """The live generation's `vector_store` entry, or None without a readable index."""
    try:
        live = layout.current(index_dir)
        return None if live is None else Manifest.read(live).vector_store
    except SitroomError:  # damaged: a --rebuild repairs it
        return None


def build_backend(settings: Settings, live: dict[str, Any] | None) -> str:
    """The configured backend, else the live index's (an incremental build keeps it), else faiss."""
    backend = settings.vector_store.backend or (live or FAISS)["backend"]
    if backend not in VECTOR_BACKENDS:
        raise SitroomError(f"unknown vector backend {backend!r} (--backend or SITROOM_VECTOR_BACKEND); use {' or '.join(VECTOR_BACKENDS)}")
    return backend


def moves(settings: Settings, live: dict[str, Any] | None) -> bool:
    """Whether the configuration asks for another backend, Milvus URI or collection than the live index uses."""
    if live is None:
        return False
    backend = build_backend(settings, live)
    if backend != live["backend"]:
        return True
    if backend == "faiss":
        return False
    from index import milvus

    return milvus.target(settings, live) != (live.get("uri"), live.get("alias"))


def connect(settings: Settings, live: dict[str, Any] | None) -> None:
    """Fail before any model time when the backend of the next build is unreachable or misconfigured."""
    if build_backend(settings, live) == "milvus":
        from index import milvus

        uri = milvus.target(settings, live)[0] or milvus.lite_default(settings)
        milvus.client(uri, settings.vector_store.milvus_timeout_s)


def write(
    settings: Settings,
    backend: str,
    building: Path,
    chunks: Sequence[StoredChunk],
    documents: Sequence[StoredDocument],
    embeddings: np.ndarray,
    live: dict[str, Any] | None,
) -> dict[str, Any]:
    """Stores a new generation's vectors and BM25; returns the manifest's `vector_store` entry."""
    if backend == "milvus":
        from index import milvus

        return milvus.write(settings, chunks, documents, embeddings, live)
    ids = np.fromiter((c.id for c in chunks), dtype=np.int64, count=len(chunks))
    try:
        vectors.save(vectors.build(embeddings, ids, settings.vectors), building / layout.VECTORS)
    except RuntimeError as exc:  # faiss reports a failed write (disk full) as a RuntimeError
        raise OSError(errno.EIO, f"writing {layout.VECTORS} failed: {str(exc).strip().splitlines()[-1]}") from exc
    lexical.save(lexical.build([c.embed for c in chunks], show_progress=False), building / layout.BM25)
    return dict(FAISS)


def retire(settings: Settings, previous: dict[str, Any] | None, current: dict[str, Any]) -> None:
    """After the new generation is live: release what the previous one held outside its folder."""
    if (previous or FAISS)["backend"] == "milvus" or current["backend"] == "milvus":
        from index import milvus

        milvus.retire(settings, previous, current)


def open_store(settings: Settings, generation: Path, manifest: Manifest, store: Store) -> VectorStore:
    built = manifest.vector_store["backend"]
    asked = settings.vector_store.backend
    if asked and asked != built:
        raise SitroomError(
            f"the index at {settings.index_dir} keeps its vectors in {built}, not {asked}; "
            f"drop --backend/SITROOM_VECTOR_BACKEND or rebuild with `sitroom index --rebuild --backend {asked} PATH`"
        )
    if built == "milvus":
        from index import milvus

        return milvus.MilvusStore.open(settings, manifest)
    return FaissStore(generation, manifest, store)
