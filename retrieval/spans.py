"""Sentences of ranked passages and their cosine to the query: the units both answers and the timeline pick from.

Answers (retrieval/answer.py) and timelines (retrieval/timeline.py) both cut the top passages into
sentence spans, drop fragments, embed the survivors in one batch and keep those scoring close
enough to the best one; this is that shared part.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from index.embedding import Embedder
from retrieval.passages import Passage

logger = logging.getLogger(__name__)

MIN_WORDS = 5  # a shorter "sentence" is a fragment or a label, not a statement worth citing


@dataclass(frozen=True)
class SentenceSpan:
    """A sentence (or a quotation of several) of a passage; `start` and `end` are relative to the passage's text."""

    passage: Passage
    start: int
    end: int

    @property
    def text(self) -> str:
        return self.passage.text[self.start : self.end]

    @property
    def in_document(self) -> tuple[int, int]:
        """The span in the cleaned document, which is what citations point at."""
        return self.passage.start + self.start, self.passage.start + self.end


def too_short(text: str) -> bool:
    return len(text.split()) < MIN_WORDS


def cosines(embedder: Embedder, spans: Sequence[SentenceSpan], query_vector: np.ndarray, full_precision: bool = True) -> list[float]:
    """Each span's cosine to the query (the embeddings are normalized), embedded in one batch: as query-time texts
    (fp32, the precision absolute floors were set on), or else at the passages' own precision (int8 with that backend)."""
    texts = [span.text for span in spans]
    vectors = embedder.encode_queries(texts) if full_precision else embedder.encode_uncached(texts)
    return (vectors @ query_vector).tolist()


def score_floor(scores: Sequence[float], minimum: float, share: float) -> float:
    """The score a span needs to be kept: at least `minimum`, and `share` of the best span's."""
    return max(minimum, share * max(scores))
