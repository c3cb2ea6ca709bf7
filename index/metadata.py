"""Title, source and date detection from the text itself.

Kept deliberately general: front matter first, then explicit statements in the first lines
("Posted by X on Feb 8th 2024", "Date: 2021-06-04"), then known publication names.
"""

from __future__ import annotations

import re
from datetime import date

from dateutil import parser as dateparser

# Publications recognised by name; newsletters before their parent outlets so the specific one wins ties.
KNOWN_SOURCES: tuple[str, ...] = (
    "NatSec Daily",
    "Morning Defense",
    "Playbook",
    "The Daily Beast",
    "POLITICO",
    "The New York Times",
    "The Washington Post",
    "The Wall Street Journal",
    "Reuters",
    "Associated Press",
    "Bloomberg",
    "Axios",
    "The Hill",
    "Foreign Policy",
    "U.S. Department of State",
    "The White House",
)

_POSTED_BY = re.compile(r"^\s*Posted by (?P<who>.+?) on (?P<when>[A-Z][a-z]{2,8}\.? \d{1,2}(?:st|nd|rd|th)?,? \d{4})", re.M)
_DATE_LINE = re.compile(r"^\s*Date:\s*(?P<when>\d{4}-\d{2}-\d{2})\s*$", re.M)
_LONG_DATE = re.compile(r"\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.? \d{1,2}(?:st|nd|rd|th)?,? (?:19|20)\d{2}\b")
_HEAD_CHARS = 600
_NOT_TITLE = re.compile(r"^(?:By |Posted by |Date:|With help from )|\bSubscribe\b|/(?:AP|AFP|Reuters|Getty Images)$")
_TITLE_MAX_WORDS = 20


def parse_date(value: object) -> str | None:
    """Any date-like value → ISO `YYYY-MM-DD`, or None when it is not a plausible date."""
    if isinstance(value, date):
        return value.isoformat()[:10]
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        parsed = dateparser.parse(re.sub(r"(\d)(st|nd|rd|th)\b", r"\1", value), fuzzy=False)
    except (ValueError, OverflowError):
        return None
    return parsed.date().isoformat() if 1900 < parsed.year < 2100 else None


def detect_date(body: str) -> str | None:
    head = body[:_HEAD_CHARS]
    for pattern in (_DATE_LINE, _POSTED_BY, _LONG_DATE):
        match = pattern.search(head)
        if match:
            found = parse_date(match.groupdict().get("when") or match.group(0))
            if found:
                return found
    return None


def detect_source(body: str) -> str | None:
    posted = _POSTED_BY.search(body[:_HEAD_CHARS])
    if posted:
        return posted.group("who").strip()
    counts = {name: len(re.findall(rf"(?<![@\w.]){re.escape(name)}(?!\w)", body)) for name in KNOWN_SOURCES}
    best = max(KNOWN_SOURCES, key=lambda name: counts[name])
    return best if counts[best] else None


def is_heading_like(line: str) -> bool:
    """A short line without sentence-final punctuation: a title, kicker or section heading."""
    words = line.split()
    return (
        0 < len(words) <= _TITLE_MAX_WORDS
        and not re.search(r"[.!?:;,]\W*$", line)
        and not line.startswith(("By ", "Posted by ", "Date:"))
        and not line.endswith(" ago")
    )


def detect_title(body: str, fallback: str) -> str:
    """First heading-like line of at least three words; else the start of the first sentence."""
    lines = [line.strip(" \t•") for line in re.split(r"\n|\|", body[:2000])]
    lines = [line for line in lines if not _NOT_TITLE.search(line)]
    for line in lines:
        if len(line.split()) >= 3 and is_heading_like(line) and not _DATE_LINE.match(line):
            return line
    for line in lines:
        if len(line.split()) >= 3:
            words = line.split()
            return " ".join(words[:12]) + ("…" if len(words) > 12 else "")
    return fallback


def describe(title: str, source: str | None, when: str | None, cleaned: str, fallback: str) -> tuple[str, str | None, str | None]:
    """Fill what explicit metadata (front matter, HTML, e-mail headers) left empty from the cleaned text."""
    return title or detect_title(cleaned, fallback), source or detect_source(cleaned), when or detect_date(cleaned)
