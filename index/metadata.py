"""Title, source and date detection from the text itself.

Kept deliberately general: front matter first, then explicit statements ("Posted by X on Feb 8th
2024", "Date: 2021-06-04", a newsletter's own sign-off "Thanks for tuning in to NatSec Daily"),
masthead lines ("Axios", "Politico 15 hours ago") and source marks ("... (NYT)"), then known
publication names. Nothing is guessed: a date that the text does not state stays unknown ("undated").
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
    "Financial Times",
    "The Guardian",
    "CNN",
    "NPR",
    "BBC",
)
# Abbreviations publications go by in source marks and mastheads.
SOURCE_ALIASES: dict[str, str] = {
    "nyt": "The New York Times",
    "ny times": "The New York Times",
    "new york times": "The New York Times",
    "wsj": "The Wall Street Journal",
    "wapo": "The Washington Post",
    "washington post": "The Washington Post",
    "ap": "Associated Press",
    "ft": "Financial Times",
    "hill": "The Hill",
    "daily beast": "The Daily Beast",
}
UNDATED = "undated"
# Offices that publish under their institution's name: a byline, dateline, sign-off or title naming one is the source.
INSTITUTIONS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "U.S. Department of State",
        re.compile(
            r"(?i)\b(?:Department Press Briefing|Office of the Spokesperson|Secretary of State|Department Spokesperson|"
            r"State Department|Department of State)\b"
        ),
    ),
    (
        "The White House",
        re.compile(
            r"(?i)\b(?:White House|Press Secretary|National Security Advisor|APNSA|NSC|Vice President|President of the United States|"
            r"Oval Office|Air Force One|Brady Press Briefing Room|Executive Orders?|Presidential|Proclamation|Memorandum|"
            r"Background Press Call|Press Call|Press Gaggle)\b|^(?:Fact Sheet:\s*)?President\b"
        ),
    ),
)
# A title naming the issuer ("Remarks by President Biden ...", "Readout of National Security Advisor ...") outranks the
# place lines under it (a president's remarks delivered at the Department of State).
_ISSUER_TITLE = re.compile(
    r"(?i)\b(?:by|from|of) (?:the |a )?(?:President|Vice President|First Lady|Press Secretary|National Security Advisor|APNSA|NSC|"
    r"Senior Administration Officials?)\b"
)
_BYLINE_LINES = 6
_BYLINE_MAX_WORDS = 12
_SIGNOFF_LINES = 3

_POSTED_BY = re.compile(r"^\s*Posted by (?P<who>.+?) on (?P<when>[A-Z][a-z]{2,8}\.? \d{1,2}(?:st|nd|rd|th)?,? \d{4})", re.M)
_DATE_LINE = re.compile(r"^\s*Date:\s*(?P<when>\d{4}-\d{2}-\d{2})\s*$", re.M)
_LONG_DATE = re.compile(r"\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.? \d{1,2}(?:st|nd|rd|th)?,? (?:19|20)\d{2}\b")
_HEAD_CHARS = 600
_TITLE_MAX_WORDS = 20
_SIGNOFF_NAME = re.compile(r"(?i:thanks for (?:tuning in|reading))(?: to)? (?P<name>[A-Z][\w’'&-]*(?: [A-Z][\w’'&-]*){0,3})")
_RELATIVE_TIME = re.compile(r"(?i)\s*(?:time)?\s*\d+\s*(?:sec(?:ond)?s?|min(?:ute)?s?|h(?:ou)?rs?|days?|weeks?|months?)\s+ago$")
_TIME_OF_DAY = re.compile(r"(?i)\d{1,2}:\d{2}\s*[ap]\.?m\b")
_SOURCE_MARK = re.compile(r"\s*[(\[](?P<mark>[A-Z][\w.&' ]{0,40})[)\]]$")


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


def display_date(when: str | None) -> str:
    """What to show for a date: the ISO date, or "undated" when the text states none."""
    return when or UNDATED


def source_name(text: str) -> str | None:
    """The canonical publication a short name stands for ("NYT", "Politico", "The Hill"), else None."""
    key = re.sub(r"\s+", " ", text.strip(" \t•–—-:|")).casefold()
    if not key:
        return None
    for name in KNOWN_SOURCES:
        if key in (name.casefold(), name.casefold().removeprefix("the ")):
            return name
    return SOURCE_ALIASES.get(key.removeprefix("the "))


def is_relative_time(line: str) -> bool:
    """A page's relative timestamp ("15 hours ago", "time4 minutes ago"): no date can be read from it."""
    return bool(_RELATIVE_TIME.fullmatch(" " + line.strip()))


def masthead_source(line: str) -> str | None:
    """A line that only names a publication, possibly glued to a relative time ("Politico15 hours ago")."""
    return source_name(_RELATIVE_TIME.sub("", line)) if len(line.split()) <= 8 else None


def split_source_mark(line: str) -> tuple[str, str | None]:
    """A headline with a trailing source mark ("Iraq Hosts ... Tense. (NYT)") → (headline, publication)."""
    match = _SOURCE_MARK.search(line)
    source = source_name(match.group("mark")) if match else None
    return (line[: match.start()].strip(), source) if match and source else (line, None)


def is_date_line(line: str) -> bool:
    """A line that states only a date ("Date: 2021-06-04", "Feb. 8, 2024", "Posted by X on Feb 8th 2024")."""
    words = line.split()
    if not 0 < len(words) <= 8:
        return False
    return bool(_DATE_LINE.match(line) or _POSTED_BY.match(line) or (_LONG_DATE.search(line) and parse_date(line)))


def line_date(line: str) -> str | None:
    """The date a date line states."""
    for pattern in (_DATE_LINE, _POSTED_BY, _LONG_DATE):
        match = pattern.search(line)
        if match:
            return parse_date(match.groupdict().get("when") or match.group(0))
    return None


def signoff_source(text: str) -> str | None:
    """The newsletter a sign-off names ("Thanks for tuning in to NatSec Daily!"), read before cleaning drops it."""
    match = _SIGNOFF_NAME.search(text)
    return match.group("name").strip(" .") if match else None


def institution_source(title: str | None, body: str) -> str | None:
    """The government office that issued a release, from its byline, dateline or sign-off lines, else its title.

    "Ned Price, Department Spokesperson", "Office of the Spokesperson", "Department Press Briefing – ..." →
    U.S. Department of State; "James S. Brady Press Briefing Room", "THE WHITE HOUSE," → The White House.
    Only short lines count: a body sentence naming an office is not a byline. The title comes after the byline
    lines, since a State release may be titled after a meeting with a president.
    """
    lines = [line.strip() for line in body.splitlines() if line.strip()]
    short = [line for line in lines if len(line.split()) <= _BYLINE_MAX_WORDS]
    head = [line for line in short if line in lines[:_BYLINE_LINES] and line != title]
    tail = [line for line in short if line in lines[-_SIGNOFF_LINES:]]
    if title and _ISSUER_TITLE.search(title):
        return "The White House"
    for line in (*head, *([title] if title else []), *tail):
        found = [(match.start(), name) for name, cue in INSTITUTIONS if (match := cue.search(line))]
        if found:
            return min(found)[1]
    return None


def detect_source(body: str, title: str | None = None) -> str | None:
    """ "Posted by X", else the government office that issued it, else the publication the text names most."""
    posted = _POSTED_BY.search(body[:_HEAD_CHARS])
    if posted:
        return posted.group("who").strip()
    office = institution_source(title, body)
    if office:
        return office
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
        and not _TIME_OF_DAY.match(line)
    )
