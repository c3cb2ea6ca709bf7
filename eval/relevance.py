"""When a retrieved passage counts as finding an evidence quote.

The rule: a passage covers an evidence item when it comes from the evidence document and either

1. its text contains the quote after normalization (NFKC; curly quotes to straight; en and em
   dashes to "-"; runs of whitespace to one space; casefold), or
2. its [start, end) span in the cleaned document covers at least half of the quote's span there.

Rule 2 exists because chunk boundaries cut quotes: a quote split across two chunks still counts for
the chunk holding most of it (both count when it is split exactly in half). The quote is located in
the cleaned text with the same normalization, mapped back to character offsets; every occurrence
is tried. A near-duplicate the searcher collapsed into a passage (`also_in`) is judged the same way
at its own span, since the user is shown it as another source of the same text.
"""

from __future__ import annotations

import logging
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from eval.sets import Evidence
from retrieval.passages import Passage

logger = logging.getLogger(__name__)

_TRANSLATE = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-"})


@dataclass(frozen=True)
class _Mapped:
    """Normalized text with, for each of its characters, the [start, end) of the source characters it came from."""

    text: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]


def _clusters(text: str) -> list[tuple[int, int]]:
    """A base character with its combining marks: the smallest unit NFKC can rewrite on its own."""
    bounds = [i for i, char in enumerate(text) if i == 0 or not unicodedata.combining(char)]
    return list(zip(bounds, [*bounds[1:], len(text)], strict=False))


def _mapped(text: str) -> _Mapped:
    chars: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for start, end in _clusters(text):
        for char in unicodedata.normalize("NFKC", text[start:end]).translate(_TRANSLATE).casefold():
            if char.isspace():
                if not chars or chars[-1] == " ":
                    continue
                char = " "
            chars.append(char)
            starts.append(start)
            ends.append(end)
    if chars and chars[-1] == " ":
        del chars[-1], starts[-1], ends[-1]
    return _Mapped("".join(chars), tuple(starts), tuple(ends))


def normalize(text: str) -> str:
    """NFKC, straight quotes, "-" for en/em dashes, single spaces, casefolded."""
    return _mapped(text).text


@lru_cache(maxsize=256)
def _mapped_document(doc_text: str) -> _Mapped:
    return _mapped(doc_text)


@lru_cache(maxsize=4096)
def quote_spans(doc_text: str, quote: str) -> tuple[tuple[int, int], ...]:
    """Every [start, end) of `quote` in `doc_text`, matched after normalization."""
    needle = normalize(quote)
    if not needle:
        return ()
    doc = _mapped_document(doc_text)
    spans: list[tuple[int, int]] = []
    at = doc.text.find(needle)
    while at >= 0:
        spans.append((doc.starts[at], doc.ends[at + len(needle) - 1]))
        at = doc.text.find(needle, at + 1)
    return tuple(spans)


def span_covers(doc: str, start: int, end: int, evidence: Evidence, doc_text: str) -> bool:
    """The relevance rule for one [start, end) span of document `doc`; `doc_text` is the evidence document's cleaned text."""
    if doc != evidence.doc:
        return False
    if normalize(evidence.text) in normalize(doc_text[start:end]):
        return True
    return any(2 * (min(end, q_end) - max(start, q_start)) >= q_end - q_start for q_start, q_end in quote_spans(doc_text, evidence.text))


def covers(passage: Passage, evidence: Evidence, doc_text: str) -> bool:
    """Whether `passage` (or a near-duplicate collapsed into it) covers `evidence`."""
    spans = [(passage.doc, passage.start, passage.end), *((ref.doc, ref.start, ref.end) for ref in passage.also_in)]
    return any(span_covers(doc, start, end, evidence, doc_text) for doc, start, end in spans)
