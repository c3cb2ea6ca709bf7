from __future__ import annotations

from dataclasses import replace

import pytest

from eval import compare
from eval.runner import QuestionResult, Report
from eval.sets import Evidence
from sitroom.config import RERANKER_BUNDLED, RERANKER_OFF, Settings
from sitroom.errors import SitroomError


def result(qid: str, hit: float, latency: float = 10.0) -> QuestionResult:
    return QuestionResult(
        id=qid, question=f"question {qid}?", unanswerable=False, evidence=(Evidence("a.txt", "quote"),), first_ranks=[1 if hit else None],
        retrieved=10, top=[], answer="", abstained=False, cited=0, cited_valid=0, latency_ms=latency, scores={"hit@1": hit},
    )  # fmt: skip


def report(variant: str, hits: list[float]) -> Report:
    results = [result(f"q{i}", h) for i, h in enumerate(hits)]
    return Report(variant, {"mode": variant}, {"hit@1": sum(hits) / len(hits), "latency_p50_ms": 10.0}, [0.5] * 10, results)


def test_parse_variants_accepts_modes_fusions_and_aliases():
    assert compare.parse_variants("dense, bm25,hybrid,rrf,convex") == ["dense", "bm25", "hybrid", "hybrid-rrf", "hybrid-convex"]
    for bad in ("dense", "dense,dense", "dense,colbert"):
        with pytest.raises(SitroomError):
            compare.parse_variants(bad)


def test_variant_settings_change_only_mode_and_fusion():
    base = Settings()
    convex = compare.variant_settings("hybrid-convex", base)
    assert (convex.retrieval.mode, convex.retrieval.fusion, convex.retrieval.k) == ("hybrid", "convex", base.retrieval.k)
    assert compare.variant_settings("bm25", base).retrieval.fusion == base.retrieval.fusion


def test_weighted_convex_variant_sets_the_dense_weight():
    assert compare.parse_variants("hybrid-convex@0.3,hybrid-rrf") == ["hybrid-convex@0.3", "hybrid-rrf"]
    settings = compare.variant_settings("hybrid-convex@0.3", Settings()).retrieval
    assert (settings.mode, settings.fusion, settings.dense_weight) == ("hybrid", "convex", 0.3)
    with pytest.raises(SitroomError):
        compare.parse_variants("hybrid-convex@1.5,dense")


def test_paired_tests_pair_questions_and_flag_real_differences():
    always, never, noisy, same = report("a", [1.0] * 12), report("b", [0.0] * 12), report("c", [1.0, 0.0] * 6), report("d", [1.0] * 12)
    tests = {(t.a, t.b): t for t in compare.paired_tests([always, never, noisy, same])}
    assert tests["a", "b"].metric == "hit@1" and tests["a", "b"].n == 12
    assert tests["a", "b"].delta == -1.0 and tests["a", "b"].p == 0.0
    assert tests["a", "c"].p < 0.05 and tests["a", "c"].delta == -0.5
    assert tests["a", "d"].delta == 0.0 and tests["a", "d"].p == 1.0  # no difference at all: t undefined, reported as p = 1


def test_table_puts_variants_side_by_side_and_marks_significance():
    base, worse = report("dense", [1.0] * 12), report("bm25", [1.0, 0.0] * 6)
    text = compare.table([base, worse], compare.paired_tests([base, worse]))
    header, first, *_ = text.splitlines()
    assert header.split() == ["dense", "bm25"]
    assert first.split() == ["hit@1", "1.000", "0.500*"]
    assert "vs dense" in text.splitlines()[-1]


def test_reranked_variants_turn_the_cross_encoder_on_and_first_stage_variants_off():
    base = Settings()
    assert compare.parse_variants("hybrid-convex,reranked@20,reranked-rrf") == ["hybrid-convex", "reranked@20", "reranked-rrf"]
    deep = compare.variant_settings("reranked@20", replace(base, rerank=replace(base.rerank, model=RERANKER_OFF)))
    assert (deep.rerank.model, deep.rerank.candidates, deep.retrieval.fusion) == (RERANKER_BUNDLED, 20, base.retrieval.fusion)
    assert (deep.rerank.first_candidates, deep.rerank.deep_candidates) == (0, 20)  # a fixed depth: no shallower or deeper pass
    adaptive = compare.variant_settings(compare.parse_variants("reranked@10-40,hybrid")[0], base)
    assert (adaptive.rerank.candidates, adaptive.rerank.deep_candidates) == (10, 40)
    assert compare.variant_settings("reranked-rrf", base).retrieval.fusion == "rrf"
    for first_stage in ("dense", "bm25", "hybrid-rrf", "hybrid-convex", "hybrid-convex@0.3"):
        assert compare.variant_settings(first_stage, base).rerank.model == RERANKER_OFF
    assert compare.variant_settings("hybrid", base).rerank == base.rerank
