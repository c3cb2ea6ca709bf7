"""RSS and Atom feeds → one Document per entry, with the entry's title, link, date and the feed's name as source.

An entry's id is its link (else its feed id), so re-reading a feed updates changed entries and adds
new ones; the feed's location is the entries' root, and entries that later drop out of the feed stay
indexed (a feed is a window, not the archive). A URL is fetched by feedparser; a file is read from disk.
"""

from __future__ import annotations

import logging
import re
import time
from pathlib import Path
from urllib.parse import urlparse

import feedparser
import lxml.html
from lxml import etree

from index.documents import Document, Rejected, content_hash
from index.formats import FormatError
from index.loading import LoadResult

logger = logging.getLogger(__name__)

_BLOCK_TAGS = {"p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "tr", "table", "section", "article"}
_SPACES = re.compile(r"[ \t\r\f\v\xa0]+")


def is_url(location: str) -> bool:
    return urlparse(location).scheme in ("http", "https")


def html_text(fragment: str) -> str:
    """Plain text of an entry's HTML, one line per block element (the cleaner's blocks are lines)."""
    if "<" not in fragment:
        return "\n".join(_SPACES.sub(" ", line).strip() for line in fragment.splitlines() if line.strip())
    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except (etree.ParserError, ValueError):
        return ""
    for element in root.iter():
        if isinstance(element.tag, str) and element.tag.lower() in _BLOCK_TAGS:
            element.tail = "\n" + (element.tail or "")
            if element.tag.lower() != "br":
                element.text = "\n" + (element.text or "")
    lines = (_SPACES.sub(" ", line).strip() for line in root.text_content().splitlines())
    return "\n".join(line for line in lines if line)


def _entry_date(entry: feedparser.FeedParserDict) -> str | None:
    parsed = entry.get("published_parsed") or entry.get("updated_parsed") or entry.get("created_parsed")
    return time.strftime("%Y-%m-%d", parsed) if parsed else None


def _entry_body(entry: feedparser.FeedParserDict) -> str:
    """The fullest text the entry carries: its content (Atom content, content:encoded), else its summary."""
    contents = [c.get("value", "") for c in entry.get("content", [])]
    return html_text(max(contents, key=len) if contents else entry.get("summary", ""))


def _parse(location: str) -> feedparser.FeedParserDict:
    if is_url(location):
        parsed = feedparser.parse(location)
        if not parsed.entries and parsed.get("bozo"):
            raise FormatError(f"could not fetch or parse feed {location}: {parsed.get('bozo_exception')}")
        return parsed
    path = Path(location)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise FormatError(f"cannot read feed file {location}: {exc.strerror}") from exc
    parsed = feedparser.parse(raw)
    if not parsed.entries:
        reason = parsed.get("bozo_exception") if parsed.get("bozo") else "it has no entries"
        raise FormatError(f"{location} is not a readable RSS/Atom feed ({reason})")
    return parsed


def load_feed(location: str) -> tuple[list[Document], list[Rejected]]:
    """Entries with text become documents; an entry without text is rejected, a feed that cannot be read raises FormatError."""
    parsed = _parse(location)
    root = location if is_url(location) else str(Path(location).resolve())
    feed_title = parsed.feed.get("title") or None
    documents: list[Document] = []
    rejected: list[Rejected] = []
    for n, entry in enumerate(parsed.entries, start=1):
        link = entry.get("link") or entry.get("id")
        doc_id = link or f"{Path(root).name}#{n}"
        title = html_text(entry.get("title", "")).replace("\n", " ")
        body = _entry_body(entry)
        if not body.strip():
            rejected.append(Rejected(path=doc_id, reason="feed entry has no text"))
            continue
        text = f"{title}\n\n{body}" if title and not body.startswith(title) else body
        source = feed_title or (urlparse(link).hostname if link else None)
        documents.append(
            Document(
                doc_id=doc_id,
                root=root,
                text=text,
                body_start=0,
                title=title,
                source=source,
                date=_entry_date(entry),
                content_hash=content_hash(text),
                format="feed",
            )
        )
    logger.info("feed %s: %d entries, %d without text", location, len(documents), len(rejected))
    return documents, rejected


def load_feeds(locations: list[str]) -> LoadResult:
    """Every readable feed's entries; a feed that cannot be read is one rejection, and the others still load."""
    result = LoadResult()
    for location in locations:
        try:
            documents, rejected = load_feed(location)
        except FormatError as exc:
            result.rejected.append(Rejected(path=location, reason=str(exc)))
            continue
        result.documents.extend(documents)
        result.rejected.extend(rejected)
    return result
