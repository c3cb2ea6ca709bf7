"""Sentence spans of real passages from the seeds index, their cosine to the query with the real model, and the keep floor."""

from __future__ import annotations

import pytest

from index.embedding import Embedder
from retrieval.searcher import Searcher
from retrieval.spans import SentenceSpan, cosines, score_floor, too_short
from sitroom.config import Settings


@pytest.fixture(scope="module")
def passage(seeds_settings: Settings, embedder: Embedder):
    searcher = Searcher(seeds_settings, embedder=embedder)
    return searcher, searcher.search("Kaspersky antivirus ban", k=1).passages[0]


class TestSentenceSpan:
    def test_text_and_document_span_agree_with_the_passage(self, passage) -> None:
        _, p = passage
        start, end = p.sentences[0]
        span = SentenceSpan(p, start, end)
        assert span.text == p.text[start:end]
        assert span.in_document == (p.start + start, p.start + end)

    def test_fragments_are_too_short(self) -> None:
        assert too_short("He said so.") and not too_short("Commerce banned Kaspersky software sales.")


class TestCosines:
    def test_the_sentence_about_the_query_scores_highest(self, passage) -> None:
        searcher, p = passage
        spans = [SentenceSpan(p, start, end) for start, end in p.sentences]
        scores = cosines(searcher.embedder, spans, searcher.embedder.encode_query("Kaspersky antivirus ban"))
        assert len(scores) == len(spans) and all(-1.0 <= s <= 1.0 for s in scores)
        assert "Kaspersky" in spans[scores.index(max(scores))].text


class TestScoreFloor:
    @pytest.mark.parametrize(("scores", "expected"), [([0.9, 0.5], 0.54), ([0.3, 0.1], 0.25)])
    def test_the_higher_of_the_minimum_and_the_share_of_the_best(self, scores: list[float], expected: float) -> None:
        assert score_floor(scores, minimum=0.25, share=0.6) == pytest.approx(expected)
