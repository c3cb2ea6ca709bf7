from __future__ import annotations

import pytest

from retrieval.fusion import convex, fuse, rrf


def test_rrf_hand_computed():
    fused = rrf([[1, 2, 3], [3, 1]], k=60)
    assert fused[1] == pytest.approx(1 / 61 + 1 / 62)
    assert fused[3] == pytest.approx(1 / 63 + 1 / 61)
    assert fused[2] == pytest.approx(1 / 62)


def test_convex_normalises_each_list():
    fused = convex({1: 0.9, 2: 0.5}, {2: 10.0, 3: 2.0}, dense_weight=0.5)
    assert fused == pytest.approx({1: 0.5, 2: 0.5, 3: 0.0})


def test_fuse_rejects_unknown_method():
    with pytest.raises(ValueError):
        fuse("max", {}, {})
