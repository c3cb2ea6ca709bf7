"""Runs an eval set through search and answering once per setting and collects a `Report`.

Each question costs one `AnswerComposer.run`: its passages give the ranking metrics and its answer
the answer metrics, so the latency measured is what a user of `sitroom ask` waits.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from tqdm import tqdm

from eval import metrics
from eval.relevance import covers, quote_spans
from eval.sets import EvalQuestion, Evidence
from retrieval import rerank
from retrieval.answer import AnswerComposer
from retrieval.passages import Passage
from retrieval.searcher import Searcher
from sitroom.config import RERANKER_OFF, Settings

logger = logging.getLogger(__name__)

TOP_SHOWN = 3  # passages listed for a miss
CURVE_DEPTH = 10  # Hit@1…Hit@10 for the report's curve


@dataclass(frozen=True)
class Miss:
    """A question whose evidence is not in the top 3, as the report lists it."""

    id: str
    question: str
    expected: list[str]
    returned: list[str]
    note: str


class Outcome(Protocol):
    """One evaluated question or query: what comparisons, plots and reports need from it."""

    id: str
    scores: dict[str, float]
    latency_ms: float

    def miss(self) -> Miss | None: ...

    def to_json(self) -> dict[str, object]: ...


@dataclass
class Report:
    """One setting's run: its metrics, Hit@k curve and per-question outcomes."""

    variant: str
    settings: dict[str, object]
    metrics: dict[str, float | None]
    hit_curve: list[float]
    results: Sequence[Outcome]

    @property
    def latencies_ms(self) -> list[float]:
        return [r.latency_ms for r in self.results]

    @property
    def misses(self) -> list[Miss]:
        return [m for m in (r.miss() for r in self.results) if m is not None]


def describe(settings: Settings, k: int) -> dict[str, object]:
    """The retrieval settings that shape a run, for reports and `--json`."""
    retrieval = settings.retrieval
    described: dict[str, object] = {"mode": retrieval.mode, "k": k, "candidates": retrieval.candidates}
    if retrieval.mode == "hybrid":
        fusion = {"rrf_k": retrieval.rrf_k} if retrieval.fusion == "rrf" else {"dense_weight": retrieval.dense_weight}
        described |= {"fusion": retrieval.fusion, **fusion}
    if settings.rerank.model != RERANKER_OFF:
        rerank = settings.rerank
        described |= {
            "reranker": rerank.model,
            "rerank_first_candidates": rerank.first_candidates,
            "rerank_sure": rerank.sure,
            "rerank_candidates": rerank.candidates,
            "rerank_deep_candidates": rerank.deep_candidates,
        }
    return described


def _shown(passage: Passage) -> str:
    text = " ".join(passage.text.split())
    return f"{passage.doc} {passage.start}-{passage.end}: {text[:240]}{'…' if len(text) > 240 else ''}"


@dataclass
class QuestionResult:
    id: str
    question: str
    unanswerable: bool
    evidence: tuple[Evidence, ...]
    first_ranks: list[int | None]  # per evidence item: rank of the first covering passage
    retrieved: int  # passages returned
    top: list[Passage]
    answer: str
    abstained: bool
    cited: int  # answer sentences
    cited_valid: int  # … verbatim inside their cited span
    latency_ms: float
    scores: dict[str, float] = field(default_factory=dict)

    def miss(self) -> Miss | None:
        found = [r for r in self.first_ranks if r is not None]
        if self.unanswerable or (found and min(found) <= TOP_SHOWN):
            return None
        note = f"first covered at rank {min(found)}" if found else f"not in the top {self.retrieved}"
        return Miss(self.id, self.question, [f"{e.doc}: {e.text}" for e in self.evidence], [_shown(p) for p in self.top[:TOP_SHOWN]], note)

    def to_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "question": self.question,
            "unanswerable": self.unanswerable,
            "evidence_ranks": self.first_ranks,
            "top": [{"doc": p.doc, "start": p.start, "end": p.end} for p in self.top[:TOP_SHOWN]],
            "answer": self.answer,
            "abstained": self.abstained,
            "cited_sentences": self.cited,
            "valid_citations": self.cited_valid,
            "latency_ms": self.latency_ms,
            "scores": self.scores,
        }


class _CleanedTexts(dict):
    """Cleaned document texts, fetched from the index on first use; documents not in the index are absent."""

    def __init__(self, searcher: Searcher) -> None:
        super().__init__()
        self.store = searcher.store

    def load(self, docs: set[str]) -> None:
        for doc in docs - self.keys():
            stored = self.store.document(doc)
            if stored is not None:
                self[doc] = stored.cleaned


def warm_up(searcher: Searcher) -> None:
    """Load the models and page in the store before the clock starts, so no question's latency is a load."""
    reading = searcher.read_ahead()
    searcher.embedder.encode_query("warm-up")
    encoder = rerank.load(searcher.settings.rerank)
    if encoder is not None:
        encoder.score("warm-up", ["warm-up"])
    if reading is not None:
        reading.join()


