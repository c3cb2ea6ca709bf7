"""SQLite store of documents and chunks; chunk ids are the vector ids in the FAISS index.

Article columns (documents.articles, chunks.article/title/source/date) were added without a format
change: rows of an older generation read back with the document's own metadata.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from index.chunking import Chunk

logger = logging.getLogger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    doc_id TEXT PRIMARY KEY, root TEXT NOT NULL, title TEXT NOT NULL, source TEXT, date TEXT,
    content_hash TEXT NOT NULL, format TEXT NOT NULL, encoding TEXT NOT NULL,
    text TEXT NOT NULL, cleaned TEXT NOT NULL, dropped TEXT NOT NULL, n_chunks INTEGER NOT NULL,
    articles TEXT NOT NULL DEFAULT '[]'
);
CREATE TABLE IF NOT EXISTS chunks (
    id INTEGER PRIMARY KEY, doc_id TEXT NOT NULL, ordinal INTEGER NOT NULL, text TEXT NOT NULL,
    headline TEXT, start INTEGER NOT NULL, end INTEGER NOT NULL, orig_start INTEGER NOT NULL,
    orig_end INTEGER NOT NULL, sentences TEXT NOT NULL, n_tokens INTEGER NOT NULL, embed TEXT NOT NULL,
    article INTEGER NOT NULL DEFAULT 0, title TEXT, source TEXT, date TEXT
);
CREATE INDEX IF NOT EXISTS chunks_doc ON chunks(doc_id);
CREATE INDEX IF NOT EXISTS documents_date ON documents(date);
"""


@dataclass(frozen=True)
class StoredDocument:
    doc_id: str
    root: str
    title: str
    source: str | None
    date: str | None
    content_hash: str
    format: str
    encoding: str
    text: str
    cleaned: str
    dropped: str  # JSON list of {"reason", "text"}
    n_chunks: int
    articles: str = "[]"  # JSON list of {"title", "source", "date", "start", "end"}


@dataclass(frozen=True)
class StoredChunk:
    id: int
    chunk: Chunk
    embed: str  # the exact text that was embedded (title + headline + text)


