"""Incremental index builds: add new and changed documents, drop deleted ones, skip unchanged ones.

Every build writes a complete new generation (store, vectors, BM25, manifest) and swaps it in
atomically. Unchanged documents are copied over and their vectors come from the embedding cache,
so re-indexing unchanged text costs no model time; BM25 is rebuilt over the surviving chunks so
deleted text never skews IDF.
"""

from __future__ import annotations

import errno
import json
import logging
import sqlite3
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from index import integrity, layout, overrides, vectorstore
from index.articles import with_explicit_metadata
from index.chunking import Chunker, embed_input, tiktoken_counter
from index.cleaning import RepeatedBlocks, clean
from index.documents import Document, Rejected
from index.embedding import Embedder, EmbeddingCache
from index.formats.feed import load_feeds
from index.loading import display_path, load_paths
from index.manifest import Manifest
from index.pipeline import embed_overlapped
from index.store import Store, StoredChunk, StoredDocument
from sitroom.config import Settings
from sitroom.errors import IndexDamaged, SitroomError

logger = logging.getLogger(__name__)


@dataclass
class IndexSummary:
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    dropped: dict[str, dict[str, int]] = field(default_factory=dict)  # doc → reason → count
    dropped_words: dict[str, dict[str, int]] = field(default_factory=dict)  # doc → reason → words
    articles: dict[str, int] = field(default_factory=dict)  # doc → articles found in it
    documents: int = 0
    chunks: int = 0
    embedded: int = 0  # chunks that needed the model (the rest came from the cache)
    seconds: float = 0.0

    def to_json(self) -> dict[str, object]:
        data = asdict(self)
        data["rejected"] = [asdict(r) for r in self.rejected]
        return data


def _stored_documents(store: Store | None) -> dict[str, StoredDocument]:
    return {row["doc_id"]: StoredDocument(**dict(row)) for row in store.documents()} if store else {}


