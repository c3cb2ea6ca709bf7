"""Boilerplate removal: ads, subscribe/follow lines, sign-offs, promos, captions and app chrome.

Two general mechanisms, no rules keyed to one seed:
1. Blocks repeated across documents (near-duplicate word shingles found in at least
   `repeated_min_docs` documents) are boilerplate: footers, sign-offs, recurring ads.
2. A short documented list of newsletter patterns (`BLOCK_PATTERNS`, `ITEM_PATTERNS`,
   `SENTENCE_PATTERNS`, the ad and sign-up windows, photo captions).

A "Related Articles" heading no longer cuts the page off: what follows is split into articles
(index/articles.py) and only teasers are dropped. Every dropped piece is recorded with its reason,
so the words of the original are exactly the words kept plus the words reported as dropped.
The cleaned text is assembled from kept spans of the original, so every character of it maps back.
"""

from __future__ import annotations

import bisect
import re
import zlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from index import articles
from index.documents import Article, Document
from index.segmenting import Span, split_blocks, split_items, split_sentences, strip_span

# A photo credit line ("Ben McKeown/AP"); the block before it is the photo's caption.
_PHOTO_CREDIT = re.compile(r"^[A-Z][\w.’' -]{1,40}/(?:AP|AFP|Reuters|Getty Images|Bloomberg|EPA)$")
# A caption that carries its own credit ("... shown in 2018.Credit...Ivor Prickett for The New York Times").
_CAPTION = re.compile(r"(?:Credit(?:\.\.\.|…|:)|Photo(?:graph)?:)\s*[A-Z][^.!?]{2,80}$")
_CAPTION_MAX_WORDS = 60
# Whole blocks (lines, cells) that are page chrome or calls to action.
BLOCK_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("subscribe", re.compile(r"(?i)^(?:email|follow)(?: us)?(?: on \w+)?(?: [A-Z][\w’'-]+)?\.?$")),
    ("subscribe", re.compile(r"(?i)^subscribe(?: here| now| today)?\.?$")),
    ("credit", re.compile(r"^(?:With help from|By) [A-Z][^.!?]*$|^\W*with additional reporting by\b")),
    ("credit", _PHOTO_CREDIT),
    ("app", re.compile(r"(?i)\bdownload (?:the |our )?[\w-]+ app\b|^app-?store|^get started now")),
    (
        "chrome",
        re.compile(r"(?i)^(?:logo|comments|no comments yet\W*|\w+ background|try our ai features|share this article|advertisement)$"),
    ),
    ("chrome", re.compile(r"(?i)\bcan do for you\W*$")),
)
# Items whose text marks them as a newsletter sign-off.
ITEM_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("signoff", re.compile(r"(?i)\bthanks for (?:tuning in|reading)\b|\baim your tips\b|\bthis space is reserved for\b")),
)
# Sentences that are sign-offs or link lines inside otherwise good items.
SENTENCE_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("signoff", re.compile(r"(?i)^(?:while you’re at it, |while you're at it, )?follow (?:us|the rest of)\b")),
    ("link", re.compile(r"^Read:\s")),
)
# A call to action ending an item makes it a promo ("... Subscribe now", "REGISTER HERE.").
_CALL_TO_ACTION = re.compile(
    r"(?i)(?:^(?:subscribe|sign up|register|learn more)\b|\b(?:click here|register here|survey here|sign up (?:today|now|here)|learn more|subscribe now)\b)"
)
# Sign-off credits often run on from the last listing line without a full stop; cut them off there.
_SIGNOFF_TAIL = re.compile(r"\s*\bThanks to our (?:editors?|producers?)\b.*$", re.S)
_LEADING_CHROME = re.compile(r"^(?:Email [A-Z][\w’'-]+\s+(?=[A-Z“\"‘]))|^(?:Subscribe here\s*\|?\s*)")
_TRAILING_CHROME = re.compile(r"\s*\bSubscribe here\.?$")
_AD_START = re.compile(r"^A message from [^:]{2,60}:")
_AD_END = re.compile(r"(?i)\blearn more\.?$")
_SIGNUP_START = re.compile(r"(?i)\b(?:in your inbox|newsletters?)!?$|^sign up\b")
_SIGNUP_END = re.compile(r"(?i)\b(?:you are now subscribed|privacy policy|unsubscribe)\b")
_RELATED = re.compile(r"(?i)^(?:related articles|related stories|recommended for you|more from [\w ]+|you may also like)$")
_AD_WINDOW = 3
_SIGNUP_WINDOW = 10
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Dropped:
    reason: str
    text: str


