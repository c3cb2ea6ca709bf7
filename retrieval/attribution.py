"""Attribution questions ("What did X say/think about Y?") and sentences that carry statements.

For such questions the answer should be what X said: sentences with a quote or a speech verb,
preferably naming X (or X's demonym: Iraq → Iraqi) in the sentence, else in the passage around it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_QUESTION = re.compile(
    r"(?i)^\s*(?:what|how)\s+(?:did|does|do|has|have|is|are|was|were)\s+(?P<who>.+?)\s+"
    r"(?:say|said|saying|think|thought|thinking|claim|claimed|argue|argued|tell|told|warn|warned|announce|announced|"
    r"state|stated|believe|believed|respond|responded|react|reacted|feel|felt|report|reported|mean|want|wanted)"
    r"(?:\s+(?:about|on|of|regarding|to|concerning|over)\s+(?P<topic>.+?))?\s*\??\s*$"
)
SPEECH = re.compile(
    r"(?i)\b(?:said|says|say|told|tells|warned|warns|stated|statement|complained|argued|argues|claimed|claims|"
    r"added|insisted|denounced|described|called|urged|demanded|announced|according to|blasted|posted|wrote|writes|"
    r"believes?|worried|assured|conceded|rejected|vowed|pledged)\b"
)
QUOTE = re.compile(r"[“”\"]|(?:^|\s)'[A-Z]")
_LEADING_ARTICLE = re.compile(r"(?i)^(?:the|a|an)\s+")


@dataclass(frozen=True)
class Attribution:
    who: str
    topic: str | None
    who_terms: tuple[str, ...]  # lower-cased stems that identify the speaker


def speaker_terms(who: str) -> tuple[str, ...]:
    """Words naming the speaker, with a stem so "Iraq" also matches "Iraqi", "Iraq's" and "Iraqis"."""
    words = [w for w in re.findall(r"[\w’'-]+", _LEADING_ARTICLE.sub("", who)) if w[0].isupper() or len(w) > 3]
    stems: list[str] = []
    for word in words:
        word = re.sub(r"(?:’s|'s)$", "", word.lower())
        stems.append(word[:-1] if len(word) > 5 and word.endswith(("a", "e", "i", "n")) else word)
    return tuple(dict.fromkeys(stems))


def parse(question: str) -> Attribution | None:
    match = _QUESTION.match(question)
    if not match:
        return None
    who = match.group("who").strip()
    return Attribution(who=who, topic=(match.group("topic") or "").strip() or None, who_terms=speaker_terms(who))


def is_statement(sentence: str) -> bool:
    return bool(QUOTE.search(sentence) or SPEECH.search(sentence))


def mentions(text: str, terms: tuple[str, ...]) -> bool:
    lowered = text.lower()
    return any(re.search(rf"\b{re.escape(term)}", lowered) for term in terms)
