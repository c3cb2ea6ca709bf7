"""Is a question answerable from the passages retrieved for it?

Two signals, both calibrated on the dev set (see README "Abstention"):
- the cross-encoder's best logit over the top passages: unrelated or merely topical passages
  score low even when they share the question's words;
- entity coverage: a named entity of the question (a person, country, organisation) that no top
  passage mentions means the briefings do not talk about it. Countries count under any of their
  names (Iraq, Iraqi, Baghdad), people under their surname.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from retrieval import countries
from retrieval.passages import Passage

# Capitalised words at a question's start that are not names.
_FRAME = {
    "what", "which", "who", "whom", "whose", "how", "when", "where", "why", "did", "does", "do", "is", "are", "was", "were",
    "has", "have", "had", "can", "could", "will", "would", "should", "the", "a", "an", "in", "on", "after", "before", "according",
    "western", "eastern", "northern", "southern", "central", "middle", "global", "international",
}  # fmt: skip
_CALENDAR = re.compile(
    r"^(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|January|February|March|April|May|June|July|August|"
    r"September|October|November|December)$"
)
# A run of capitalised words, allowing lower-case joiners inside ("Court of Justice", "bin Salman", "al-Sudani").
_RUN = re.compile(r"[A-Z][\w.’'-]*(?:\s+(?:(?:of|the|de|bin|al|von|van|la)\s+)*[A-Z][\w.’'-]*)*")
_JOINER = re.compile(r"^(?:of|the|de|bin|al|von|van|la)$")
_POSSESSIVE = re.compile(r"(?:’s|'s|’|')$")


def entities(question: str) -> list[tuple[str, ...]]:
    """Named entities of `question`, each as the alternative names any one of which counts as a mention.

    A country counts under any of its names; any other name under any of its words of three or more
    letters ("Kim Jong Un" is mentioned as "Kim"), which keeps coverage loose: it should only catch
    entities the passages never name at all.
    """
    out: list[tuple[str, ...]] = []
    for match in _RUN.finditer(question):
        words = match.group().split()
        if match.start() == 0 or question[: match.start()].rstrip().endswith(("?", ".")):
            while words and words[0].lower() in _FRAME:
                words = words[1:]
        for part in re.split(r"(?<=[a-z.])-(?=[A-Z])", " ".join(words)):  # "Trump-Putin" names two people
            part = _POSSESSIVE.sub("", re.sub(r"-[a-z]\w*$", "", part.strip()))  # "Iran-backed" → "Iran"
            if not part or _CALENDAR.match(part):
                continue
            country = countries.lookup(part)
            if country is not None:
                out.append(country.names)
                continue
            rest: list[str] = []
            for word in part.split():
                word = _POSSESSIVE.sub("", word)
                country = countries.lookup(word)
                if country is not None:
                    out.append(country.names)
                elif len(word.strip(".")) >= 3 and word.lower() not in _FRAME and not _JOINER.match(word):
                    rest.append(word.strip("."))
            if rest:
                out.append(tuple(rest))
    return list(dict.fromkeys(out))


def mentions(names: Sequence[str], text: str) -> bool:
    """Any of the names occurs; a long word also by its first six letters ("Argentine" ~ "Argentina", "America" ~ "American")."""
    return any(re.search(_loose(name), text) for name in names)


def _loose(name: str) -> str:
    if len(name) >= 7 and name.isalpha():
        return rf"(?i:\b{re.escape(name[:6])}\w*)"
    return countries.pattern(name)


def uncovered(question: str, passages: Sequence[Passage]) -> list[tuple[str, ...]]:
    """The question's entities that no passage mentions, each as its alternative names."""
    texts = [_text(p) for p in passages]
    return [names for names in entities(question) if not any(mentions(names, text) for text in texts)]


def covers_any(entities: Sequence[tuple[str, ...]], passage: Passage) -> bool:
    """The passage mentions one of the entities."""
    text = _text(passage)
    return any(mentions(names, text) for names in entities)


def _text(passage: Passage) -> str:
    return f"{passage.title} {passage.headline or ''} {passage.text}"


def best_rerank(passages: Sequence[Passage]) -> float | None:
    """The best cross-encoder logit among `passages`; None when they were not reranked."""
    scores = [p.rerank for p in passages if p.rerank is not None]
    return max(scores) if scores else None
