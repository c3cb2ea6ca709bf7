"""Milvus as the vector and BM25 store: a Milvus Lite file (embedded) or a Milvus server.

Each build writes a new collection `<alias>__<stamp>` holding, per chunk, its vector, text, spans and
the filterable fields (doc, source, date), plus a BM25 sparse vector computed by Milvus' own BM25
function. The manifest of the generation names that collection, so a Searcher always pairs the
SQLite store with the collection built with it. After the generation is published the alias is
switched to the new collection and the previous collection is dropped; a build interrupted before
that leaves the old collection live and its half-written collection is dropped by the next build.

BM25 text is tokenized by sitroom (lexical.tokenize: stemming, stop words, "U.S." → usa) and stored
as space-separated tokens, because Milvus Lite's analyzer only splits on \\w+ and lowercases (no
stemmer, no built-in stop list): Milvus then computes IDF, length normalisation and scores with the
same k1 and b as bm25s. Dense and BM25 candidates are fused by sitroom (retrieval/fusion.py), not by
Milvus' hybrid_search rankers, because the default convex fusion needs each retriever's raw scores.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from index import lexical
from index.manifest import Manifest
from index.store import StoredChunk, StoredDocument
from sitroom.config import Settings, VectorIndexConfig
from sitroom.errors import SitroomError

if TYPE_CHECKING:
    from pymilvus import MilvusClient

    from retrieval.passages import Filters

logger = logging.getLogger(__name__)

LITE_FILE = "milvus.db"
DEFAULT_ALIAS = "sitroom"
SEPARATOR = "__"  # between the alias and a generation's stamp in collection names
BM25_K1, BM25_B = 1.5, 0.75  # bm25s' defaults, so both backends score alike
VARCHAR_MAX = 65_535
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,199}")
_OUTPUT = ["id"]
_SERVER_SCHEMES = ("http://", "https://", "tcp://", "unix:")

_clients: dict[str, MilvusClient] = {}
_clients_lock = threading.Lock()


def resolve_uri(settings: Settings, recorded: str | None = None) -> str:
    """--milvus-uri / SITROOM_MILVUS_URI, else what the index was built with, else INDEX_DIR/milvus.db (Milvus Lite)."""
    return configured(settings) or recorded or lite_default(settings)


def configured(settings: Settings) -> str | None:
    """--milvus-uri / SITROOM_MILVUS_URI, a Lite file made absolute: the manifest records it for later runs from any folder."""
    uri = settings.vector_store.milvus_uri
    return str(Path(uri).resolve()) if uri and is_lite(uri) else uri


def lite_default(settings: Settings) -> str:
    return str((settings.index_dir / LITE_FILE).resolve())


def is_lite(uri: str) -> bool:
    return uri.endswith(".db")


def client(uri: str, timeout_s: float = 10.0) -> MilvusClient:
    """One client per URI and process: Milvus Lite lets only one process open a file, and starting it takes ~0.5 s."""
    with _clients_lock:
        if uri not in _clients:
            from pymilvus import MilvusClient

            _quiet_engine_logs()
            if not is_lite(uri) and not uri.startswith(_SERVER_SCHEMES):
                raise SitroomError(f"Milvus URI {uri!r} is neither a Milvus Lite file (*.db) nor a server URL like http://host:19530")
            try:
                if is_lite(uri):
                    Path(uri).parent.mkdir(parents=True, exist_ok=True)
                _clients[uri] = MilvusClient(uri=uri, timeout=timeout_s)
            except Exception as exc:  # pymilvus raises several unrelated types for one cause
                raise SitroomError(_unreachable(uri, exc)) from exc
        return _clients[uri]


def _quiet_engine_logs() -> None:
    """pymilvus logs every failed RPC with a traceback (an absent alias on a first build is one), and Milvus Lite's in-process
    gRPC server logs calls it does not implement; the exceptions still reach sitroom, which reports them in one line."""
    for name in ("pymilvus", "grpc._server"):
        logging.getLogger(name).setLevel(logging.CRITICAL)


def _unreachable(uri: str, exc: Exception) -> str:
    reason = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    if is_lite(uri) and isinstance(exc, OSError):
        return f"cannot open the Milvus Lite file {uri}: {reason}"
    if is_lite(uri):
        return (
            f"cannot open the Milvus Lite file {uri}: {reason} (Milvus Lite lets one process open a file at a time: "
            "is another sitroom using it, e.g. `sitroom ui`?)"
        )
    return f"cannot reach Milvus at {uri}: {reason}; check --milvus-uri / SITROOM_MILVUS_URI and that the server is running"


def disconnect(uri: str) -> None:
    """Close the process's client for `uri` (stops an embedded Milvus Lite)."""
    with _clients_lock:
        found = _clients.pop(uri, None)
    if found is not None:
        found.close()


