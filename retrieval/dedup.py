"""Collapse near-duplicate passages (the same wire story in several briefings) into one result."""

from __future__ import annotations

import re
from collections.abc import Sequence

from retrieval.passages import Passage, SourceRef

_WORD = re.compile(r"\w+")


def shingles(text: str, size: int = 3) -> frozenset[str]:
    words = _WORD.findall(text.casefold())
    return frozenset(" ".join(words[i : i + size]) for i in range(max(len(words) - size + 1, 1)))


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    shared = len(a & b)
    return shared / (len(a) + len(b) - shared)


def collapse(passages: Sequence[Passage], threshold: float = 0.7, limit: int | None = None) -> list[Passage]:
    """Keep the best-ranked copy; later near-duplicates are listed in its `also_in`. Stops once `limit` are kept:
    the comparisons grow with the square of the rows read."""
    kept: list[tuple[Passage, frozenset[str]]] = []
    for passage in passages:
        if limit is not None and len(kept) == limit:
            break
        sig = shingles(passage.text)
        # Jaccard ≤ min(|a|, |b|) / max(|a|, |b|): sizes alone rule most pairs out before any set work.
        twin = next(
            (p for p, s in kept if threshold * max(len(sig), len(s)) <= min(len(sig), len(s)) and jaccard(sig, s) >= threshold), None
        )
        if twin is None:
            kept.append((passage, sig))
        elif passage.doc != twin.doc or passage.start != twin.start:
            twin.also_in.append(SourceRef(passage.doc, passage.title, passage.source, passage.date, passage.start, passage.end))
    return [p for p, _ in kept]
