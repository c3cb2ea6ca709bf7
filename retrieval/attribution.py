"""Attribution questions ("What did X say/think about Y?") and sentences that carry statements.

For such questions the answer should be what X said: sentences with a quote or a speech verb,
preferably naming X (or X's demonym: Iraq → Iraqi) in the sentence, else in the passage around it.
A country speaks through its government: its name, demonym and capital ("Baghdad said", from
retrieval/countries.py), its officials by title when the country was just named ("the office of Prime
Minister ... said"), and the officials the passages introduce by name (then "Mr. Sudani's government").
In a transcript the turn's label is the speaker: a reporter's question naming Iraq is no statement by Iraq,
and "PRIME MINISTER AL-KADHIMI:" is Iraq speaking once the passages name him as Iraq's.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from index import speakers
from retrieval import countries

_QUESTION = re.compile(
    r"(?i)^\s*(?:what|how)\s+(?:did|does|do|has|have|is|are|was|were)\s+(?P<who>.+?)\s+"
    r"(?:say|said|saying|think|thought|thinking|claim|claimed|argue|argued|tell|told|warn|warned|announce|announced|"
    r"state|stated|believe|believed|respond|responded|react|reacted|feel|felt|report|reported|mean|want|wanted)"
    r"(?:\s+(?:about|on|of|regarding|to|concerning|over|in response to|in reaction to|after|following|when|during|at)\s+(?P<topic>.+?))?"
    r"\s*\??\s*$"
)
SPEECH = re.compile(
    r"(?i)\b(?:said|says|say|told|tells|warned|warns|stated|statement|complained|argued|argues|claimed|claims|"
    r"added|insisted|denounced|described|called|urged|demanded|announced|according to|blasted|posted|wrote|writes|"
    r"believes?|worried|assured|conceded|rejected|vowed|pledged)\b"
)
QUOTE = re.compile(r"[“”\"]|(?:^|\s)'[A-Z]")
_LEADING_ARTICLE = re.compile(r"(?i)^(?:the|a|an)\s+")
# A statement continuing the previous speaker's: a pronoun speaker, an opening quote, "X continued".
_CONTINUATION = re.compile(
    r"(?i)\b(?:he|she|they)\s+(?:also\s+)?(?:said|says|added|warned|continued|argued|told|claimed|wrote)\b|^[“\"‘']|\bcontinued\b|"
    r"^(?:its|their|his|her|the) (?:statement|comments|remarks)\b"
)


@dataclass(frozen=True)
class Attribution:
    who: str
    topic: str | None
    who_terms: tuple[str, ...]  # lower-cased stems that identify the speaker
    proper_terms: tuple[str, ...]  # the stems of capitalised words: what must appear for the speaker to be present
    country: countries.Country | None = None  # when X is a country (or its demonym or capital), or X is its office
    office: str | None = None  # "foreign minister" in "Iran's foreign minister": only that office speaks for X


def _stem(word: str) -> str:
    word = re.sub(r"(?:’s|'s)$", "", word.lower())
    return word[:-1] if len(word) > 5 and word.endswith(("a", "e", "i", "n")) else word


def speaker_terms(who: str, proper_only: bool = False) -> tuple[str, ...]:
    """Words naming the speaker, with a stem so "Iraq" also matches "Iraqi", "Iraq's" and "Iraqis"; a country adds its other names."""
    words = re.findall(r"[\w’'-]+", _LEADING_ARTICLE.sub("", who))
    keep = [w for w in words if w[0].isupper() or (not proper_only and len(w) > 3)]
    country = countries.lookup(who)
    named = [n.lower() for n in country.names if len(n) > 4 or not n.isupper()] if country else []
    return tuple(dict.fromkeys([*(_stem(w) for w in keep), *named]))


# A country's offices and the other ways briefings write them ("Ukraine Foreign Affairs Minister", "Iran's top diplomat").
OFFICES: dict[str, tuple[str, ...]] = {
    "prime minister": ("prime minister", "premier"),
    "president": ("president",),
    "vice president": ("vice president",),
    "chancellor": ("chancellor",),
    "foreign minister": (
        "foreign minister",
        "foreign affairs minister",
        "minister of foreign affairs",
        "foreign secretary",
        "top diplomat",
    ),
    "defense minister": ("defense minister", "defence minister", "minister of defense", "minister of defence", "defense secretary"),
    "king": ("king", "monarch"),
    "supreme leader": ("supreme leader",),
}
_OFFICE_OF = {form: office for office, forms in OFFICES.items() for form in forms}
_OWNED_OFFICE = re.compile(
    rf"(?i)^(?:the\s+)?(?P<owner>.+?)(?:’s|'s)?\s+(?P<office>{'|'.join(sorted(map(re.escape, _OFFICE_OF), key=len, reverse=True))})$"
)


def parse(question: str) -> Attribution | None:
    match = _QUESTION.match(question)
    if not match:
        return None
    who = match.group("who").strip()
    if not _LEADING_ARTICLE.sub("", f"{who} ").strip():  # "What is the state of …" asks no one
        return None
    topic = (match.group("topic") or "").strip() or None
    owned = _OWNED_OFFICE.match(who)
    owner = countries.lookup(owned.group("owner")) if owned else None
    if owned and owner:
        office = _OFFICE_OF[owned.group("office").lower()]
        return Attribution(who, topic, office_terms(owner, office), speaker_terms(owner.name, proper_only=True), owner, office)
    return Attribution(who, topic, speaker_terms(who), speaker_terms(who, proper_only=True), countries.lookup(who))


def office_terms(country: countries.Country, office: str) -> tuple[str, ...]:
    """The office as briefings name it with its country: "iranian foreign minister", "iran's top diplomat", "ukraine foreign
    affairs minister". Not the bare office, which any country has."""
    name, *demonym = [n.lower() for n in country.names[:2]]
    owners = [name, f"{name}’s", f"{name}'s", *demonym]
    return tuple(f"{owner} {form}" for owner in owners for form in OFFICES[office])


