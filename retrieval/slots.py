"""What a question asks for (a count of something, a person's name, a duration, a number, a date, a place) and whether a
sentence holds it.

Sentences holding the asked slot lead the answer. Three slots are specific enough to abstain on: a duration, a count
("How many U.S. troops …" needs a number beside "troops" or a word for them) and a person's name ("What was the
name of the Kataib Hezbollah commander …" needs a name beside the role, in a sentence about Kataib Hezbollah). A topical passage that never gives the
count or the name does not answer the question, however close its words are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from retrieval import answerability, countries

_NUMBER_QUESTION = re.compile(r"(?i)^\s*(?:how (?:many|much|long|far|old|big)|what (?:number|percentage|share))\b")
_DATE_QUESTION = re.compile(r"(?i)^\s*(?:when|what (?:year|date|day|month|time)|(?:on|in) what (?:year|date|day))\b|\bwhen and where\b")
_PLACE_QUESTION = re.compile(r"(?i)^\s*(?:where|(?:in|at) (?:which|what) (?:city|country|place|base))\b|\bwhere\b.*\?$")
_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_WEEKDAYS = "Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday"
_DATE = re.compile(
    rf"\b(?:\d{{4}}|{_WEEKDAYS}|today|tomorrow|yesterday|tonight|next week|last week|{_MONTHS}|Jan\.|Feb\.|Aug\.|Sept?\.|Oct\.|Nov\.|Dec\.)\b"
)
_PLACE = re.compile(r"\b(?:in|at|near|to|from) (?:the )?[A-Z][\w’'-]+")
_QUANTITY = r"\d[\d,.]*|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|dozens?|hundreds?|thousands?|millions?|billions?"
_NUMBER = re.compile(rf"(?i)\b(?:{_QUANTITY}|half|{_WEEKDAYS}|{_MONTHS})\b")
_COUNT = re.compile(rf"(?i)^(?:{_QUANTITY})$")
_DURATION_QUESTION = re.compile(r"(?i)^\s*how long\b")
_DURATION = re.compile(
    rf"(?i)\b(?:{_QUANTITY}|an?|several|few)[\s-]+(?:\w+[\s-]+)?(?:seconds?|minutes?|hours?|days?|weeks?|months?|years?|decades?)\b"
)

# "How many <counted> are/did/…": the counted thing ends at the verb, a comma or "of" ("prisoners of war").
_COUNT_QUESTION = re.compile(
    r"(?i)^\s*how many\s+(?P<counted>[^?,]+?)(?:\s+of\b[^?,]*?)?(?=\s+(?:are|is|were|was|have|has|had|did|do|does|will|would|could|can|"
    r"should|in|on|at|from|since)\b|,|\?|$)"
)
# "What was the name of the <…> commander …", "Which <…> hostages were …": the role is looked up among the next words.
_NAME_QUESTION = re.compile(
    r"(?i)^\s*(?:what (?:was|is|were|are) the names? of|(?:which|what)(?=(?:\s+[\w’'-]+){1,3}\s+(?:was|were|is|are|did|has|have)\b))"
    r"(?P<phrase>(?:\s+[\w’'-]+){1,5})"
)
# Roles whose answer is a person's name; "Which city …" or "Which company's …" are answered by other names.
_PEOPLE = {
    "commander", "commanders", "leader", "leaders", "official", "officials", "hostage", "hostages", "candidate", "candidates",
    "minister", "ministers", "general", "generals", "spokesman", "spokeswoman", "spokesperson", "prisoner", "prisoners",
    "soldier", "soldiers", "journalist", "journalists", "victim", "victims", "suspect", "suspects", "chief", "envoy", "ambassador",
}  # fmt: skip
# Words a briefing uses for the same counted people ("3,147 U.S. military personnel" answers "how many troops").
_SAME_COUNT = (
    ("troop", "soldier", "personnel", "service member", "servicemember", "force", "military"),
    ("prisoner", "pow", "detainee", "captive"),
)
_WINDOW = 6  # words between the count (or the name) and the thing it counts (or names)
_WORD = re.compile(r"[\w’'.,-]+")
_NAME_WORD = re.compile(r"^(?:[A-Z][a-z’'.-]+|[A-Z]{2,}[’'A-Z-]*|[A-Z]\.|(?:al|el)-[A-Z][\w’'-]*)$")
_NOT_NAME = re.compile(rf"^(?:{_MONTHS}|{_WEEKDAYS}|The|A|An|In|On|At|He|She|They|It|We|I|But|And|U\.S\.|US|UN|U\.N\.)$")


@dataclass(frozen=True)
class Slot:
    """What the question asks for; `thing` is the counted or named thing's word stems ("troop", "personnel", …)."""

    kind: str  # "count", "name", "duration", "number", "date" or "place"
    thing: tuple[str, ...] = ()
    asked: frozenset[str] = frozenset()  # the question's own words: a name already in the question answers nothing
    # Names the holding sentence must mention too, each as alternatives: a name for "the Kataib Hezbollah commander"
    # comes with Kataib Hezbollah; the length of "the Obama-Putin meeting" with Obama and Putin; a count of Aliyev's
    # votes with Aliyev or Azerbaijan.
    owners: tuple[tuple[str, ...], ...] = ()

    def held(self, sentence: str) -> bool:
        if not all(answerability.mentions(names, sentence) for names in self.owners):
            return False
        words = _WORD.findall(sentence)
        if self.kind == "count":
            return _near(words, self.thing, [i for i, w in enumerate(words) if _COUNT.match(w.strip(".,"))])
        if self.kind == "name":
            return _near(words, self.thing, _names(words, self.asked))
        return bool({"duration": _DURATION, "number": _NUMBER, "date": _DATE, "place": _PLACE}[self.kind].search(sentence))

    @property
    def required(self) -> bool:
        """Counts, names and durations are specific enough that a passage lacking them does not answer; any number, date
        or place is not."""
        return self.kind in ("count", "name", "duration")