def target(settings: Settings, live: dict[str, Any] | None) -> tuple[str | None, str]:
    """URI as recorded (None: the Lite file in the index) and alias for a build: configured, else the live index's."""
    previous = live if live and live["backend"] == "milvus" else {}
    config = settings.vector_store
    return configured(settings) or previous.get("uri"), _checked(config.milvus_collection or previous.get("alias") or DEFAULT_ALIAS)


def _checked(alias: str) -> str:
    if not _NAME.fullmatch(alias) or SEPARATOR in alias:
        raise SitroomError(
            f"Milvus collection name {alias!r} is not valid (letters, digits and single underscores, starting with a letter or _)"
        )
    return alias


# ---------------------------------------------------------------------------------------------
# Filters as Milvus expressions.


def _literal(value: str) -> str:
    """A double-quoted Milvus string literal; control characters other than tab and newlines are dropped."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")
    return '"' + "".join(c for c in escaped if c >= " ") + '"'


def _contains(value: str) -> str:
    """A LIKE pattern matching `value` anywhere, its own % and _ taken literally."""
    return "%" + value.replace("%", "\\%").replace("_", "\\_") + "%"


def expression(filters: Filters | None) -> str:
    """The same filters as `Filters.sql()`: source substring (case-insensitive), dates inclusive, exact document."""
    if filters is None or filters.is_empty():
        return ""
    clauses: list[str] = []
    if filters.source:
        clauses.append(f"source_lc like {_literal(_contains(filters.source.lower()))}")
    if filters.since or filters.until:
        clauses.append('date != ""')  # undated documents never match a date filter
    if filters.since:
        clauses.append(f"date >= {_literal(filters.since)}")
    if filters.until:
        clauses.append(f"date <= {_literal(filters.until)}")
    if filters.doc:
        clauses.append(f"doc == {_literal(filters.doc)}")
    return " and ".join(clauses)


# ---------------------------------------------------------------------------------------------
# Writing a generation.


def _schema(milvus: MilvusClient, dimension: int) -> Any:
    from pymilvus import DataType, Function, FunctionType

    schema = milvus.create_schema(auto_id=False, enable_dynamic_field=False)
    schema.add_field("id", DataType.INT64, is_primary=True)
    schema.add_field("vector", DataType.FLOAT_VECTOR, dim=dimension)
    for name in ("doc", "source", "source_lc", "date", "headline", "text", "sentences"):
        schema.add_field(name, DataType.VARCHAR, max_length=VARCHAR_MAX)
    for name in ("start", "end", "orig_start", "orig_end"):
        schema.add_field(name, DataType.INT64)
    schema.add_field(
        "lexical",
        DataType.VARCHAR,
        max_length=VARCHAR_MAX,
        enable_analyzer=True,
        enable_match=True,
        analyzer_params={"tokenizer": "standard"},
    )
    schema.add_field("sparse", DataType.SPARSE_FLOAT_VECTOR)
    schema.add_function(
        Function(name="bm25", function_type=FunctionType.BM25, input_field_names=["lexical"], output_field_names=["sparse"])
    )
    return schema


def _index_params(milvus: MilvusClient, rows: int, config: VectorIndexConfig) -> Any:
    """Exact (FLAT) below the ANN threshold like the FAISS backend, HNSW with the same M above it."""
    params = milvus.prepare_index_params()
    if rows < config.ann_threshold:
        params.add_index("vector", index_type="FLAT", metric_type="IP")
    else:
        params.add_index(
            "vector", index_type="HNSW", metric_type="IP", params={"M": config.hnsw_m, "efConstruction": config.hnsw_ef_construction}
        )
    params.add_index("sparse", index_type="SPARSE_INVERTED_INDEX", metric_type="BM25", params={"bm25_k1": BM25_K1, "bm25_b": BM25_B})
    return params


def write(
    settings: Settings,
    chunks: Sequence[StoredChunk],
    documents: Sequence[StoredDocument],
    embeddings: np.ndarray,
    live: dict[str, Any] | None,
) -> dict[str, Any]:
    """A new collection with every chunk; the live one is untouched until `retire` after the swap."""
    from tqdm import tqdm

    recorded, alias = target(settings, live)
    uri = recorded or lite_default(settings)
    milvus = client(uri, settings.vector_store.milvus_timeout_s)
    _sweep(milvus, alias, keep={_alias_target(milvus, alias), (live or {}).get("collection")})
    name = f"{alias}{SEPARATOR}{time.strftime('%Y%m%dT%H%M%S')}_{uuid.uuid4().hex[:8]}"
    milvus.create_collection(
        name, schema=_schema(milvus, int(embeddings.shape[1])), index_params=_index_params(milvus, len(chunks), settings.vectors),
        consistency_level="Strong",
    )  # fmt: skip
    meta = {d.doc_id: d for d in documents}
    tokens = lexical.tokenize([c.embed for c in chunks])
    batch = settings.vector_store.milvus_insert_batch
    bar = tqdm(total=len(chunks), desc="milvus", unit="chunk", disable=len(chunks) < 5 * batch, leave=False)
    for at in range(0, len(chunks), batch):
        rows = [_row(c, meta[c.chunk.doc_id], embeddings[at + i], tokens[at + i]) for i, c in enumerate(chunks[at : at + batch])]
        milvus.insert(name, rows)
        bar.update(len(rows))
    bar.close()
    milvus.flush(name)
    logger.info("wrote %d chunks to Milvus collection %s at %s", len(chunks), name, uri)
    return {"backend": "milvus", "uri": recorded, "alias": alias, "collection": name}


def _row(stored: StoredChunk, doc: StoredDocument, vector: np.ndarray, tokens: list[str]) -> dict[str, Any]:
    chunk = stored.chunk
    lead = chunk.article == 0  # as passages show them: sub-articles never take the document's source or date
    source = chunk.source or (doc.source if lead else None) or ""
    when = chunk.date or (doc.date if lead else None) or ""
    return {
        "id": stored.id, "vector": vector, "doc": chunk.doc_id, "source": source, "source_lc": source.lower(),
        "date": when, "headline": chunk.headline or "", "text": chunk.text, "sentences": json.dumps(chunk.sentences),
        "start": chunk.start, "end": chunk.end, "orig_start": chunk.orig_start, "orig_end": chunk.orig_end, "lexical": " ".join(tokens),
    }  # fmt: skip


def _alias_target(milvus: MilvusClient, alias: str) -> str | None:
    try:
        return milvus.describe_alias(alias).get("collection_name")
    except Exception:  # no such alias
        return None


def _sweep(milvus: MilvusClient, alias: str, keep: set[str | None]) -> None:
    """Drop this alias's collections other than `keep`: left by interrupted builds or an earlier failed drop."""
    for name in milvus.list_collections():
        if name.startswith(alias + SEPARATOR) and name not in keep:
            logger.info("dropping stale Milvus collection %s", name)
            milvus.drop_collection(name)


