"""Countries by any of their names: name, demonym, capital and common alternative spellings.

Briefings name a country's government by metonym: "Iraq said", "Iraqi officials", "Baghdad
warned" are the same speaker. The table comes from the `countryinfo` package (maintained country
data: names, demonyms, capitals), not from the briefings, so it covers every country alike.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from functools import lru_cache

logger = logging.getLogger(__name__)

# Alternative spellings worth matching: Latin letters, spaces, dots and hyphens ("Russian Federation", "USA").
_ALIAS = re.compile(r"^[A-Za-z][A-Za-z .'-]+$")
_CODE = re.compile(r"^[A-Z]{2,3}$")  # ISO codes: only a few are used in prose
_CODES_IN_PROSE = {"US", "USA", "UK", "UAE", "DPRK", "PRC", "ROK"}


@dataclass(frozen=True)
class Country:
    name: str
    names: tuple[str, ...]  # name first, then demonym, capital and alternative spellings


def _names(info: dict[str, object]) -> tuple[str, ...]:
    name = str(info.get("name") or "")
    capital = re.sub(r"\s+D\.?C\.?$", "", str(info.get("capital") or ""))
    out = [name, str(info.get("demonym") or ""), capital]
    for alias in info.get("altSpellings") or ():
        alias = str(alias)
        if _ALIAS.match(alias) and (not _CODE.match(alias) or alias in _CODES_IN_PROSE) and "," not in alias:
            out.append(alias)
    return tuple(dict.fromkeys(n for n in out if n))


@lru_cache(maxsize=1)
def table() -> dict[str, Country]:
    """Lower-cased name, demonym, capital or alternative spelling → Country; empty if countryinfo is missing."""
    try:
        from countryinfo import all_countries
    except ImportError:
        logger.warning("countryinfo is not installed: country names, demonyms and capitals are not linked")
        return {}
    entries = []
    for entry in all_countries():
        names = _names(entry.info())
        if names:
            entries.append((Country(names[0], names), _population(entry)))
    # Names before demonyms and aliases, and populous countries first, so "American" is the United States.
    entries.sort(key=lambda item: -item[1])
    out: dict[str, Country] = {}
    for position in range(max(len(c.names) for c, _ in entries)):
        for country, _ in entries:
            if position < len(country.names):
                out.setdefault(country.names[position].lower().replace(".", ""), country)
    return out


def _population(entry: object) -> int:
    try:
        return int(entry.population() or 0)  # type: ignore[attr-defined]
    except Exception:  # some territories have no figure
        return 0


def lookup(words: str) -> Country | None:
    """The country named by `words` ("Iraq", "Iraqi", "Baghdad", "U.S.", "the United States"), if any."""
    key = re.sub(r"^(?:the)\s+", "", words.strip(), flags=re.I).replace(".", "").lower()
    key = re.sub(r"(?:’s|'s)$", "", key)
    found = table().get(key)
    if found is None and key.endswith("s"):  # plural demonym: "Iraqis", "Americans"
        found = table().get(key[:-1])
    return found


def pattern(name: str) -> str:
    """A regex for one name in running text: short codes case-sensitive with optional dots (U.S.), words with plural or possessive endings."""
    if len(name) <= 4 and name.isupper():
        dotted = r"\.?".join(re.escape(ch) for ch in name) + r"\.?"
        return rf"(?<![\w.]){dotted}(?!\w)"
    return rf"(?i:\b{re.escape(name)}(?:s|es|i|is|’s|'s)?\b)"


_NAME_RUN = re.compile(r"[A-Z][\w.’'-]*(?:\s+(?:of\s+)?[A-Z][\w.’'-]*)*")


def named_in(text: str) -> set[str]:
    """Names (first names in the table) of the countries `text` mentions by any of their names."""
    found: set[str] = set()
    for run in _NAME_RUN.finditer(text):
        words = run.group().split()
        for size in range(min(len(words), 5), 0, -1):
            for i in range(len(words) - size + 1):
                country = lookup(" ".join(words[i : i + size]).strip(".,"))
                if country is not None:
                    found.add(country.name)
    return found