class IndexBuilder:
    def __init__(self, settings: Settings, embedder: Embedder | None = None) -> None:
        self.settings = settings
        self.index_dir = settings.index_dir
        self.embedder = embedder or Embedder(settings.embedding, EmbeddingCache(layout.cache_path(settings.index_dir)))
        if self.embedder.cache is None:
            self.embedder.cache = EmbeddingCache(layout.cache_path(settings.index_dir))

    def run(
        self,
        paths: list[Path],
        remove: list[str] | None = None,
        rebuild: bool = False,
        progress: bool = True,
        feeds: list[str] | None = None,
        report: Callable[[int, int], None] | None = None,
    ) -> IndexSummary:
        """`report(documents done, total)` is called as embedding proceeds (the UI's progress bar)."""
        started = time.perf_counter()
        missing = [str(p) for p in paths if not p.exists()]
        if missing:
            raise SitroomError(f"no such file or folder: {', '.join(missing)}")
        try:
            with layout.build_lock(self.index_dir):
                vectorstore.connect(self.settings, vectorstore.live_info(self.index_dir))
                summary = self._run(paths, remove or [], rebuild, progress, feeds or [], report)
        except (OSError, sqlite3.OperationalError) as exc:
            if not _write_fault(exc):
                raise
            raise SitroomError(f"cannot write the index in {self.index_dir} ({_reason(exc)}); the previous index is unchanged") from exc
        summary.seconds = round(time.perf_counter() - started, 3)
        return summary

    def _old_store(self, rebuild: bool) -> tuple[Store | None, Manifest | None]:
        """The live generation to build on, fully verified: a build never copies damage forward or reports it as indexed."""
        if rebuild:
            return None, None
        live = layout.current(self.index_dir)
        if live is None:
            return None, None
        manifest = Manifest.read(live)
        manifest.check_model(self.settings.embedding.model, self.settings.embedding.backend)
        integrity.verify(live, manifest, full=True)
        with integrity.reading(live / layout.STORE, manifest):
            store = Store(live / layout.STORE, readonly=True)
            store.count("chunks")
        return store, manifest

    def _run(
        self,
        paths: list[Path],
        remove: list[str],
        rebuild: bool,
        progress: bool,
        feeds: list[str],
        report: Callable[[int, int], None] | None,
    ) -> IndexSummary:
        summary = IndexSummary()
        old_store, old_manifest = self._old_store(rebuild)
        if not rebuild or _sound(self.index_dir):
            layout.remove_leftovers(self.index_dir)  # after a damaged `current`, only a finished rebuild decides what is garbage
        old = _stored_documents(old_store)
        unknown = [doc_id for doc_id in remove if doc_id not in old]
        if unknown and not rebuild:
            if old_store:
                old_store.close()
            raise SitroomError(f"no document {', '.join(map(repr, unknown))} in the index (`sitroom info` lists the document ids)")
        loaded = load_paths(paths, self.settings.loading)
        if feeds:
            fed = load_feeds(feeds)
            loaded.documents.extend(fed.documents)
            loaded.rejected.extend(fed.rejected)
        summary.rejected = loaded.rejected
        scanned_roots = {display_path(p.resolve()) for p in paths if p.is_dir()}
        new_docs: dict[str, Document] = {}
        for doc in loaded.documents:
            doc_id = doc.doc_id
            taken_elsewhere = (doc_id in old and old[doc_id].root != doc.root and old[doc_id].root not in scanned_roots) or (
                doc_id in new_docs and new_docs[doc_id].root != doc.root
            )
            if taken_elsewhere:  # the same relative name under another corpus root
                doc_id = f"{Path(doc.root).name}/{doc.doc_id}"
            new_docs[doc_id] = replace(doc, doc_id=doc_id)
        for doc_id, doc in new_docs.items():
            previous = old.get(doc_id)
            if previous is None:
                summary.added.append(doc_id)
            elif previous.content_hash != doc.content_hash or previous.root != doc.root:
                summary.changed.append(doc_id)
            else:
                summary.unchanged.append(doc_id)
        kept_old = {
            doc_id: row for doc_id, row in old.items() if doc_id not in new_docs and doc_id not in remove and row.root not in scanned_roots
        }
        summary.removed = sorted(set(old) - set(new_docs) - set(kept_old))
        if not new_docs and not kept_old:
            raise SitroomError("no indexable documents found" + _skipped_note(loaded.rejected))
        moved = vectorstore.moves(self.settings, vectorstore.live_info(self.index_dir))
        if old_store and not (summary.added or summary.changed or summary.removed or moved):
            summary.documents, summary.chunks = len(old), old_store.count("chunks")
            old_store.close()
            return summary

        grouped, vectors_, summary.embedded = embed_overlapped(
            self._chunked(summary, new_docs, kept_old, old, old_store),
            texts_of=lambda item: [text for _, text in item[1]],
            encode=self.embedder.encode,
            total=len(new_docs) + len(kept_old),
            progress=progress,
            report=report,
        )
        if old_store:
            old_store.close()
        self._write(grouped, np.concatenate(vectors_) if vectors_ else np.empty((0, 0), np.float32), old_manifest, summary)
        return summary

    def _chunked(
        self,
        summary: IndexSummary,
        new_docs: dict[str, Document],
        kept_old: dict[str, StoredDocument],
        old: dict[str, StoredDocument],
        old_store: Store | None,
    ) -> Iterator[tuple[StoredDocument, list]]:
        """Documents and their chunks for the new generation: copied when unchanged, re-chunked otherwise.

        Runs in `embed_overlapped`'s worker thread, one document at a time, while earlier chunks are embedded.
        """
        cleaning = self.settings.cleaning
        fresh_ids = set(summary.added) | set(summary.changed)
        repeated = None
        if fresh_ids and not cleaning.keep_boilerplate:
            corpus = [*new_docs.values(), *(_as_document(row) for row in kept_old.values())]
            repeated = RepeatedBlocks(corpus, cleaning.shingle_words, cleaning.repeated_min_docs, cleaning.repeated_share)
        chunker = Chunker(
            target_tokens=self.settings.chunking.target_tokens,
            overlap_sentences=self.settings.chunking.overlap_sentences,
            count_tokens=tiktoken_counter(self.settings.chunking.encoding),
            count_model_tokens=self.embedder.count_tokens,
            max_model_tokens=self.embedder.max_tokens,
            max_chars=self.settings.chunking.max_chars,
        )
        for doc_id in sorted(new_docs):
            doc = new_docs[doc_id]
            if doc_id not in fresh_ids and old_store is not None:
                row = old[doc_id]
                yield row, [(s.chunk, s.embed) for s in old_store.chunks_of(doc_id)]
                continue
            cleaned = with_explicit_metadata(clean(doc, repeated, cleaning.keep_boilerplate), doc)
            lead = cleaned.articles[0] if cleaned.articles else None
            title = (lead.title if lead else doc.title) or Path(doc_id).stem
            source, when = (lead.source, lead.date) if lead else (doc.source, doc.date)
            doc_chunks = chunker.chunk(doc_id, doc.title, cleaned)
            summary.dropped[doc_id] = dict(Counter(d.reason for d in cleaned.dropped))
            words: Counter[str] = Counter()
            for d in cleaned.dropped:
                words[d.reason] += len(d.text.split())
            summary.dropped_words[doc_id] = dict(words)
            summary.articles[doc_id] = len(cleaned.articles)
            row = StoredDocument(
                doc_id=doc_id,
                root=doc.root,
                title=title,
                source=source,
                date=when,
                content_hash=doc.content_hash,
                format=doc.format,
                encoding=doc.encoding,
                text=doc.text,
                cleaned=cleaned.text,
                dropped=json.dumps([asdict(d) for d in cleaned.dropped], ensure_ascii=False),
                n_chunks=len(doc_chunks),
                articles=json.dumps([asdict(a) for a in cleaned.articles], ensure_ascii=False),
            )
            yield row, [(c, embed_input(c, doc.title)) for c in doc_chunks]
        for doc_id, row in kept_old.items():
            yield row, [(s.chunk, s.embed) for s in old_store.chunks_of(doc_id)] if old_store else []

    def _write(
        self, grouped: list[tuple[StoredDocument, list]], vectors_: np.ndarray, old_manifest: Manifest | None, summary: IndexSummary
    ) -> None:
        """`vectors_` holds the vectors of the chunks of `grouped`, in order."""
        corrected = overrides.load(self.index_dir)  # hand-set title/source/date outlive re-indexing
        documents = [overrides.apply(row, corrected) for row, _ in grouped]
        flat = [(chunk, text) for _, pairs in grouped for chunk, text in pairs]
        if not flat:
            raise SitroomError("the documents contain no indexable text after cleaning")
        layout.fault_point("embedded")
        previous = vectorstore.live_info(self.index_dir)
        backend = vectorstore.build_backend(self.settings, previous)
        building = layout.new_generation(self.index_dir)
        try:
            located = self._write_generation(building, documents, flat, vectors_, old_manifest, backend, previous)
            layout.publish(self.index_dir, building)
        finally:
            layout.discard(building)  # gone already once published (renamed); a failed build leaves no partial generation
        vectorstore.retire(self.settings, previous, located)
        summary.documents, summary.chunks = len(documents), len(flat)

    def _write_generation(
        self,
        building: Path,
        documents: list[StoredDocument],
        flat: list[tuple],
        vectors_: np.ndarray,
        old_manifest: Manifest | None,
        backend: str,
        previous: dict | None,
    ) -> dict:
        stored = [StoredChunk(id=i, chunk=chunk, embed=text) for i, (chunk, text) in enumerate(flat)]
        store = Store(building / layout.STORE)
        store.add_documents(documents)
        store.add_chunks(stored)
        store.close()
        layout.fault_point("store-written")
        located = vectorstore.write(self.settings, backend, building, stored, documents, vectors_, previous)
        layout.fault_point("vectors-written")
        layout.fault_point("bm25-written")
        now = datetime.now(timezone.utc).isoformat(timespec="seconds")
        Manifest(
            model=self.settings.embedding.model,
            backend=self.settings.embedding.backend,
            dimension=int(vectors_.shape[1]),
            chunking=asdict(self.settings.chunking),
            cleaning=asdict(self.settings.cleaning),
            documents=len(documents),
            chunks=len(flat),
            created=old_manifest.created if old_manifest else now,
            updated=now,
            roots=sorted({d.root for d in documents}),
            files=integrity.file_records(building),
            vector_store=located,
        ).write(building)
        layout.fault_point("manifest-written")
        return located