def retire(settings: Settings, previous: dict[str, Any] | None, current: dict[str, Any]) -> None:
    """After the swap: point the alias at the new collection, then drop the previous generation's collection.

    Failures only log: the new generation is already live and the next build sweeps what is left.
    """
    try:
        if current["backend"] == "milvus":
            milvus = client(current.get("uri") or lite_default(settings), settings.vector_store.milvus_timeout_s)
            alias, name = current["alias"], current["collection"]
            if _alias_target(milvus, alias) is None:
                milvus.create_alias(name, alias)
            else:
                milvus.alter_alias(name, alias)
        if previous and previous.get("backend") == "milvus" and previous.get("collection") != current.get("collection"):
            milvus = client(previous.get("uri") or lite_default(settings), settings.vector_store.milvus_timeout_s)
            if _alias_target(milvus, previous["alias"]) == previous["collection"]:  # the alias moved elsewhere or away
                milvus.drop_alias(previous["alias"])
            milvus.drop_collection(previous["collection"])
    except SitroomError as exc:
        logger.warning("could not release the previous Milvus collection: %s", exc)
    except Exception as exc:
        logger.warning("could not release the previous Milvus collection: %s", getattr(exc, "message", exc))


# ---------------------------------------------------------------------------------------------
# Searching a generation.


