"""Ranking metrics (from ranx) and answer metrics for one eval question, and their averages.

Ranking metrics are evidence-level: each evidence item is a relevant "document" for ranx, placed
in the ranked list at the rank of the first passage covering it, with a non-relevant filler at
every rank whose passage covers nothing new. So Hit@k and MRR see the first covering passage's
rank, Recall@k is the share of evidence items covered within the top k, and nDCG rewards covering
each item early but never twice (a second passage with the same quote gains nothing). When one
passage is the first to cover several items they take consecutive places, as a list must.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import replace

import numpy as np
from ranx import Qrels, Run, evaluate

from eval.relevance import normalize, span_covers
from eval.sets import Evidence
from retrieval.answer import Answer, cited_spans_valid

logger = logging.getLogger(__name__)

# Our name → ranx's name.
RANKING_METRICS = {
    "hit@1": "hit_rate@1",
    "hit@3": "hit_rate@3",
    "hit@5": "hit_rate@5",
    "hit@10": "hit_rate@10",
    "recall@5": "recall@5",
    "recall@10": "recall@10",
    "mrr@10": "mrr@10",
    "ndcg@10": "ndcg@10",
}


def ranx_scores(
    qrels: Mapping[str, Mapping[str, int]], run: Mapping[str, Mapping[str, float]], metrics: Mapping[str, str]
) -> dict[str, dict[str, float]]:
    """Per-query values {query: {our name: value}} for every query in `qrels`; a query missing from `run` scores 0."""
    ranked = {query: dict(run[query]) for query in qrels if run.get(query)}
    if not ranked:  # ranx cannot build an empty run
        return {query: dict.fromkeys(metrics, 0.0) for query in qrels}
    ranx_run = Run.from_dict(ranked)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # numba's uint64→int64 cast warning inside ranx
        evaluate(Qrels.from_dict({q: dict(r) for q, r in qrels.items()}), ranx_run, list(metrics.values()), make_comparable=True)
    return {query: {ours: float(ranx_run.scores[theirs][query]) for ours, theirs in metrics.items()} for query in qrels}


def evidence_run(first_ranks: Sequence[int | None], retrieved: int) -> dict[str, float]:
    """The ranked list ranx sees for one question: evidence ids `e{i}` at their first-cover ranks, fillers elsewhere."""
    entries: dict[str, int] = {}
    position = 0
    for rank, item in sorted((rank, i) for i, rank in enumerate(first_ranks) if rank is not None):
        position = max(rank, position + 1)
        entries[f"e{item}"] = position
    used = set(entries.values())
    entries |= {f"~{p}": p for p in range(1, max(retrieved, position) + 1) if p not in used}
    return {entry: 1.0 / place for entry, place in entries.items()}


def evidence_qrels(n_evidence: int) -> dict[str, int]:
    return {f"e{i}": 1 for i in range(n_evidence)}


def ranking_metrics(
    first_ranks: Mapping[str, Sequence[int | None]], retrieved: Mapping[str, int], metrics: Mapping[str, str] = RANKING_METRICS
) -> dict[str, dict[str, float]]:
    """{question: {metric: value}} from each evidence item's first covering rank (None when not retrieved)."""
    qrels = {q: evidence_qrels(len(ranks)) for q, ranks in first_ranks.items() if ranks}
    run = {q: evidence_run(first_ranks[q], retrieved[q]) for q in qrels}
    return ranx_scores(qrels, run, metrics)


def hit_metrics(k: int) -> dict[str, str]:
    """Hit@1…Hit@k, for the Hit@k curve."""
    return {f"hit@{i}": f"hit_rate@{i}" for i in range(1, k + 1)}


def answer_contains(answer: Answer, expected: Sequence[str]) -> float:
    """Share of the expected strings found (normalized) in the answer's sentences; an abstention finds none."""
    if not expected:
        return 0.0
    text = normalize(" ".join(s.text for s in answer.sentences))
    return sum(normalize(e) in text for e in expected) / len(expected)


def evidence_in_answer(answer: Answer, evidence: Sequence[Evidence], doc_texts: Mapping[str, str]) -> bool:
    """Whether a cited answer sentence covers an evidence quote (the relevance rule, applied to the sentence's span)."""
    return any(e.doc in doc_texts and span_covers(s.doc, s.start, s.end, e, doc_texts[e.doc]) for s in answer.sentences for e in evidence)


def valid_citations(answer: Answer, doc_texts: Mapping[str, str]) -> int:
    """How many answer sentences are verbatim in their document and inside the span they cite."""
    return sum(cited_spans_valid(replace(answer, sentences=[s]), doc_texts) for s in answer.sentences)


def percentile(values: Sequence[float], q: float) -> float:
    return round(float(np.percentile(values, q)), 2) if values else 0.0


def mean(values: Sequence[float]) -> float:
    return round(float(np.mean(values)), 4) if values else 0.0