def slots(question: str) -> list[Slot]:
    """The slots `question` asks for, the most specific first."""
    asked = frozenset(w.strip(".,’'?").lower() for w in question.split())
    entities = tuple(answerability.entities(question))
    out: list[Slot] = []
    count = _COUNT_QUESTION.match(question)
    if count:
        # A count of someone else's votes or troops answers nothing: the sentence names one of the question's entities.
        any_entity = tuple(name for names in entities for name in names)
        out.append(Slot("count", _things(count.group("counted").split()[-1]), asked, (any_entity,) if any_entity else ()))
    name = _NAME_QUESTION.match(question)
    words = name.group("phrase").split() if name else []
    role = next((i for i, w in enumerate(words) if w.lower() in _PEOPLE), None)
    if role is not None:
        owners = tuple(answerability.entities(" ".join(w for w in words[:role] if w[0].isupper())))
        out.append(Slot("name", _things(words[role]), asked, owners))
    forms = (("duration", _DURATION_QUESTION), ("number", _NUMBER_QUESTION), ("date", _DATE_QUESTION), ("place", _PLACE_QUESTION))
    found = [kind for kind, form in forms if form.search(question)]
    out += [
        Slot(kind, owners=entities if kind == "duration" else ())
        for kind in found
        if not (kind == "number" and (count or "duration" in found))
    ]
    return out


def _things(word: str) -> tuple[str, ...]:
    stem = _stem(word)
    for group in _SAME_COUNT:
        if stem in group:
            return group
    return (stem,)


def _stem(word: str) -> str:
    word = word.lower().strip(".,’'")
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


def _names(words: list[str], asked: frozenset[str]) -> list[int]:
    """Where a person's name stands: two name words in a row ("Qassim Suleimani", "Gen. Qassim", "FELIPE VI"), neither a
    country nor a word of the question."""

    def new(word: str) -> bool:
        word = word.strip(".,’'")
        return (
            bool(_NAME_WORD.match(word))
            and not _NOT_NAME.match(word)
            and word.lower() not in asked
            and countries.lookup(word.split("-")[0]) is None
        )

    flags = [new(w) for w in words]
    return [i for i in range(len(words) - 1) if flags[i] and flags[i + 1] and not words[i].endswith(",")]


def _near(words: list[str], things: tuple[str, ...], values: list[int]) -> bool:
    """A value (a count, a name) within `_WINDOW` words of a word for the counted or named thing."""
    lowered = " ".join(w.lower() for w in words)
    spots = [i for i, w in enumerate(words) if any(_stem(w).startswith(t) for t in things if " " not in t)]
    spots += [lowered[: m.start()].count(" ") for t in things if " " in t for m in re.finditer(re.escape(t), lowered)]
    return any(abs(i - j) <= _WINDOW and i != j for i in spots for j in values)