def is_statement(sentence: str) -> bool:
    return bool(QUOTE.search(sentence) or SPEECH.search(sentence))


_ROLE = (
    r"(?:officials?|government|leaders?|leadership|(?:prime )?minister|ministry|president|spokes(?:man|woman|person)|office|"
    r"parliament|lawmakers|politicians?|commanders?|military|diplomats?|ambassador|envoy|embassy|authorities|state media|statement)"
)
_VERB = r"(?:said|says|saying|told|tells|warned|warns|stated|complained|argued|claimed|added|insisted|denounced|urged|demanded|announced|blasted|wrote|called|posted)"
# Verbs that put the speaker after them ("said Graham", "told reporters Graham"); not "saying X …", which reports on X,
# nor "told reporters that X …", where X begins the reported clause.
_INVERTED = r"(?:said|says|told|wrote|added|asked|warned|insisted)"
_INVERTED_GAP = r"(?:(?!that\b|whether\b|if\b|how\b)\S+\s+)"
# What may follow a speaker term, which is a stem or a name: "Iraq" → "Iraqi", "Kuleb" → "Kuleba", "Russi" → "Russians";
# a listed ending, not any, so the surname "Kishi" does not match "Kishida".
_ENDING = r"(?:s|es|i|is|n|ns|a|an|ans|ian|ians|ean|eans|ese|e|ni|nis|y|ys)?(?:’s|'s|’|')?(?!\w)"
_QUOTED = re.compile(r"“[^”]*”|\"[^\"]*\"|(?<!\w)'[^']*'(?!\w)")