class MilvusStore:
    """The `VectorStore` of a generation whose vectors and BM25 live in a Milvus collection."""

    def __init__(self, milvus: MilvusClient, uri: str, collection: str, config: VectorIndexConfig) -> None:
        self.milvus, self.uri, self.collection = milvus, uri, collection
        self.ef = config.hnsw_ef_search
        self.size = int(milvus.get_collection_stats(collection)["row_count"])

    @classmethod
    def open(cls, settings: Settings, manifest: Manifest) -> MilvusStore:
        info = manifest.vector_store
        uri = resolve_uri(settings, info.get("uri"))
        milvus = client(uri, settings.vector_store.milvus_timeout_s)
        if not milvus.has_collection(info["collection"]):
            raise SitroomError(
                f"Milvus collection {info['collection']} of the index at {settings.index_dir} is missing at {uri}; "
                "rebuild with `sitroom index --rebuild PATH`"
            )
        milvus.load_collection(info["collection"])
        return cls(milvus, uri, info["collection"], settings.vectors)

    def _search(self, data: list[Any], field: str, k: int, filters: Filters | None, params: dict[str, Any]) -> list[dict[str, Any]]:
        if k < 1 or not self.size:
            return []
        try:
            hits = self.milvus.search(
                self.collection, data=data, anns_field=field, limit=min(k, self.size), filter=expression(filters),
                search_params=params, output_fields=_OUTPUT,
            )  # fmt: skip
        except Exception as exc:
            raise SitroomError(f"Milvus search on {self.collection} at {self.uri} failed: {getattr(exc, 'message', exc)}") from exc
        return list(hits[0])

    def dense(self, query: np.ndarray, k: int, filters: Filters | None) -> dict[int, float]:
        params = {"metric_type": "IP", "params": {"ef": max(self.ef, k)}}
        hits = self._search([np.asarray(query, dtype=np.float32).ravel().tolist()], "vector", k, filters, params)
        return {int(h["id"]): float(h["distance"]) for h in hits}

    def lexical(self, query: str, k: int, filters: Filters | None) -> dict[int, float]:
        tokens = lexical.tokenize([query])[0]
        if not tokens:
            return {}
        hits = self._search([" ".join(tokens)], "sparse", k, filters, {"metric_type": "BM25"})
        # BM25 is never negative; Milvus Lite reports it negated (as a distance), a server as a similarity.
        return {int(h["id"]): abs(float(h["distance"])) for h in hits if h["distance"]}

    def vectors(self, ids: Sequence[int]) -> np.ndarray:
        if not len(ids):
            return np.empty((0, 0), dtype=np.float32)
        rows = {int(r["id"]): r["vector"] for r in self.milvus.query(self.collection, ids=[int(i) for i in ids], output_fields=["vector"])}
        return np.asarray([rows[int(i)] for i in ids], dtype=np.float32)

    def document_frequencies(self, terms: Sequence[str]) -> tuple[int, dict[str, int]]:
        counts = {}
        for term in terms:
            found = self.milvus.query(self.collection, filter=f"TEXT_MATCH(lexical, {_literal(term)})", output_fields=["count(*)"])
            counts[term] = int(found[0]["count(*)"])
        return self.size, counts