class Store:
    def __init__(self, path: Path, readonly: bool = False, overrides: Mapping[str, Mapping[str, str]] | None = None) -> None:
        uri = f"file:{path}?mode=ro" if readonly else f"file:{path}"
        self.db = sqlite3.connect(uri, uri=True, check_same_thread=False)
        self.db.row_factory = sqlite3.Row
        if not readonly:
            self.db.executescript(SCHEMA)
        if overrides:
            self._overlay(overrides)

    def _overlay(self, overrides: Mapping[str, Mapping[str, str]]) -> None:
        """Hand-set title/source/date (index/overrides.py) over the stored ones, for every query of this connection.

        A TEMP view named `documents` shadows the stored table (SQLite resolves temp names first), so
        listings, filters and passage metadata all see the corrected values; "" clears a source or date.
        """
        self.db.execute("CREATE TEMP TABLE doc_overrides (doc_id TEXT PRIMARY KEY, title TEXT, source TEXT, date TEXT)")
        self.db.executemany(
            "INSERT INTO doc_overrides VALUES (?,?,?,?)",
            [(doc_id, f.get("title") or None, f.get("source"), f.get("date")) for doc_id, f in overrides.items()],
        )
        replaced = {
            "title": "COALESCE(o.title, d.title) AS title",
            "source": "NULLIF(COALESCE(o.source, d.source), '') AS source",
            "date": "NULLIF(COALESCE(o.date, d.date), '') AS date",
        }
        columns = [row[1] for row in self.db.execute("PRAGMA main.table_info(documents)")]
        select = ", ".join(replaced.get(c, f"d.{c}") for c in columns)
        self.db.execute(f"CREATE TEMP VIEW documents AS SELECT {select} FROM main.documents d LEFT JOIN doc_overrides o USING (doc_id)")

    def close(self) -> None:
        self.db.close()

    def add_documents(self, documents: Iterable[StoredDocument]) -> None:
        with self.db:
            self.db.executemany(
                "INSERT INTO documents VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    (
                        d.doc_id,
                        d.root,
                        d.title,
                        d.source,
                        d.date,
                        d.content_hash,
                        d.format,
                        d.encoding,
                        d.text,
                        d.cleaned,
                        d.dropped,
                        d.n_chunks,
                        d.articles,
                    )
                    for d in documents
                ),
            )

    def add_chunks(self, chunks: Iterable[StoredChunk]) -> None:
        with self.db:
            self.db.executemany(
                "INSERT INTO chunks VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    (
                        s.id,
                        c.doc_id,
                        c.ordinal,
                        c.text,
                        c.headline,
                        c.start,
                        c.end,
                        c.orig_start,
                        c.orig_end,
                        json.dumps(c.sentences),
                        c.n_tokens,
                        s.embed,
                        c.article,
                        c.title,
                        c.source,
                        c.date,
                    )
                    for s in chunks
                    for c in [s.chunk]
                ),
            )

    def documents(self, columns: str = "*") -> list[sqlite3.Row]:
        return self.db.execute(f"SELECT {columns} FROM documents ORDER BY doc_id").fetchall()

    def document(self, doc_id: str) -> StoredDocument | None:
        row = self.db.execute("SELECT * FROM documents WHERE doc_id = ?", (doc_id,)).fetchone()
        return StoredDocument(**dict(row)) if row else None  # older rows lack `articles`: its default applies

    def cleaned_before(self, doc_id: str, end: int) -> str:
        """The cleaned text of a document up to `end`: what precedes a passage (a transcript's turn label)."""
        row = self.db.execute("SELECT substr(cleaned, 1, ?) FROM documents WHERE doc_id = ?", (end, doc_id)).fetchone()
        return row[0] if row else ""

    def chunks_of(self, doc_id: str) -> list[StoredChunk]:
        rows = self.db.execute("SELECT * FROM chunks WHERE doc_id = ? ORDER BY ordinal", (doc_id,)).fetchall()
        return [_stored_chunk(row) for row in rows]

    def chunks(self, ids: Sequence[int]) -> dict[int, StoredChunk]:
        out: dict[int, StoredChunk] = {}
        for i in range(0, len(ids), 900):
            batch = [int(x) for x in ids[i : i + 900]]
            marks = ",".join("?" * len(batch))
            for row in self.db.execute(f"SELECT * FROM chunks WHERE id IN ({marks})", batch):
                out[row["id"]] = _stored_chunk(row)
        return out

    def chunk_ids_where(self, where: str, params: Sequence[object]) -> list[int]:
        sql = f"SELECT c.id FROM chunks c JOIN documents d ON d.doc_id = c.doc_id WHERE {where}"
        return [row[0] for row in self.db.execute(sql, list(params))]

    def has_article_columns(self) -> bool:
        """Whether chunks carry article metadata (indexes built before articles existed do not)."""
        return "source" in {row[1] for row in self.db.execute("PRAGMA table_info(chunks)")}

    def count_where(self, where: str, params: Sequence[object]) -> tuple[int, int]:
        """(chunks, documents) matching a WHERE clause over `chunks c JOIN documents d`."""
        sql = f"SELECT COUNT(*), COUNT(DISTINCT d.doc_id) FROM chunks c JOIN documents d ON d.doc_id = c.doc_id WHERE {where}"
        chunks, docs = self.db.execute(sql, list(params)).fetchone()
        return int(chunks), int(docs)

    def source_counts(self) -> dict[str, int]:
        """Documents per source, an article's own source included (what a source filter matches), largest first."""
        source = "COALESCE(c.source, d.source)" if self.has_article_columns() else "d.source"
        sql = (
            f"SELECT {source} AS name, COUNT(DISTINCT d.doc_id) AS n FROM chunks c JOIN documents d ON d.doc_id = c.doc_id "
            "WHERE name IS NOT NULL AND name != '' GROUP BY name ORDER BY n DESC, name"
        )
        return {row["name"]: row["n"] for row in self.db.execute(sql)}

    def count(self, table: str) -> int:
        return int(self.db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])


def _stored_chunk(row: sqlite3.Row) -> StoredChunk:
    chunk = Chunk(
        doc_id=row["doc_id"],
        ordinal=row["ordinal"],
        text=row["text"],
        headline=row["headline"],
        start=row["start"],
        end=row["end"],
        orig_start=row["orig_start"],
        orig_end=row["orig_end"],
        sentences=tuple(tuple(pair) for pair in json.loads(row["sentences"])),
        n_tokens=row["n_tokens"],
        **{key: row[key] for key in ("article", "title", "source", "date") if key in row.keys()},  # noqa: SIM118 (`in` on a Row tests values)
    )
    return StoredChunk(id=row["id"], chunk=chunk, embed=row["embed"])


def read_ahead(path: Path, memory_share: float = 0.25) -> threading.Thread | None:
    """Read the store once, in the background, into the OS page cache.

    A question fetches ~150 rows scattered over the file; on a cold cache each is a random disk read (about 50 ms a
    question over a 46k-passage store), while one sequential pass costs a fraction of a second. Skipped when the file
    would take more than `memory_share` of the free memory, where it would only evict something else.
    """
    try:
        size = path.stat().st_size
        free = os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, AttributeError):
        return None
    if size > memory_share * free:
        return None

    def read() -> None:
        try:
            with path.open("rb", buffering=0) as f:
                while f.read(1 << 20):
                    pass
        except OSError as exc:
            logger.debug("read-ahead of %s stopped: %s", path, exc)

    thread = threading.Thread(target=read, name="store-read-ahead", daemon=True)
    thread.start()
    return thread
