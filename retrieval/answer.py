"""Extractive cited answers: the best sentences of the top passages, each cited to its exact span.

Nothing is generated: every answer sentence is a verbatim span of a cleaned document. Sentences
are scored by dense similarity to the question, weighted query-term overlap and the passage's rank;
attribution questions favour statements by the named speaker. When the best passage is not similar
enough to the question the answer abstains instead of listing unrelated sentences.
"""

from __future__ import annotations

import math

import time
from dataclasses import asdict, dataclass, field

import numpy as np

from index import lexical
from retrieval import attribution
from retrieval.dedup import jaccard, shingles
from retrieval.passages import Filters, Passage
from retrieval.searcher import Searcher
from sitroom.config import AnswerConfig

NO_ANSWER = "No answer found in the briefings for this question."
_MIN_WORDS = 5


@dataclass(frozen=True)
class Citation:
    n: int
    doc: str
    title: str
    source: str | None
    date: str | None
    headline: str | None
    start: int  # the cited passage's span in the cleaned document
    end: int
    text: str


@dataclass(frozen=True)
class AnswerSentence:
    text: str
    citations: list[int]
    doc: str
    start: int  # the sentence's own span in the cleaned document
    end: int
    score: float


@dataclass
class Answer:
    question: str
    abstained: bool
    text: str
    sentences: list[AnswerSentence]
    citations: list[Citation]
    passages: list[Passage]
    timing_ms: dict[str, float] = field(default_factory=dict)

    def to_json(self) -> dict[str, object]:
        return {
            "question": self.question,
            "abstained": self.abstained,
            "answer": {
                "text": self.text,
                "sentences": [{"text": s.text, "citations": s.citations, "doc": s.doc, "start": s.start, "end": s.end} for s in self.sentences],
            },
            "citations": [asdict(c) for c in self.citations],
            "passages": [p.to_json() for p in self.passages],
            "timing_ms": self.timing_ms,
        }


@dataclass(frozen=True)
class _Candidate:
    passage: Passage
    start: int  # relative to the passage
    end: int

    @property
    def text(self) -> str:
        return self.passage.text[self.start : self.end]


def _candidates(passages: list[Passage]) -> list[_Candidate]:
    out: list[_Candidate] = []
    for passage in passages:
        for start, end in passage.sentences:
            text = passage.text[start:end]
            if len(text.split()) >= _MIN_WORDS and not text.endswith(":"):
                out.append(_Candidate(passage, start, end))
    return out


class _TermWeights:
    """IDF of query terms from the BM25 index, to weight query-term overlap in a sentence."""

    def __init__(self, searcher: Searcher, question: str) -> None:
        bm25 = searcher.bm25
        vocab, indptr = bm25.vocab_dict, bm25.scores["indptr"]
        n_docs = bm25.scores["num_docs"]
        self.terms: dict[str, float] = {}
        for term in dict.fromkeys(lexical.tokenize([question])[0]):
            df = int(indptr[vocab[term] + 1] - indptr[vocab[term]]) if term in vocab else 0
            self.terms[term] = math.log(1 + (n_docs - df + 0.5) / (df + 0.5))
        self.total = sum(self.terms.values()) or 1.0

    def overlap(self, sentence: str) -> float:
        present = set(lexical.tokenize([sentence])[0])
        return sum(w for t, w in self.terms.items() if t in present) / self.total