def check_evidence(questions: Sequence[EvalQuestion], searcher: Searcher) -> None:
    """Say up front which evidence can never be found, rather than silently scoring misses."""
    texts = _CleanedTexts(searcher)
    texts.load({e.doc for q in questions for e in q.evidence})
    for doc in sorted({e.doc for q in questions for e in q.evidence} - texts.keys()):
        logger.warning("evidence document %s is not in the index; its questions count as misses", doc)
    for q in questions:
        for e in q.evidence:
            if e.doc in texts and not quote_spans(texts[e.doc], e.text):
                logger.warning("%s: quote %r is not in the cleaned text of %s (dropped as boilerplate?)", q.id, e.text[:60], e.doc)


def _ask(composer: AnswerComposer, question: EvalQuestion, k: int, texts: _CleanedTexts) -> QuestionResult:
    started = time.perf_counter()
    answer = composer.run(question.question, k=k)
    latency = round((time.perf_counter() - started) * 1000, 2)
    texts.load({c.doc for c in answer.citations})
    first_ranks = [
        next((rank for rank, p in enumerate(answer.passages, start=1) if covers(p, e, texts[e.doc])), None) if e.doc in texts else None
        for e in question.evidence
    ]
    valid = metrics.valid_citations(answer, texts)
    result = QuestionResult(
        id=question.id, question=question.question, unanswerable=question.unanswerable, evidence=question.evidence,
        first_ranks=first_ranks, retrieved=len(answer.passages), top=answer.passages[:TOP_SHOWN], answer=answer.text,
        abstained=answer.abstained, cited=len(answer.sentences), cited_valid=valid, latency_ms=latency,
    )  # fmt: skip
    if question.unanswerable:
        result.scores["abstention_accuracy"] = float(answer.abstained)
    else:
        result.scores["answer_contains"] = metrics.answer_contains(answer, question.answer)
        result.scores["evidence_in_answer"] = float(metrics.evidence_in_answer(answer, question.evidence, texts))
        result.scores["false_abstention_rate"] = float(answer.abstained)
    if answer.sentences:
        result.scores["citation_valid"] = valid / len(answer.sentences)
    return result


def summarize(results: Sequence[QuestionResult]) -> dict[str, float | None]:
    """Means over the questions each metric applies to (None when none does); citations pooled over all cited sentences."""

    def average(name: str) -> float | None:
        values = [r.scores[name] for r in results if name in r.scores]
        return metrics.mean(values) if values else None

    cited = sum(r.cited for r in results)
    latencies = [r.latency_ms for r in results]
    out = {name: average(name) for name in metrics.RANKING_METRICS}
    out |= {name: average(name) for name in ("answer_contains", "evidence_in_answer")}
    out["citation_valid"] = round(sum(r.cited_valid for r in results) / cited, 4) if cited else None
    out |= {name: average(name) for name in ("abstention_accuracy", "false_abstention_rate")}
    return out | {"latency_p50_ms": metrics.percentile(latencies, 50), "latency_p95_ms": metrics.percentile(latencies, 95)}


def evaluate_set(
    questions: Sequence[EvalQuestion],
    searcher: Searcher,
    k: int,
    variant: str,
    progress: bool = True,
    on_question: Callable[[int, int, EvalQuestion], None] | None = None,
) -> Report:
    """`on_question(done, total, question)` is called after each question (the UI's progress bar)."""
    composer = AnswerComposer(searcher)
    texts = _CleanedTexts(searcher)
    texts.load({e.doc for q in questions for e in q.answered_by})
    questions = [q.on_index(texts.keys()) for q in questions]
    warm_up(searcher)
    results = []
    for done, q in enumerate(tqdm(questions, desc=f"eval {variant}", unit="q", disable=not progress), start=1):
        results.append(_ask(composer, q, k, texts))
        if on_question is not None:
            on_question(done, len(questions), q)
    answerable = [r for r in results if not r.unanswerable]
    ranks = {r.id: r.first_ranks for r in answerable}
    retrieved = {r.id: r.retrieved for r in answerable}
    ranking = metrics.ranking_metrics(ranks, retrieved, metrics.RANKING_METRICS | metrics.hit_metrics(CURVE_DEPTH))
    for r in answerable:
        r.scores |= {name: ranking[r.id][name] for name in metrics.RANKING_METRICS}
    curve = [metrics.mean([ranking[r.id][f"hit@{i}"] for r in answerable]) for i in range(1, CURVE_DEPTH + 1)]
    answering = {"answer_passages": searcher.settings.answer.passages, "min_dense_score": searcher.settings.answer.min_dense_score}
    return Report(variant, describe(searcher.settings, k) | answering, summarize(results), curve, results)