@dataclass(frozen=True)
class CleanItem:
    """A kept item, in cleaned-text offsets."""

    headline: str | None
    sentences: tuple[tuple[int, int], ...]
    span: tuple[int, int]
    headline_span: tuple[int, int] | None = None  # the lead-in with its colon, when there is one


@dataclass
class CleanedDocument:
    text: str
    items: list[CleanItem]
    dropped: list[Dropped]
    articles: list[Article] = field(default_factory=list)  # in order; every item lies inside one
    # Piecewise map cleaned → original: (clean_start, orig_start, length), sorted by clean_start.
    pieces: list[tuple[int, int, int]] = field(default_factory=list)

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Original-file span of a cleaned span (the span must start and end inside copied text)."""
        return self._map(start, False), self._map(end, True)

    def _map(self, offset: int, is_end: bool) -> int:
        starts = [piece[0] for piece in self.pieces]
        idx = bisect.bisect_right(starts, offset - 1 if is_end else offset) - 1
        clean_start, orig_start, _ = self.pieces[max(idx, 0)]
        return orig_start + (offset - clean_start)


def _shingles(text: str, size: int) -> set[int]:
    words = _WORD.findall(text.casefold())
    if len(words) < size:
        return {zlib.crc32(" ".join(words).encode())} if words else set()
    return {zlib.crc32(" ".join(words[i : i + size]).encode()) for i in range(len(words) - size + 1)}


class RepeatedBlocks:
    """Document frequency of block shingles over a corpus, to spot blocks repeated across documents."""

    def __init__(self, documents: Iterable[Document], shingle_words: int = 4, min_docs: int = 3, share: float = 0.8) -> None:
        self.shingle_words, self.min_docs, self.share = shingle_words, min_docs, share
        self.doc_freq: Counter[int] = Counter()
        for doc in documents:
            seen: set[int] = set()
            for block in split_blocks(doc.text, doc.body_start):
                seen |= _shingles(block.of(doc.text), shingle_words)
            self.doc_freq.update(seen)

    def is_repeated(self, text: str) -> bool:
        shingles = _shingles(text, self.shingle_words)
        if not shingles:
            return False
        common = sum(self.doc_freq[s] >= self.min_docs for s in shingles)
        return common / len(shingles) >= self.share


def _match(patterns: tuple[tuple[str, re.Pattern[str]], ...], text: str) -> str | None:
    return next((reason for reason, pattern in patterns if pattern.search(text)), None)


def _block_verdicts(text: str, blocks: list[Span], repeated: RepeatedBlocks | None) -> tuple[list[str | None], int | None]:
    """Reason to drop each block (None keeps it): ad and sign-up windows, patterns, captions, repetition.

    Also returns where a related-articles section starts (the block after its heading), if there is one.
    """
    verdicts: list[str | None] = [None] * len(blocks)
    words = [block.of(text) for block in blocks]
    related_from = None
    for i, block_text in enumerate(words):
        if verdicts[i]:
            continue
        if i and block_text == words[i - 1]:
            verdicts[i] = "duplicate"
            continue
        if _RELATED.match(block_text):
            verdicts[i] = "related"
            related_from = related_from if related_from is not None else i + 1
            continue
        following = words[i + 1] if i + 1 < len(words) else ""
        if len(block_text.split()) <= _CAPTION_MAX_WORDS and (_PHOTO_CREDIT.match(following) or _CAPTION.search(block_text)):
            verdicts[i] = "caption"
            continue
        if _AD_START.match(block_text):
            end = next((j for j in range(i, min(i + _AD_WINDOW, len(blocks))) if _AD_END.search(words[j])), i)
            verdicts[i : end + 1] = ["ad"] * (end + 1 - i)
            continue
        if _SIGNUP_START.search(block_text) and len(block_text.split()) <= 12:
            end = next((j for j in range(i, min(i + _SIGNUP_WINDOW, len(blocks))) if _SIGNUP_END.search(words[j])), None)
            if end is not None:
                verdicts[i : end + 1] = ["signup"] * (end + 1 - i)
                continue
        verdicts[i] = _match(BLOCK_PATTERNS, block_text) or ("repeated" if repeated and repeated.is_repeated(block_text) else None)
    return verdicts, related_from


def _trim_chrome(text: str, block: Span) -> Span:
    piece = block.of(text)
    lead = _LEADING_CHROME.match(piece)
    start = block.start + (lead.end() if lead else 0)
    trail = _TRAILING_CHROME.search(text, start, block.end)
    return strip_span(text, start, trail.start() if trail else block.end)


class _Assembler:
    """Builds the cleaned text from original spans and records the offset map."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.parts: list[str] = []
        self.pieces: list[tuple[int, int, int]] = []
        self.length = 0

    def add(self, span: Span, separator: str) -> tuple[int, int]:
        if self.length:
            self.parts.append(separator)
            self.length += len(separator)
        start = self.length
        self.parts.append(span.of(self.source))
        self.pieces.append((start, span.start, span.end - span.start))
        self.length += span.end - span.start
        return start, self.length