class AnswerComposer:
    """Composes an `Answer` from a `Searcher`; constructor keywords are the config."""

    def __init__(self, searcher: Searcher, config: AnswerConfig | None = None) -> None:
        self.searcher = searcher
        self.config = config or searcher.settings.answer

    def run(self, question: str, k: int | None = None, mode: str | None = None, filters: Filters | None = None) -> Answer:
        started = time.perf_counter()
        result = self.searcher.search(question, k=k, mode=mode, filters=filters)
        timing = dict(result.timing_ms)
        passages = result.passages
        top = passages[: self.config.passages]
        query_vector = result.query_vector if result.query_vector is not None else self.searcher.embedder.encode_query(question)
        best_dense = max((float(self.searcher.vectors.reconstruct(p.chunk_id) @ query_vector) for p in top), default=0.0)
        t = time.perf_counter()
        chosen = [] if best_dense < self.config.min_dense_score else self._select(question, top, query_vector)
        timing["sentences"] = round((time.perf_counter() - t) * 1000, 2)
        answer = self._assemble(question, chosen, passages)
        timing["total"] = round((time.perf_counter() - started) * 1000, 2)
        answer.timing_ms = timing
        return answer

    def _select(self, question: str, passages: list[Passage], query_vector: np.ndarray) -> list[tuple[_Candidate, float]]:
        candidates = _candidates(passages)
        if not candidates:
            return []
        vectors, _ = self.searcher.embedder.encode([c.text for c in candidates])
        dense = vectors @ query_vector
        weights = _TermWeights(self.searcher, question)
        asked = attribution.parse(question)
        rank_of = {id(p): i for i, p in enumerate(passages)}
        scored: list[tuple[_Candidate, float]] = []
        for candidate, similarity in zip(candidates, dense, strict=True):
            score = 0.6 * float(similarity) + 0.3 * weights.overlap(candidate.text) + 0.1 / (1 + rank_of[id(candidate.passage)])
            if asked:
                score += _attribution_bonus(asked, candidate)
            scored.append((candidate, score))
        scored.sort(key=lambda pair: pair[1], reverse=True)
        best = scored[0][1]
        chosen: list[tuple[_Candidate, float, frozenset[str]]] = []
        for candidate, score in scored:
            if len(chosen) >= self.config.max_sentences or score < max(self.config.min_sentence_score, 0.75 * best):
                break
            sig = shingles(candidate.text)
            if any(jaccard(sig, other) >= 0.5 or candidate.text in kept.text or kept.text in candidate.text for kept, _, other in chosen):
                continue
            chosen.append((candidate, score, sig))
        return [(c, s) for c, s, _ in chosen]

    def _assemble(self, question: str, chosen: list[tuple[_Candidate, float]], passages: list[Passage]) -> Answer:
        if not chosen:
            return Answer(question, True, NO_ANSWER, [], [], passages)
        citations: dict[int, Citation] = {}
        sentences: list[AnswerSentence] = []
        for candidate, score in chosen:
            p = candidate.passage
            if p.chunk_id not in citations:
                citations[p.chunk_id] = Citation(len(citations) + 1, p.doc, p.title, p.source, p.date, p.headline, p.start, p.end, p.text)
            n = citations[p.chunk_id].n
            sentences.append(AnswerSentence(candidate.text, [n], p.doc, p.start + candidate.start, p.start + candidate.end, round(score, 4)))
        text = " ".join(f"{s.text} [{s.citations[0]}]" for s in sentences)
        return Answer(question, False, text, sentences, list(citations.values()), passages)


def _attribution_bonus(asked: attribution.Attribution, candidate: _Candidate) -> float:
    """Statements by the asked-about speaker first: named in the sentence, else in its passage."""
    if not attribution.is_statement(candidate.text):
        return -0.05
    if attribution.mentions(candidate.text, asked.who_terms):
        return 0.15
    context = f"{candidate.passage.headline or ''} {candidate.passage.text}"
    return 0.08 if attribution.mentions(context, asked.who_terms) else 0.0


def cited_spans_valid(answer: Answer, cleaned_text_of: dict[str, str]) -> bool:
    """Every answer sentence is verbatim in its document and inside the span its citation points at."""
    by_n = {c.n: c for c in answer.citations}
    for sentence in answer.sentences:
        for n in sentence.citations:
            citation = by_n[n]
            cleaned = cleaned_text_of[citation.doc]
            if cleaned[sentence.start : sentence.end] != sentence.text or not citation.start <= sentence.start < sentence.end <= citation.end:
                return False
    return True



