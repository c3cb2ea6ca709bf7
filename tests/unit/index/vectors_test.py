"""Vector indexes: flat below the threshold, IVF/HNSW above it, with the exact top 10 at ≥ 0.95 recall."""

from __future__ import annotations

from pathlib import Path

import faiss
import numpy as np
import pytest

from index import vectors
from sitroom.config import VectorIndexConfig

DIM = 64


@pytest.fixture(scope="module")
def data() -> tuple[np.ndarray, np.ndarray]:
    """20k unit vectors around 200 topics, and 100 queries near them: neighbourhoods like real embeddings'."""
    rng = np.random.default_rng(0)
    topics = rng.standard_normal((200, DIM), dtype=np.float32)
    points = topics[rng.integers(200, size=20_100)] + rng.standard_normal((20_100, DIM), dtype=np.float32)
    points /= np.linalg.norm(points, axis=1, keepdims=True)
    return points[:20_000], points[20_000:]


def exact_top10(base: np.ndarray, queries: np.ndarray, allowed: np.ndarray | None = None) -> np.ndarray:
    scores = queries @ base.T
    if allowed is not None:
        mask = np.full(len(base), -np.inf, dtype=np.float32)
        mask[allowed] = 0
        scores = scores + mask
    return np.argsort(-scores, axis=1)[:, :10]


def recall(index: faiss.Index, queries: np.ndarray, truth: np.ndarray, allowed: np.ndarray | None = None) -> float:
    return float(np.mean([len(set(vectors.search(index, q, 10, allowed)[1]) & set(t)) / 10 for q, t in zip(queries, truth, strict=True)]))


@pytest.fixture(scope="module", params=["ivf", "hnsw"])
def ann(request: pytest.FixtureRequest, data: tuple[np.ndarray, np.ndarray], tmp_path_factory: pytest.TempPathFactory) -> faiss.Index:
    """An ANN index forced by a low threshold, saved and loaded back memory-mapped as the searcher does."""
    base, _ = data
    index = vectors.build(base, np.arange(len(base)), VectorIndexConfig(ann_threshold=1_000, ann=request.param))
    path = tmp_path_factory.mktemp("ann") / "vectors.faiss"
    vectors.save(index, path)
    loaded = vectors.load(path)
    assert vectors.kind(loaded) == request.param
    return loaded


def test_small_collections_stay_exact(data: tuple[np.ndarray, np.ndarray], tmp_path: Path) -> None:
    base, queries = data
    index = vectors.build(base, np.arange(len(base)), VectorIndexConfig(ann_threshold=len(base) + 1))
    vectors.save(index, tmp_path / "v.faiss")
    loaded = vectors.load(tmp_path / "v.faiss")
    assert vectors.kind(loaded) == "flat"
    assert recall(loaded, queries, exact_top10(base, queries)) == 1.0


def test_ann_returns_the_exact_top10(ann: faiss.Index, data: tuple[np.ndarray, np.ndarray]) -> None:
    base, queries = data
    assert recall(ann, queries, exact_top10(base, queries)) >= 0.95


def test_ann_reconstructs_stored_vectors(ann: faiss.Index, data: tuple[np.ndarray, np.ndarray]) -> None:
    base, _ = data
    for chunk_id in (0, 7, 12_345, 19_999):
        np.testing.assert_allclose(ann.reconstruct(chunk_id), base[chunk_id], atol=1e-6)


def test_a_narrow_filter_is_searched_exactly(ann: faiss.Index, data: tuple[np.ndarray, np.ndarray]) -> None:
    base, queries = data
    allowed = np.arange(500, 900)
    scores, ids = vectors.search(ann, queries[0], 10, allowed)
    np.testing.assert_array_equal(ids, exact_top10(base, queries[:1], allowed)[0])
    assert np.all(np.diff(scores) <= 0)


def test_a_wide_filter_keeps_recall_and_excludes_the_rest(
    ann: faiss.Index, data: tuple[np.ndarray, np.ndarray], monkeypatch: pytest.MonkeyPatch
) -> None:
    base, queries = data
    monkeypatch.setattr(vectors, "EXACT_FILTER_MAX", 1_000)  # so 10k allowed ids go through the ANN index's own filter
    allowed = np.arange(0, len(base), 2)
    for q in queries[:20]:
        assert set(vectors.search(ann, q, 10, allowed)[1]) <= set(allowed.tolist())
    assert recall(ann, queries, exact_top10(base, queries, allowed), allowed) >= 0.9


def test_filters_with_fewer_matches_than_k_pad_with_minus_one(ann: faiss.Index, data: tuple[np.ndarray, np.ndarray]) -> None:
    _, queries = data
    scores, ids = vectors.search(ann, queries[0], 10, np.array([3, 4, 5]))
    assert np.isneginf(scores[3:]).all()
    assert sorted(ids[:3]) == [3, 4, 5] and list(ids[3:]) == [-1] * 7


def test_unknown_ann_kind_is_refused(data: tuple[np.ndarray, np.ndarray]) -> None:
    base, _ = data
    with pytest.raises(ValueError, match="unknown ANN"):
        vectors.build(base, np.arange(len(base)), VectorIndexConfig(ann_threshold=10, ann="lsh"))