def _plan_articles(
    text: str, blocks: list[Span], verdicts: list[str | None], related_from: int | None, keep_boilerplate: bool
) -> tuple[list[articles.ArticlePlan], list[str | None]]:
    if keep_boilerplate:  # nothing is dropped, so the page stays one article
        lines = [block.of(text) for block in blocks]
        return [articles.lead(text, blocks, lines, verdicts, 0, len(blocks))], verdicts
    return articles.segment(text, blocks, verdicts, related_from)


def clean(doc: Document, repeated: RepeatedBlocks | None = None, keep_boilerplate: bool = False) -> CleanedDocument:
    text = doc.text
    blocks = split_blocks(text, doc.body_start)
    verdicts, related_from = ([None] * len(blocks), None) if keep_boilerplate else _block_verdicts(text, blocks, repeated)
    plans, verdicts = _plan_articles(text, blocks, verdicts, related_from, keep_boilerplate)
    article_of = {j: n for n, plan in enumerate(plans) for j in range(plan.first, plan.end)}
    spans: dict[int, list[int]] = {}  # article → [start, end] in the cleaned text
    out = _Assembler(text)
    items: list[CleanItem] = []
    dropped: list[Dropped] = []
    for index, (block, verdict) in enumerate(zip(blocks, verdicts, strict=True)):
        if verdict or index not in article_of:
            dropped.append(Dropped(verdict or "related", block.of(text)))
            continue
        trimmed = block if keep_boilerplate else _trim_chrome(text, block)
        if trimmed != block and trimmed.end > trimmed.start and _match(BLOCK_PATTERNS, trimmed.of(text)):
            dropped.append(Dropped("credit", block.of(text)))
            continue
        for cut in (text[block.start : trimmed.start].strip(), text[max(trimmed.end, block.start) : block.end].strip()):
            if cut:
                dropped.append(Dropped("subscribe", cut))
        for item in split_items(text, trimmed):
            whole = f"{item.headline.of(text) if item.headline else ''} {item.body.of(text)}"
            sentences = split_sentences(text, item.body)
            reason = None if keep_boilerplate else _match(ITEM_PATTERNS, whole)
            if not reason and not keep_boilerplate and sentences and _CALL_TO_ACTION.search(sentences[-1].of(text)):
                reason = "promo"
            if reason:
                dropped.append(Dropped(reason, whole.strip()))
                continue
            kept: list[Span] = []
            for sentence in sentences:
                tail = None if keep_boilerplate else _SIGNOFF_TAIL.search(text, sentence.start, sentence.end)
                if tail:
                    dropped.append(Dropped("signoff", text[tail.start() : sentence.end].strip()))
                    sentence = strip_span(text, sentence.start, tail.start())
                    if sentence.end <= sentence.start:
                        continue
                why = None if keep_boilerplate else _match(SENTENCE_PATTERNS, sentence.of(text))
                if why:
                    dropped.append(Dropped(why, sentence.of(text)))
                else:
                    kept.append(sentence)
            if not kept and item.headline is None:
                continue
            head_span = out.add(item.headline, "\n\n") if item.headline else None
            sentence_spans = [out.add(sentence, " " if (i or head_span) else "\n\n") for i, sentence in enumerate(kept)]
            first = head_span or sentence_spans[0]
            item_span = (first[0], (sentence_spans[-1] if sentence_spans else first)[1])
            spans.setdefault(article_of[index], [item_span[0], item_span[1]])[1] = item_span[1]
            items.append(
                CleanItem(
                    headline=item.headline.of(text).rstrip(":").strip() if item.headline else None,
                    sentences=tuple(sentence_spans),
                    span=item_span,
                    headline_span=head_span,
                )
            )
    cleaned = "".join(out.parts)
    return CleanedDocument(
        text=cleaned, items=items, dropped=dropped, articles=_describe(text, cleaned, blocks, plans, spans), pieces=out.pieces
    )


def _describe(text: str, cleaned: str, blocks: list[Span], plans: list[articles.ArticlePlan], spans: dict[int, list[int]]) -> list[Article]:
    """Articles that kept some text, with the metadata their structure, raw text and cleaned text state."""
    out: list[Article] = []
    for n, plan in enumerate(plans):
        if n not in spans:
            continue
        start, end = spans[n]
        raw = text[blocks[plan.first].start : blocks[plan.end - 1].end]
        title, source, when = articles.describe(plan, raw, cleaned[start:end], is_lead=not out)
        out.append(Article(title, source, when, start, end))
    return out
