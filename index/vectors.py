"""FAISS vector index: exact inner product over normalised vectors, with explicit ids."""

from __future__ import annotations

from pathlib import Path

import faiss
import numpy as np


def build(vectors: np.ndarray, ids: np.ndarray) -> faiss.Index:
    index = faiss.IndexIDMap2(faiss.IndexFlatIP(vectors.shape[1]))
    if len(ids):
        index.add_with_ids(np.ascontiguousarray(vectors, dtype=np.float32), np.asarray(ids, dtype=np.int64))
    return index


def save(index: faiss.Index, path: Path) -> None:
    faiss.write_index(index, str(path))


def load(path: Path, mmap: bool = False) -> faiss.Index:
    flags = faiss.IO_FLAG_MMAP | faiss.IO_FLAG_READ_ONLY if mmap else 0
    return faiss.read_index(str(path), flags)


def search(index: faiss.Index, query: np.ndarray, k: int, allowed: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(scores, ids) of the top `k`, optionally restricted to `allowed` ids; ids of -1 are padding."""
    params = None
    if allowed is not None:
        params = faiss.SearchParameters(sel=faiss.IDSelectorBatch(np.asarray(allowed, dtype=np.int64)))
    scores, ids = index.search(query.reshape(1, -1).astype(np.float32), k, params=params)
    return scores[0], ids[0]