# errno values of a write the environment refused: disk or quota full, file too large, read-only or forbidden, I/O error.
_WRITE_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS, errno.EACCES, errno.EPERM, errno.EIO}


def _write_fault(exc: OSError | sqlite3.OperationalError) -> bool:
    if isinstance(exc, OSError):
        return exc.errno in _WRITE_ERRNOS
    return any(words in str(exc) for words in ("disk is full", "readonly database", "unable to open database", "disk I/O error"))


def _reason(exc: OSError | sqlite3.OperationalError) -> str:
    return exc.strerror or str(exc) if isinstance(exc, OSError) else str(exc)


def _sound(index_dir: Path) -> bool:
    try:
        layout.current(index_dir)
    except IndexDamaged:
        return False
    return True


def _skipped_note(rejected: list[Rejected], shown: int = 3) -> str:
    """The first few skipped files and why, for an error that must still fit on one line."""
    if not rejected:
        return ""
    reasons = "; ".join(f"{Path(r.path).name}: {r.reason}" for r in rejected[:shown])
    return f" ({len(rejected)} skipped: {reasons}{'; …' if len(rejected) > shown else ''})"


def _as_document(row: StoredDocument) -> Document:
    return Document(
        doc_id=row.doc_id,
        root=row.root,
        text=row.text,
        body_start=0,
        title=row.title,
        source=row.source,
        date=row.date,
        content_hash=row.content_hash,
        format=row.format,
        encoding=row.encoding,
    )
