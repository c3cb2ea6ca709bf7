"""The document as loaded from disk, before cleaning."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass


@dataclass(frozen=True)
class Document:
    doc_id: str  # path relative to the corpus root, e.g. "003_bec8731c7900498a.txt"
    root: str  # absolute corpus root the id is relative to
    text: str  # decoded file text (or the extracted text of HTML, e-mail, PDF with form feeds between pages, DOCX, feed entries)
    body_start: int  # where the body starts in `text` (after YAML front matter)
    title: str  # from front matter, HTML or e-mail headers; filled from the cleaned text when empty
    source: str | None
    date: str | None  # ISO date, when the text or front matter states one
    content_hash: str
    format: str  # txt, md, html, eml, pdf, docx, feed
    encoding: str = "utf-8"


@dataclass(frozen=True)
class Article:
    """One article inside a document (a digest or saved page may carry several), as a span of the cleaned text."""

    title: str | None  # its headline; None when the text has none (never a caption, byline or first sentence)
    source: str | None
    date: str | None  # ISO date the text states for it; None is shown as "undated"
    start: int
    end: int


@dataclass(frozen=True)
class Rejected:
    """A file that could not be indexed, with the reason shown in the ingest summary."""

    path: str
    reason: str


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