def speaks(sentence: str, terms: tuple[str, ...]) -> bool:
    """The speaker is named as such: "Iraqi officials", "Iraq's prime minister", "Graham told", "Merz, who convened the
    call, told", "said Graham".

    Quoted words are ignored, so a quote that merely mentions X is not X speaking; a quote still counts as a word between
    X and the verb, so in 'that Rutte "…" he added' Rutte is not the one adding.
    """
    frame = _QUOTED.sub(" … ", sentence).lower()
    return any(pattern.search(frame) for term in terms for pattern in _speaker_patterns(term))


@lru_cache(maxsize=4096)
def _speaker_patterns(term: str) -> tuple[re.Pattern[str], ...]:
    """Compiled once per term: built per call they overflow `re`'s own cache and cost ~10 ms a question."""
    # "what Iraqi officials said in private" refers to a statement without making one.
    name = rf"(?<!what )(?<!how ){_term(term)}"
    return (
        re.compile(rf"{name}(?:\s+\S+){{0,3}}?\s+{_ROLE}\b"),
        re.compile(rf"{name}(?:\s+\S+){{0,2}}?(?:,[^,]{{1,80}},)?\s+(?:also |is |was |has |had )?{_VERB}\b"),
        re.compile(rf"\b{_INVERTED}\s+{_INVERTED_GAP}{{0,3}}?{name}"),
    )


def mentions(text: str, terms: tuple[str, ...]) -> bool:
    lowered = text.lower()
    return any(re.search(_term(term), lowered) for term in terms)


def _term(term: str) -> str:
    return rf"\b{re.escape(term)}{_ENDING}"


def continues_statement(sentence: str) -> bool:
    return bool(_CONTINUATION.search(sentence))


_POSSESSIVE = r"(?:’s|'s)?"
_NAME_WORD = rf"(?:[A-Z][\w.’'-]*|al-[A-Z][\w’'-]*){_POSSESSIVE}"
_SPEAKER_ROLE = rf"(?:{_ROLE}|administration|aides?|sources?|analysts?|senators?|officers?|PM){_POSSESSIVE}"
_SPEAKER_WORD = rf"(?:{_NAME_WORD}|{_SPEAKER_ROLE}|of|the|prime|foreign|defense|state|senior|top)"
_SPEAKER_VERB = (
    r"(?:said|says|say|told|tells|warned|warns|stated|complained|argued|argues|claimed|claims|added|insisted|denounced|described|"
    r"called|urged|demanded|announced|blasted|posted|wrote|writes|rejected|vowed|pledged|conceded|assured)"
)
_SPEAKER_BEFORE = re.compile(
    rf"\b(?P<who>(?:{_SPEAKER_WORD}\s+){{0,5}}?(?:{_NAME_WORD}|{_SPEAKER_ROLE}))(?:(?:,[^,]{{1,80}}){{1,2}},)?\s+(?:also\s+|has\s+|had\s+|was\s+)?{_SPEAKER_VERB}\b"
)
# Inverted order ("…, said Sen. Graham"); not "told X" or "say X", where X is who is spoken to or about.
_SPEAKER_AFTER = re.compile(
    rf"\b(?:said|says|added|wrote|warned|explained|noted|continued|[Aa]ccording to)\s+"
    rf"(?P<who>(?:(?:one|two|three|another|the)\s+)?{_NAME_WORD}(?:\s+(?:{_NAME_WORD}|{_SPEAKER_ROLE}|of|and)){{0,5}}|(?:one|two|three|another|the)\s+(?:\S+\s+){{0,2}}?{_SPEAKER_ROLE})"
)
# Sentence openers that are capitalised but never part of a speaker's name, and pronouns, which name nobody.
_OPENERS = re.compile(
    r"^(?:(?:The|the|A|An|But|And|Meanwhile|Still|Yet|So|Also|In|On|At|Then|Now|However|Earlier|Later|Instead|Separately|of)(?:\s+|$))+"
)
_PRONOUN = re.compile(r"^(?:He|She|They|It|We|I|You|This|That)$")


