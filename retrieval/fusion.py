"""Rank fusion of dense and BM25 results: reciprocal rank fusion and a min-max normalised convex sum."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np


def rrf(rankings: Sequence[Sequence[int]], k: int = 60) -> dict[int, float]:
    """Reciprocal rank fusion (Cormack et al. 2009): score = Σ 1 / (k + rank), ranks from 1."""
    fused: dict[int, float] = {}
    for ranking in rankings:
        for rank, item in enumerate(ranking, start=1):
            fused[item] = fused.get(item, 0.0) + 1.0 / (k + rank)
    return fused


def _minmax(scores: Mapping[int, float]) -> dict[int, float]:
    if not scores:
        return {}
    values = np.fromiter(scores.values(), dtype=np.float64)
    low, span = values.min(), values.max() - values.min()
    return {item: (value - low) / span if span > 0 else 1.0 for item, value in scores.items()}


def convex(dense: Mapping[int, float], lexical: Mapping[int, float], dense_weight: float = 0.5) -> dict[int, float]:
    """w · minmax(dense) + (1 − w) · minmax(bm25); an item missing from one list scores 0 there."""
    d, b = _minmax(dense), _minmax(lexical)
    return {item: dense_weight * d.get(item, 0.0) + (1 - dense_weight) * b.get(item, 0.0) for item in d.keys() | b.keys()}


def fuse(
    method: str, dense: Mapping[int, float], lexical: Mapping[int, float], rrf_k: int = 60, dense_weight: float = 0.5
) -> dict[int, float]:
    if method == "rrf":
        order = [sorted(scores, key=scores.__getitem__, reverse=True) for scores in (dense, lexical)]
        return rrf(order, k=rrf_k)
    if method == "convex":
        return convex(dense, lexical, dense_weight)
    raise ValueError(f"unknown fusion {method!r} (rrf or convex)")
