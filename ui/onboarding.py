"""What a first-time user sees on the Ask page: what the index holds, and questions it can answer.

Example questions come from the index itself, not a fixed list: the most widespread named entities
(runs of capitalised words, counted by document frequency over a sample of passages), speakers
found the way attribution questions find them (`attribution.speaks`), and the entity they most
often speak about. So a corpus of court rulings gets questions about its own judges and cases.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from index.store import Store
from retrieval import attribution

SAMPLE_CHUNKS = 2000  # enough to find a corpus's recurring names; bounded so a 1M-passage index stays quick
_CAP_WORD = r"(?:[A-Z][a-z]+(?:[A-Z][a-z]+)*(?:-[A-Z]?[a-z]+)?|[A-Z]{2,}(?:-[A-Z]{2,})?|U\.S\.)(?![A-Za-z])"
_ENTITY = re.compile(rf"\b{_CAP_WORD}(?:\s+(?:of\s+|the\s+|al-)?{_CAP_WORD})*")
_ADJECTIVE = re.compile(r"(?:ian|ean|ese|ish|can|[a-z]i)$")  # Russian, Chinese, American, Iraqi: modifiers, not topics
_SENTENCE_START = re.compile(r"(?:^|[.!?:•|\n]\s*|[“\"(]\s*)$")
# Capitalised for grammar, not because they name something.
_NOT_NAMES = frozenset(
    [
        "a",
        "an",
        "the",
        "this",
        "that",
        "these",
        "those",
        "it",
        "its",
        "he",
        "she",
        "they",
        "we",
        "i",
        "you",
        "his",
        "her",
        "their",
        "our",
        "my",
        "your",
        "there",
        "here",
        "what",
        "when",
        "where",
        "who",
        "why",
        "how",
        "and",
        "but",
        "or",
        "so",
        "if",
        "as",
        "at",
        "by",
        "for",
        "from",
        "in",
        "into",
        "of",
        "on",
        "to",
        "with",
        "after",
        "before",
        "during",
        "while",
        "since",
        "until",
        "than",
        "then",
        "also",
        "not",
        "no",
        "yes",
        "mr",
        "mrs",
        "ms",
        "dr",
        "sen",
        "rep",
        "gen",
        "pres",
        "president",
        "minister",
        "secretary",
        "officials",
        "official",
        "prime",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
        "today",
        "yesterday",
        "tomorrow",
        "subscribe",
        "email",
        "read",
        "more",
        "click",
        "sign",
        "related",
        "posted",
        "photo",
        "getty",
        "images",
        "ap",
        "afp",
        "reuters",
    ]
)


@dataclass(frozen=True)
class CorpusSummary:
    documents: int
    passages: int
    first_date: str | None
    last_date: str | None
    dated: int
    sources: list[tuple[str, int]]  # by document count, largest first

    def text(self) -> str:
        dates = f"dated {self.first_date} to {self.last_date}" if self.first_date else "no dated documents"
        undated = self.documents - self.dated
        dates += f" ({undated} undated)" if self.first_date and undated else ""
        sources = ", ".join(f"{name} ({n})" for name, n in self.sources[:6])
        more = f" and {len(self.sources) - 6} more" if len(self.sources) > 6 else ""
        return f"{self.documents} documents, {self.passages} passages; {dates}; sources: {sources or 'none detected'}{more}."


def summarize(store: Store) -> CorpusSummary:
    rows = store.documents("source, date")
    dates = sorted(r["date"] for r in rows if r["date"])
    sources = list(store.source_counts().items())
    return CorpusSummary(len(rows), store.count("chunks"), dates[0] if dates else None, dates[-1] if dates else None, len(dates), sources)


def _name(run: str) -> str | None:
    run = re.sub(r"[’']s\b", "", run)
    words = [w for w in run.split() if w.lower().strip("’'") not in _NOT_NAMES or (w.isupper() and len(w) > 3)]
    while words and words[0].lower() in _NOT_NAMES | {"of", "the"}:
        words.pop(0)
    while words and words[-1].lower() in _NOT_NAMES | {"of", "the", "al-"}:
        words.pop()
    if not words or (len(words) == 1 and len(words[0]) < 3):
        return None
    # ALL-CAPS names in newsletters ("MARK RUTTE") read as names; a lone short all-caps word stays an acronym (NATO).
    shout = len(words) > 1 and all(w.isupper() for w in words)
    return " ".join(w.title() if w.isupper() and (shout or len(w) > 5) else w for w in words)


def entities(text: str) -> list[str]:
    """Named-entity candidates: capitalised runs not merely capitalised by sentence position (unless multi-word)."""
    out: list[str] = []
    for match in _ENTITY.finditer(text):
        run = match.group(0)
        at_start = bool(_SENTENCE_START.search(text[max(0, match.start() - 3) : match.start()]))
        if at_start and " " not in run and not run.isupper():
            continue
        name = _name(run)
        if name:
            out.append(name)
    return out


def _sample(store: Store, limit: int) -> list[tuple[str, str, list[str]]]:
    """(doc, text, sentences) of up to `limit` passages spread evenly over the index."""
    total = store.count("chunks")
    step = max(1, total // limit)
    rows = store.db.execute("SELECT doc_id, text, sentences FROM chunks WHERE id % ? = 0 LIMIT ?", (step, limit)).fetchall()
    out = []
    for row in rows:
        text = row["text"]
        spans = re.findall(r"\[(\d+),\s*(\d+)\]", row["sentences"])
        out.append((row["doc_id"], text, [text[int(a) : int(b)] for a, b in spans] or [text]))
    return out


def _canonical(ranked: list[str]) -> dict[str, str]:
    """Demonyms and plurals folded into the place they come from when both occur: Russian → Russia, Iraqis → Iraq."""
    singles = [n for n in ranked if " " not in n]
    out = {}
    for name in ranked:
        base = next((b for b in singles if b != name and name.startswith(b) and len(name) - len(b) <= 3), None)
        out[name] = base or name
    return out


def _with_article(name: str, texts: list[str]) -> str:
    """ "the U.S.", "the Pentagon": the article goes in when the corpus mostly writes one."""
    with_the = sum(len(re.findall(rf"\bthe {re.escape(name)}\b", t)) for t in texts)
    bare = sum(len(re.findall(rf"\b{re.escape(name)}\b", t)) for t in texts)
    return f"the {name}" if bare and with_the * 2 > bare else name


def example_questions(store: Store, limit: int = 4, sample: int = SAMPLE_CHUNKS) -> list[str]:
    """Attribution questions for the most-quoted speakers about their most co-mentioned entity, then "what happened" questions."""
    passages = _sample(store, sample)
    seen: set[tuple[str, str]] = {(name, doc) for doc, text, _ in passages for name in entities(text)}
    spread = Counter(name for name, _ in seen)
    canonical = _canonical([name for name, _ in spread.most_common(60)])
    ranked = list(dict.fromkeys(canonical.values()))
    speakers: Counter[str] = Counter()
    topics: dict[str, Counter[str]] = {}
    for _, _, sentences in passages:
        for sentence in sentences:
            named = list(dict.fromkeys(canonical[n] for n in entities(sentence) if n in canonical))
            if not named or not attribution.is_statement(sentence):
                continue
            for who in named[:3]:
                if attribution.speaks(sentence, attribution.speaker_terms(who, proper_only=True)):
                    speakers[who] += 1
                    topics.setdefault(who, Counter()).update(n for n in named if not _overlaps(n, who))
    texts = [text for _, text, _ in passages]
    questions: list[str] = []
    used: set[str] = set()
    for who, _ in speakers.most_common():
        if len(questions) >= (limit + 1) // 2:
            break
        topic = next((t for t, _ in topics[who].most_common() if not any(_overlaps(t, u) for u in used)), None)
        if topic and not any(_overlaps(who, u) for u in used):
            questions.append(f"What did {_with_article(who, texts)} say about {_with_article(topic, texts)}?")
            used |= {who, topic}
    for name in ranked:
        if len(questions) >= limit:
            break
        if not _ADJECTIVE.search(name) and not any(_overlaps(name, u) for u in used):
            questions.append(f"What happened with {_with_article(name, texts)}?")
            used.add(name)
    return questions


def _overlaps(a: str, b: str) -> bool:
    """Two names sharing a word ("Mark Rutte", "Rutte") refer to the same thing often enough to avoid pairing them."""
    return bool(set(a.lower().split()) & set(b.lower().split()))