def speaker(sentence: str) -> str | None:
    """Who makes the statement in `sentence`, as written ("Iraqi officials"; "…, said Sen. Lindsey Graham" → "Sen. Lindsey Graham").

    Looks only outside quotes, like `speaks`; a pronoun ("he said") names nobody and gives None.
    """
    frame = _QUOTED.sub(" … ", sentence)
    matches = sorted((m for pattern in (_SPEAKER_BEFORE, _SPEAKER_AFTER) for m in pattern.finditer(frame)), key=lambda m: m.start("who"))
    for match in matches:
        who = re.sub(r"\s+(?:of|and)$|(?<=[a-z]{3})\.$", "", _OPENERS.sub("", match.group("who"))).strip(" ,")
        if who and not _PRONOUN.match(who):
            return who
    return None


# A head of government or ministry speaking by title: "the office of Prime Minister Mohammed Shia al-Sudani said".
_TITLED = re.compile(
    r"\b(?:Prime Minister|President|Foreign Minister|Defen[cs]e Minister|Minister|King|Emir|Chancellor|Supreme Leader|Ayatollah)"
    r"((?:\s+(?:[A-Z][\w’'-]+|al|bin|bin|de))*\s+(?:al-)?[A-Z][\w’'-]+)"
)


def titled_speaker(sentence: str) -> bool:
    """A statement whose speaker is an official named by title (or their office or government)."""
    frame = _QUOTED.sub(" ", sentence)
    return bool(SPEECH.search(frame) and (_TITLED.search(frame) or re.search(rf"(?i)\b{_ROLE}\b", frame)))


def officials(passages: Sequence[Sequence[str]], country: countries.Country, office: str | None = None) -> tuple[str, ...]:
    """Surnames of the country's officials named by title ("Iraqi Prime Minister ... al-Sudani", or "the office of Prime
    Minister ... al-Sudani said" right after a sentence naming Iraq), as further names of the speaker: "Mr. Sudani's
    government" then counts as Iraq speaking. Passages are given as their sentences. With `office`, only the holders
    of that office ("Foreign Affairs Minister DMYTRO KULEBA" for Ukraine's foreign minister)."""
    titled = re.compile(rf"(?i)\b(?:{'|'.join(map(re.escape, OFFICES[office]))})\s*$") if office else None
    names = re.compile("|".join(countries.pattern(n) for n in country.names))
    found: list[str] = []
    for sentences in passages:
        for i, sentence in enumerate(sentences):
            context = " ".join(sentences[max(0, i - 1) : i + 1])
            others = countries.named_in(sentence) - {country.name}
            for match in _TITLED.finditer(sentence):
                owner = sentence[max(0, match.start() - 60) : match.start()]
                if titled and not titled.search(sentence[max(0, match.start() - 30) : match.start(1)]):
                    continue
                if names.search(owner) or (not others and titled_speaker(sentence) and names.search(context)):
                    surname = re.sub(r"^(?:al-|Al-)", "", match.group(1).split()[-1])
                    found.append(re.sub(r"(?:’s|'s)$", "", surname).lower())
    return tuple(dict.fromkeys(found))


def turn(opening: str | None, passage_text: str, end: int) -> str | None:
    """The transcript turn a sentence ending at `end` belongs to: the last label in the passage before its end,
    else the turn the passage opens inside (`opening`, read from the document before the passage)."""
    return speakers.turn_speaker(passage_text[:end]) or opening


def by_reporter(label: str | None) -> bool:
    """A sentence in a reporter's (or moderator's) turn: nobody named in it is making a statement."""
    return label is not None and speakers.is_reporter(label)


def label_speaks(label: str | None, terms: tuple[str, ...]) -> bool:
    """The turn's own speaker is the one asked about ("PRIME MINISTER AL-KADHIMI" for Iraq's officials)."""
    return label is not None and not speakers.is_reporter(label) and mentions(label, terms)
