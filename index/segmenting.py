"""Briefing-aware segmentation of raw text into blocks, items and sentences, all as spans.

Spans always point into the original text, so every later stage can cite exact characters.
Blocks are lines, " | " separated cells and "•" bullets; items are split at all-caps lead-ins
("PUTIN OPEN TO TALKS?:", never a transcript's speaker label); sentences come from pysbd, which keeps "U.S.", "Sen." and "(R-S.C.)" whole.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import pysbd

from index import speakers

_BLOCK_BREAK = re.compile(r"\n|(?:^|(?<=\s))\|(?=\s|$)|•")
_LEAD_IN = re.compile(r"(?:^|(?<=\s))(?P<head>[‘'“\"(]?[A-Z0-9][^a-z:\n]{1,100}?):(?=\s)")
_MIN_LEAD_IN_CAPS = 4


@dataclass(frozen=True)
class Span:
    start: int
    end: int

    def of(self, text: str) -> str:
        return text[self.start : self.end]


@dataclass(frozen=True)
class Item:
    """A news item: an optional lead-in headline (span includes its colon) and its body."""

    headline: Span | None
    body: Span


def strip_span(text: str, start: int, end: int) -> Span:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Span(start, end)


def split_blocks(text: str, start: int = 0) -> list[Span]:
    """Non-empty lines, pipe-separated cells and bullets, whitespace-trimmed."""
    blocks: list[Span] = []
    cursor = start
    for match in _BLOCK_BREAK.finditer(text, start):
        span = strip_span(text, cursor, match.start())
        if span.end > span.start:
            blocks.append(span)
        cursor = match.end()
    span = strip_span(text, cursor, len(text))
    if span.end > span.start:
        blocks.append(span)
    return blocks


def _is_lead_in(head: str) -> bool:
    """An all-caps item headline; a transcript's speaker label ("MR PRICE:", "QUESTION:") is not one."""
    return sum(ch.isupper() for ch in head) >= _MIN_LEAD_IN_CAPS and not head.rstrip().endswith(",") and not speakers.is_label(head)


def split_items(text: str, block: Span) -> list[Item]:
    """Split a block at all-caps lead-ins; text before the first lead-in is an item of its own."""
    items: list[Item] = []
    cursor, headline = block.start, None
    for match in _LEAD_IN.finditer(text, block.start, block.end):
        if not _is_lead_in(match.group("head")):
            continue
        body = strip_span(text, cursor, match.start())
        if body.end > body.start or headline is not None:
            items.append(Item(headline, body))
        headline = Span(match.start("head"), match.end())
        cursor = match.end()
    body = strip_span(text, cursor, block.end)
    if body.end > body.start or headline is not None:
        items.append(Item(headline, body))
    return items


@lru_cache(maxsize=1)
def _segmenter() -> pysbd.Segmenter:
    return pysbd.Segmenter(language="en", clean=False)


def split_sentences(text: str, span: Span) -> list[Span]:
    """Sentence spans inside `span`, located by search so they are exact even where pysbd's own offsets drift."""
    piece = span.of(text)
    if not piece.strip():
        return []
    sentences: list[Span] = []
    cursor = 0
    # pysbd's own `segment` then locates each sentence with a regex compiled for that sentence: most of its
    # time, and those one-off patterns evict pysbd's abbreviation patterns from `re`'s cache. The search below
    # locates the sentences instead, so only pysbd's processing step runs.
    for sentence in _segmenter().processor(piece).process():
        stripped = sentence.strip()
        if not stripped:
            continue
        found = piece.find(stripped, cursor)
        if found < 0:
            continue
        sentences.append(Span(span.start + found, span.start + found + len(stripped)))
        cursor = found + len(stripped)
    return sentences
