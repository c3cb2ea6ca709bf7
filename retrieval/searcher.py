"""A loaded index that ranks passages for a query: dense, BM25 or both fused."""

from __future__ import annotations

import heapq
import logging
import sqlite3
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from index import integrity, layout, overrides, vectorstore
from index.embedding import Embedder, EmbeddingCache
from index.formats.pdf import page_at
from index.store import Store, read_ahead
from retrieval import rerank
from retrieval.dedup import collapse
from retrieval.fusion import fuse
from retrieval.passages import Filters, Passage
from sitroom.config import Settings
from sitroom.errors import SitroomError

logger = logging.getLogger(__name__)

MODES = ("hybrid", "dense", "bm25")


@dataclass
class SearchResult:
    passages: list[Passage]
    query_vector: np.ndarray | None
    timing_ms: dict[str, float] = field(default_factory=dict)
    # Cosine of the nearest passage in the whole (filtered) index: the abstention signal. 0 in BM25 mode.
    best_dense: float = 0.0


def open_index(index_dir: Path) -> Path:
    return integrity.open_generation(index_dir)[0]


class Searcher:
    def __init__(self, settings: Settings, embedder: Embedder | None = None) -> None:
        self.settings = settings
        self.path, self.manifest = integrity.open_generation(settings.index_dir)
        self.manifest.check_model(settings.embedding.model, settings.embedding.backend)
        self.embedder = embedder or Embedder(settings.embedding, EmbeddingCache(layout.cache_path(settings.index_dir)))
        with integrity.reading(self.path / layout.STORE, self.manifest):
            self.store = Store(self.path / layout.STORE, readonly=True, overrides=overrides.load(settings.index_dir))
            self.store.count("chunks")  # reads the header and schema: a garbled file fails here, not mid-search
        self.vectors = vectorstore.open_store(settings, self.path, self.manifest, self.store)

    def read_ahead(self) -> threading.Thread | None:
        """Page the passage store into the OS cache in the background. For long-lived processes (server, UI, eval, bench): a
        one-shot command reads ~150 rows and would pay for the whole file (0.13 s of CPU for 46k passages)."""
        return read_ahead(self.path / layout.STORE)

    def search(
        self,
        query: str,
        k: int | None = None,
        mode: str | None = None,
        filters: Filters | None = None,
        in_doubt: rerank.Doubt | None = None,
    ) -> SearchResult:
        """Ranked passages for `query`; `in_doubt` (see `rerank.rerank`) may send the cross-encoder deeper."""
        config = self.settings.retrieval
        k, mode, filters = config.k if k is None else config.check_k(k), mode or config.mode, filters or Filters()
        if not query.strip():
            raise SitroomError("empty query")
        if mode not in MODES:
            raise SitroomError(f"unknown mode {mode!r}; use one of {', '.join(MODES)}")
        timing: dict[str, float] = {}
        started = time.perf_counter()
        pool = max(config.candidates, k * 3)
        dense: dict[int, float] = {}
        query_vector = None
        if mode in ("dense", "hybrid"):
            t = time.perf_counter()
            query_vector = self.embedder.encode_query(query)
            timing["encode"] = _ms(t)
            t = time.perf_counter()
            dense = self.vectors.dense(query_vector, pool, filters)
            timing["dense"] = _ms(t)
        sparse: dict[int, float] = {}
        if mode in ("bm25", "hybrid"):
            t = time.perf_counter()
            sparse = self.vectors.lexical(query, pool, filters)
            timing["bm25"] = _ms(t)
        fused = (
            dense
            if mode == "dense"
            else sparse
            if mode == "bm25"
            else fuse(config.fusion, dense, sparse, config.rrf_k, config.dense_weight)
        )
        encoder = rerank.load(self.settings.rerank)
        depth = max(k, self.settings.rerank.candidates, self.settings.rerank.deep_candidates) if encoder else k
        ranked = sorted(fused, key=fused.__getitem__, reverse=True)[: depth * 3]  # spare rows for near-duplicate collapse
        with integrity.reading(self.path / layout.STORE, errors=(sqlite3.DatabaseError,)):
            passages = collapse(self._passages(ranked, fused, query_vector), config.duplicate_jaccard, limit=depth)
        if encoder:
            t = time.perf_counter()
            ranks = _best_ranks([dense, sparse], max(self.settings.rerank.retriever_tops, self.settings.rerank.first_candidates))
            passages = rerank.rerank(encoder, query, passages, self.settings.rerank, in_doubt, retriever_ranks=ranks)
            timing["rerank"] = _ms(t)
        passages = passages[:k]
        for rank, passage in enumerate(passages, start=1):
            passage.rank = rank
        timing["total"] = _ms(started)
        return SearchResult(passages, query_vector, timing, max(dense.values(), default=0.0))

    def _passages(self, ranked: list[int], fused: dict[int, float], query_vector: np.ndarray | None) -> list[Passage]:
        stored = self.store.chunks(ranked)
        cosines = dict(zip(ranked, self.vectors.vectors(ranked) @ query_vector, strict=True)) if query_vector is not None and ranked else {}
        docs: dict[str, object] = {}
        out: list[Passage] = []
        for chunk_id in ranked:
            item = stored.get(chunk_id)
            if item is None:
                continue
            chunk = item.chunk
            if chunk.doc_id not in docs:
                docs[chunk.doc_id] = self.store.db.execute(
                    "SELECT title, source, date, CASE WHEN format = 'pdf' THEN text END AS pdf_text FROM documents WHERE doc_id = ?",
                    (chunk.doc_id,),
                ).fetchone()
            meta = docs[chunk.doc_id]
            lead = chunk.article == 0  # the lead article's metadata is the document's; sub-articles never inherit it
            pdf_text = meta["pdf_text"]
            out.append(
                Passage(
                    rank=0,
                    score=fused[chunk_id],
                    chunk_id=chunk_id,
                    doc=chunk.doc_id,
                    title=chunk.title or meta["title"],
                    source=chunk.source or (meta["source"] if lead else None),
                    date=chunk.date or (meta["date"] if lead else None),
                    headline=chunk.headline,
                    text=chunk.text,
                    start=chunk.start,
                    end=chunk.end,
                    orig_start=chunk.orig_start,
                    orig_end=chunk.orig_end,
                    sentences=chunk.sentences,
                    dense=float(cosines.get(chunk_id, 0.0)),
                    page=page_at(pdf_text, chunk.orig_start) if pdf_text else None,
                    page_end=page_at(pdf_text, chunk.orig_end - 1) if pdf_text else None,
                    article=chunk.article,
                    doc_title=meta["title"],
                )
            )
        return out


def _best_ranks(rankings: list[dict[int, float]], depth: int) -> dict[int, int]:
    """Chunk id to its best rank (1 = first) in any one of `rankings`, for each one's top `depth`."""
    ranks: dict[int, int] = {}
    for scores in rankings:
        for rank, chunk_id in enumerate(heapq.nlargest(depth, scores, key=scores.__getitem__), start=1):
            ranks[chunk_id] = min(rank, ranks.get(chunk_id, rank))
    return ranks


def _ms(since: float) -> float:
    return round((time.perf_counter() - since) * 1000, 2)
