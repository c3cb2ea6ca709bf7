"""Timeline: statements matching a query, ordered by briefing date, each with its speaker and exact citation.

So an analyst sees how a position moved across briefings. Retrieval finds passages for the query;
their sentences that carry a statement (a quote or a speech verb) and are close enough in meaning to
the query are kept, attributed to the speaker named in them (or, for "he said" continuations, in the
sentence before), and ordered by their document's date, undated ones last.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field

from retrieval import attribution
from retrieval.passages import Filters, Passage
from retrieval.searcher import Searcher
from retrieval.spans import SentenceSpan, cosines, score_floor, too_short
from sitroom.config import TimelineConfig


@dataclass(frozen=True)
class Statement:
    date: str | None  # the document's date; None is shown as "undated"
    speaker: str | None  # as written in the sentence ("Iraqi officials"); None when no one is named
    text: str
    doc: str
    title: str
    source: str | None
    headline: str | None
    start: int  # the sentence's span in the cleaned document
    end: int
    passage_start: int  # the cited passage's span in the cleaned document, and in the original file
    passage_end: int
    orig_start: int
    orig_end: int
    page: int | None  # PDF page of the passage
    similarity: float  # cosine of the sentence to the query


@dataclass
class Timeline:
    query: str
    statements: list[Statement]
    timing_ms: dict[str, float] = field(default_factory=dict)
    passages_read: int = 0  # 0: retrieval found nothing (the filters, or the query); else no statement was close enough

    @property
    def unmatched(self) -> str | None:
        """Why passages were read but no statement kept (None when statements were kept, or nothing was read)."""
        if self.statements or not self.passages_read:
            return None
        return f"none of the {self.passages_read} passages read has a statement close enough to the query"

    def to_json(self) -> dict[str, object]:
        return {
            "query": self.query,
            "statements": [{**asdict(s), "similarity": round(s.similarity, 4)} for s in self.statements],
            "timing_ms": self.timing_ms,
            "passages_read": self.passages_read,
        }


@dataclass(frozen=True)
class _Candidate(SentenceSpan):
    """A statement sentence and who makes it, as named in it or in the sentence before."""

    speaker: str | None


def _statements(passages: list[Passage], asked: attribution.Attribution | None) -> list[_Candidate]:
    """Statement sentences of the passages, once each, with the speaker carried over to continuations."""
    seen: set[tuple[str, int]] = set()
    out: list[_Candidate] = []
    for passage in passages:
        previous: str | None = None
        for start, end in passage.sentences:
            text = passage.text[start:end]
            if not attribution.is_statement(text):
                previous = None
                continue
            who = attribution.speaker(text) or (previous if attribution.continues_statement(text) else None)
            previous = who
            key = (passage.doc, passage.start + start)
            if key in seen or too_short(text):
                continue
            if (
                asked
                and asked.who_terms
                and not (attribution.speaks(text, asked.who_terms) or attribution.mentions(who or "", asked.who_terms))
            ):
                continue
            seen.add(key)
            out.append(_Candidate(passage, start, end, who))
    return out


def _order(statement: Statement) -> tuple[bool, str, str, int]:
    return statement.date is None, statement.date or "", statement.doc, statement.start


class TimelineBuilder:
    """Builds a `Timeline` from a `Searcher`; constructor keywords are the config."""

    def __init__(self, searcher: Searcher, config: TimelineConfig | None = None) -> None:
        self.searcher = searcher
        self.config = config or searcher.settings.timeline

    def run(self, query: str, k: int | None = None, mode: str | None = None, filters: Filters | None = None) -> Timeline:
        """`k` is how many passages are read for statements (default `TimelineConfig.passages`)."""
        started = time.perf_counter()
        result = self.searcher.search(query, k=k or self.config.passages, mode=mode, filters=filters)
        timing = dict(result.timing_ms)
        asked = attribution.parse(query)
        candidates = _statements(result.passages, asked)
        if not candidates:
            return Timeline(query, [], {**timing, "total": _ms(started)}, len(result.passages))
        t = time.perf_counter()
        query_vector = result.query_vector if result.query_vector is not None else self.searcher.embedder.encode_query(query)
        similarity = cosines(self.searcher.embedder, candidates, query_vector)
        timing["statements"] = _ms(t)
        floor = score_floor(similarity, self.config.min_similarity, self.config.relative_floor)
        kept = sorted(
            (pair for pair in zip(candidates, similarity, strict=True) if pair[1] >= floor),
            key=lambda pair: pair[1],
            reverse=True,
        )[: self.config.max_statements]
        statements = sorted((_statement(c, s) for c, s in kept), key=_order)
        timing["total"] = _ms(started)
        return Timeline(query, statements, timing, len(result.passages))


def _statement(candidate: _Candidate, similarity: float) -> Statement:
    p = candidate.passage
    start, end = candidate.in_document
    return Statement(
        date=p.date,
        speaker=candidate.speaker,
        text=candidate.text,
        doc=p.doc,
        title=p.title,
        source=p.source,
        headline=p.headline,
        start=start,
        end=end,
        passage_start=p.start,
        passage_end=p.end,
        orig_start=p.orig_start,
        orig_end=p.orig_end,
        page=p.page,
        similarity=similarity,
    )


def _ms(since: float) -> float:
    return round((time.perf_counter() - since) * 1000, 2)
