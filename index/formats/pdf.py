"""PDF → text with its pages kept: pages are joined by a form feed, so an offset's page is the count of form feeds before it.

Text comes from pypdf's extraction, reflowed so a wrapped paragraph becomes one line (the cleaner's
blocks are lines); citations still point at exact characters of this text, and `page_at` gives
their page.
"""

from __future__ import annotations

import io
import logging

from pypdf import PdfReader
from pypdf.errors import FileNotDecryptedError, PyPdfError

from index.formats import Extracted, FormatError

logger = logging.getLogger(__name__)
# pypdf logs its repairs of malformed files as warnings; the one-line rejection reason says what matters.
logging.getLogger("pypdf").setLevel(logging.ERROR)

PAGE_BREAK = "\n\f\n"
_FULL_LINE = 0.6  # a line at least this share of the page's longest line wrapped, so the paragraph goes on


def page_at(text: str, offset: int) -> int:
    """1-based page number of a character offset in the extracted text."""
    return text.count("\f", 0, max(offset, 0)) + 1


def reflow(page: str) -> str:
    """Join wrapped lines into one line per paragraph; a short line or a blank one ends a paragraph."""
    lines = [line.strip() for line in page.replace("\f", " ").splitlines()]
    width = max((len(line) for line in lines), default=0)
    paragraphs: list[str] = []
    current, last = "", ""
    for line in lines:
        if not line:
            paragraphs.append(current)
            current = last = ""
            continue
        wrapped = current and (len(last) >= _FULL_LINE * width or line[0].islower())
        if wrapped:
            current += line if current.endswith("-") else f" {line}"
        else:
            paragraphs.append(current)
            current = line
        last = line
    paragraphs.append(current)
    return "\n".join(p for p in paragraphs if p)


def extract(raw: bytes) -> Extracted:
    try:
        reader = PdfReader(io.BytesIO(raw))
        if reader.is_encrypted and not reader.decrypt(""):
            raise FormatError("encrypted PDF (needs a password)")
        pages = [reflow(page.extract_text() or "") for page in reader.pages]
        title = reader.metadata.title if reader.metadata else None
    except FileNotDecryptedError as exc:
        raise FormatError("encrypted PDF (needs a password)") from exc
    except (PyPdfError, ValueError, KeyError, TypeError, OSError) as exc:
        raise FormatError(f"not a readable PDF ({exc})") from exc
    if not any(pages):
        raise FormatError("PDF has no extractable text (a scanned image needs OCR first)")
    return Extracted(text=PAGE_BREAK.join(pages), title=str(title or "").strip() or None)
