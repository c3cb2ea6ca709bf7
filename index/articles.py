"""Find the articles a document carries, each with its own headline, source and date.

A saved page or digest often holds several articles: a "Related Articles" section with full
bodies, a newspaper piece pasted under a blog post. An article starts at a headline-like whole line that
the page's structure marks as one: a source mark ("... (NYT)"), masthead or time lines right after
it ("Axios", "4 minutes ago"), a repeated copy of it (page cards), or its place after a
related-articles heading. A start whose body has fewer than `teaser_words` words is a teaser
(headline, a line, a link) and is dropped; what precedes the first start is the lead article.
Works on the blocks and drop verdicts of the cleaner, so every decision is reported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from index import metadata
from index.documents import Article, Document
from index.segmenting import Span

if TYPE_CHECKING:
    from index.cleaning import CleanedDocument

_HEAD_WINDOW = 6  # blocks after a headline that may hold its copies, masthead and time lines
_HEADLINE_MIN_WORDS = 4
_TITLE_MIN_WORDS = 3
_LONG_TITLE_WORDS = 50  # a first line followed by a date line is the title even when long (official releases)
_PROSE_WORDS = 25  # a block this long is body text: headlines come before it
_TITLE_CASE_SHARE = 0.7
_MINOR = frozenset(
    ["a", "an", "and", "as", "at", "but", "by", "for", "from", "in", "into", "of", "on", "or", "the", "to", "vs", "via", "with"]
)


@dataclass(frozen=True)
class ArticlePlan:
    """An article as a run of blocks [first, end), with what its structure states about it."""

    first: int
    end: int
    title: str | None
    source: str | None
    date: str | None
    card: bool = False  # marked by page-card structure (copies, masthead, related section), so a short one is a teaser


def _words(text: str) -> int:
    return len(text.split())


def _is_title_case(line: str) -> bool:
    words = [w for w in re.findall(r"[A-Za-z][\w’'-]*", line) if w.lower() not in _MINOR]
    return bool(words) and sum(w[0].isupper() for w in words) / len(words) >= _TITLE_CASE_SHARE


def headline(line: str) -> tuple[str, str | None] | None:
    """(headline, source from its mark) when the line reads as a headline, else None.

    Headline-like: 4-20 words, starts with a capital, has lower-case letters (all-caps lines are
    item lead-ins or chrome), and no sentence-final punctuation unless a source mark follows a
    title-case headline ("Iraq Hosts Both U.S. and Iranian-Backed Forces. It's Getting Tense. (NYT)").
    """
    title, source = metadata.split_source_mark(line)
    if not title[:1].isupper() or not re.search(r"[a-z]", title) or not _HEADLINE_MIN_WORDS <= _words(title) <= 20:
        return None
    if metadata.is_heading_like(title) or (source and _is_title_case(title)):
        return title, source
    return None


def _same(a: str, b: str) -> bool:
    return a.strip().casefold() == b.strip().casefold()


def is_bullet(text: str, block: Span) -> bool:
    """Whether the block is a "•" list item."""
    before = text[: block.start].rstrip(" \t")
    return before.endswith("•")


def _is_line(text: str, block: Span) -> bool:
    """Whether the block is a whole line (not a " | " table cell or a bullet)."""
    before, after = text[: block.start].rstrip(" \t"), text[block.end :].lstrip(" \t")
    return (not before or before.endswith("\n")) and (not after or after.startswith("\n"))


def segment(
    text: str, blocks: list[Span], verdicts: list[str | None], related_from: int | None = None, teaser_words: int = 40
) -> tuple[list[ArticlePlan], list[str | None]]:
    """Articles over the kept blocks, and the verdicts with headline copies, masthead lines and teasers marked."""
    verdicts = list(verdicts)
    lines = [block.of(text) for block in blocks]
    kept = [i for i, verdict in enumerate(verdicts) if verdict is None]
    starts: list[ArticlePlan] = []
    pos = 0
    while pos < len(kept):
        i = kept[pos]
        found = headline(lines[i]) if _is_line(text, blocks[i]) else None
        if found is None:
            pos += 1
            continue
        title, source = found
        date = None
        related = related_from is not None and i >= related_from
        signal = card = source is not None or related
        consumed = 0
        for j in kept[pos + 1 : pos + 1 + _HEAD_WINDOW]:
            line = lines[j]
            masthead = metadata.masthead_source(line)
            if _same(metadata.split_source_mark(line)[0], title):
                verdicts[j], card = "duplicate", True
            elif masthead:
                source = source or masthead
                verdicts[j], card = "masthead", True
            elif metadata.is_relative_time(line):
                verdicts[j], card = "masthead", True
            elif metadata.is_date_line(line):
                date = date or metadata.line_date(line)
            else:
                break
            signal, consumed = True, consumed + 1
        if signal:
            starts.append(ArticlePlan(i, i, title, source, date, card))
        pos += 1 + consumed
    return _close(text, blocks, lines, verdicts, starts, related_from, teaser_words), verdicts


def _close(
    text: str,
    blocks: list[Span],
    lines: list[str],
    verdicts: list[str | None],
    starts: list[ArticlePlan],
    related_from: int | None,
    teaser_words: int,
) -> list[ArticlePlan]:
    """Give each start its blocks up to the next start; drop teasers; the lead article takes what comes first.

    A short start without page-card structure (a signature over a date line) stays part of the article before it.
    """
    bounds = [plan.first for plan in starts] + [len(blocks)]
    plans: list[ArticlePlan] = []
    lead_end = bounds[0]
    if related_from is not None and related_from < lead_end:  # links after a related heading, before any article
        for j in range(related_from, lead_end):
            verdicts[j] = verdicts[j] or "related"
        lead_end = related_from
    if any(verdicts[j] is None for j in range(lead_end)) or not starts:
        plans.append(lead(text, blocks, lines, verdicts, 0, lead_end))
    for plan, end in zip(starts, bounds[1:], strict=True):
        body = sum(_words(lines[j]) for j in range(plan.first + 1, end) if verdicts[j] is None)
        if body >= teaser_words or not plans:
            plans.append(replace(plan, end=end))
        elif plan.card:
            for j in range(plan.first, end):
                verdicts[j] = verdicts[j] or "teaser"
        else:
            plans[-1] = replace(plans[-1], end=end)
    return plans


def lead(text: str, blocks: list[Span], lines: list[str], verdicts: list[str | None], first: int, end: int) -> ArticlePlan:
    """The lead article: its title is the first headline before the body, never a caption, byline, tagline or bullet.

    A first line followed by a date line is a title even when long or punctuated (official releases).
    """
    kept = [j for j in range(first, end) if verdicts[j] is None]
    title = None
    for n, j in enumerate(kept):
        line = lines[j]
        if is_bullet(text, blocks[j]):
            continue
        dated = n + 1 < len(kept) and metadata.is_date_line(lines[kept[n + 1]])
        if dated and _is_line(text, blocks[j]) and _words(line) <= _LONG_TITLE_WORDS:
            title = line
            break
        if _words(line) >= _PROSE_WORDS:
            break
        if _words(line) >= _TITLE_MIN_WORDS and metadata.is_heading_like(line) and not metadata.is_date_line(line):
            title = line
            break
    return ArticlePlan(first, end, title, None, None)


def describe(plan: ArticlePlan, raw: str, cleaned: str, is_lead: bool) -> tuple[str | None, str | None, str | None]:
    """Title, source and date of an article from its structure, its raw text (sign-offs survive there) and its cleaned text.

    Source: the newsletter its own sign-off names, else its masthead or source mark, else (lead article
    only) "Posted by", the government office its byline, dateline or title names, or the publication it names most. Date: its date line, else (lead only) a date
    stated at the top. Sub-articles never inherit the page's source or date.
    """
    source = metadata.signoff_source(raw) or plan.source or (metadata.detect_source(cleaned, plan.title) if is_lead else None)
    date = plan.date or (metadata.detect_date(cleaned) if is_lead else None)
    return plan.title, source, date


def with_explicit_metadata(cleaned: CleanedDocument, doc: Document) -> CleanedDocument:
    """Front matter, HTML and e-mail headers describe the lead article; they win over what the text suggests."""
    if not cleaned.articles:
        return cleaned
    lead_article = cleaned.articles[0]
    explicit = Article(
        doc.title or lead_article.title,
        doc.source or lead_article.source,
        doc.date or lead_article.date,
        lead_article.start,
        lead_article.end,
    )
    return replace(cleaned, articles=[explicit, *cleaned.articles[1:]])
