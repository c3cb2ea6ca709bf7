"""Extractive cited answers: the best sentences of the top passages, each cited to its exact span.

Nothing is generated: every answer sentence is a verbatim span of a cleaned document. Sentences
are scored by dense similarity to the question, weighted query-term overlap and the passage's rank;
attribution questions favour statements by the named speaker. When the best passage is not similar
enough to the question the answer abstains instead of listing unrelated sentences.
"""

from __future__ import annotations

import math
import re
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace

import numpy as np

from index import lexical, speakers
from index.metadata import UNDATED, display_date
from retrieval import answerability, attribution, rerank, slots
from retrieval.dedup import jaccard, shingles
from retrieval.passages import Filters, Passage
from retrieval.searcher import Searcher
from retrieval.spans import SentenceSpan, cosines, score_floor, too_short
from sitroom.config import AnswerConfig

NO_ANSWER = "No answer found in the briefings for this question."
NO_SENTENCE = "no sentence of the top passages answers it"
_NAMED_BONUS = 0.15
_CONTEXT_BONUS = 0.08
_QUOTE_BONUS = 0.04  # a direct quote is the most literal answer to "what did X say"
_RELATIVE_FLOOR = 0.6  # sentences scoring under this share of the best one are not answers
_SAME_DOC_PENALTY = 0.03  # prefer covering a second briefing over a fourth sentence from the first
# Photo captions and credits are not answers ("…, shown in 2018.Credit...Ivor Prickett").
_CAPTION = re.compile(
    r"(?i)credit\s*(?:\.\.\.|…|:)|\bphoto(?:graph)?(?:\s+by|:)|\bgetty images\b|\bAP Photo\b|\(AP\)|\bpictured\b|"
    r"\bshown (?:here )?(?:in|on|at) \w+|\billustration by\b|\bfile photo\b"
)
_QUOTE_OPEN, _QUOTE_CLOSE = "“", "”"
_ASKS = re.compile(r"\?[)\]’']*\s*$")
_MAX_QUOTE_SENTENCES = 4  # a quote longer than this is not taken whole


@dataclass(frozen=True)
class Gap:
    """What the top passages lack for the question, and which other passage could supply it."""

    reason: str
    supplies: Callable[[Passage], bool]


@dataclass(frozen=True)
class Citation:
    n: int
    doc: str
    title: str
    source: str | None
    date: str | None
    headline: str | None
    start: int  # the cited passage's span in the cleaned document
    end: int
    text: str
    page: int | None = None  # PDF pages the cited passage starts and ends on
    page_end: int | None = None
    article: int = 0  # title, source and date are this article's (see Passage)
    doc_title: str = ""
    date_display: str = UNDATED


@dataclass(frozen=True)
class AnswerSentence:
    text: str
    citations: list[int]
    doc: str
    start: int  # the sentence's own span in the cleaned document
    end: int
    score: float


@dataclass
class Answer:
    question: str
    abstained: bool
    text: str
    sentences: list[AnswerSentence]
    citations: list[Citation]
    passages: list[Passage]
    timing_ms: dict[str, float] = field(default_factory=dict)
    abstention: str | None = None  # why the answer abstained (None when it answers)

    def to_json(self) -> dict[str, object]:
        return {
            "question": self.question,
            "abstained": self.abstained,
            "answer": {
                "text": self.text,
                "sentences": [
                    {"text": s.text, "citations": s.citations, "doc": s.doc, "start": s.start, "end": s.end} for s in self.sentences
                ],
            },
            "citations": [asdict(c) for c in self.citations],
            "passages": [p.to_json() for p in self.passages],
            "timing_ms": self.timing_ms,
            "abstention": self.abstention,
        }


def _quote_depth(text: str) -> int:
    """Quotes opened minus quotes closed: curly quotes by kind, straight double quotes by position."""
    depth = text.count(_QUOTE_OPEN) - text.count(_QUOTE_CLOSE)
    straight = text.count('"')
    if straight % 2:
        first = text.index('"')
        depth += 1 if first + 1 < len(text) and not text[first + 1].isspace() and first not in (len(text) - 1,) else -1
    return depth


def _titlelike(text: str, passage: Passage) -> bool:
    """A headline, title or caption, not a sentence of the article."""
    stripped = text.strip().rstrip(".")
    if stripped in ((passage.headline or "").strip().rstrip("."), passage.title.strip().rstrip(".")) or _CAPTION.search(text):
        return True
    words = [w for w in re.findall(r"[A-Za-z][\w’'-]*", text) if len(w) > 3]
    return len(words) >= 4 and not attribution.QUOTE.search(text) and sum(w[0].isupper() for w in words) >= 0.75 * len(words)


def _asks(text: str) -> bool:
    """A question of the writer's own (an FAQ subhead, a rhetorical lead-in): it states nothing. A quoted one may be
    what the speaker said, so it stays."""
    return bool(_ASKS.search(text)) and not attribution.QUOTE.search(text)


def _candidates(passages: list[Passage]) -> list[SentenceSpan]:
    """Answer units: sentences, or the few sentences that make up one quotation, so a quote is never cut in half.

    A sentence that closes a quote opened before the passage starts, or a quote that does not close
    within a few sentences, is left out rather than cited in part. Titles, captions and the writer's own questions are
    left out.
    """
    out: list[SentenceSpan] = []
    for passage in passages:
        spans = passage.sentences
        i = 0
        while i < len(spans):
            start, end = spans[i]
            depth, j = _quote_depth(passage.text[start:end]), i
            while depth > 0 and j + 1 < len(spans) and j - i + 1 < _MAX_QUOTE_SENTENCES:
                j += 1
                end = spans[j][1]
                depth += _quote_depth(passage.text[spans[j][0] : end])
            i = j + 1
            text = passage.text[start:end]
            if depth != 0 or too_short(text) or text.endswith(":") or _titlelike(text, passage) or _asks(text):
                continue
            out.append(SentenceSpan(passage, start, end))
    return out


class _TermWeights:
    """IDF of query terms from the BM25 index, to weight query-term overlap in a sentence."""

    def __init__(self, searcher: Searcher, question: str) -> None:
        n_docs, frequencies = searcher.vectors.document_frequencies(list(dict.fromkeys(lexical.tokenize([question])[0])))
        self.terms = {term: math.log(1 + (n_docs - df + 0.5) / (df + 0.5)) for term, df in frequencies.items()}
        self.total = sum(self.terms.values()) or 1.0

    def overlap(self, sentence: str) -> float:
        present = set(lexical.tokenize([sentence])[0])
        return sum(w for t, w in self.terms.items() if t in present) / self.total


class AnswerComposer:
    """Composes an `Answer` from a `Searcher`; constructor keywords are the config."""

    def __init__(self, searcher: Searcher, config: AnswerConfig | None = None) -> None:
        self.searcher = searcher
        self.config = config or searcher.settings.answer

    def run(self, question: str, k: int | None = None, mode: str | None = None, filters: Filters | None = None) -> Answer:
        started = time.perf_counter()
        checked: dict[tuple[int, ...], Gap | None] = {}

        def unsupported(ranked: list[Passage]) -> Gap | None:  # asked twice of the same passages unless reranking went deeper
            key = tuple(p.chunk_id for p in ranked[: self.config.coverage_passages])
            if key not in checked:
                checked[key] = self._unsupported(question, ranked)
            return checked[key]

        def in_doubt(top: list[Passage]) -> Callable[[Passage], bool] | None:
            """A gap in the reranked few (a name, a speaker, a count): the deeper passages that could fill it are read."""
            gap = unsupported(top)
            return gap.supplies if gap else None

        result = self.searcher.search(question, k=k, mode=mode, filters=filters, in_doubt=in_doubt)
        timing = dict(result.timing_ms)
        passages = result.passages
        top = passages[: self.config.passages]
        query_vector, best_dense = result.query_vector, result.best_dense
        if query_vector is None:  # BM25 mode: abstention and sentence scores still need the question's vector
            query_vector = self.searcher.embedder.encode_query(question)
            for p, vector in zip(top, self.searcher.vectors.vectors([p.chunk_id for p in top]), strict=True):
                p.dense = float(vector @ query_vector)
            best_dense = max((p.dense for p in top), default=0.0)
        t = time.perf_counter()
        gap = unsupported(passages)
        reason = self._abstention(passages, best_dense) or (gap.reason if gap else None)
        chosen = [] if reason else self._select(question, top, query_vector)
        timing["sentences"] = round((time.perf_counter() - t) * 1000, 2)
        answer = self._assemble(question, chosen, passages)
        answer.abstention = reason or (NO_SENTENCE if answer.abstained else None)
        timing["total"] = round((time.perf_counter() - started) * 1000, 2)
        answer.timing_ms = timing
        return answer

    def _abstention(self, passages: list[Passage], best_dense: float) -> str | None:
        """Passages too far from the question to answer it, by score: see retrieval/answerability.py and README "Abstention"."""
        best = answerability.best_rerank(passages[: self.config.passages])
        if best is not None and best < self.config.min_rerank_score:
            return f"best passage scores {best:.2f} < {self.config.min_rerank_score} (cross-encoder)"
        if best_dense < self.config.min_dense_score:
            return f"nearest passage cosine {best_dense:.2f} < {self.config.min_dense_score}"
        return None

    def _unsupported(self, question: str, passages: list[Passage]) -> Gap | None:
        """What the question needs that the top passages lack: a name it mentions, a statement by its speaker, its count."""
        top = passages[: self.config.passages]
        missing = answerability.uncovered(question, passages[: self.config.coverage_passages])
        if missing:
            return Gap(
                f"no top passage mentions {', '.join(names[0] for names in missing)}", lambda p: answerability.covers_any(missing, p)
            )
        asked = _with_officials(attribution.parse(question), top)
        if asked and asked.proper_terms:
            statements = _speaker_statements(asked, top, self._opening_turns(top))
            if not statements:
                reason = f"no top passage has a statement by {asked.who}"
            elif asked.topic and not self._on_topic(question, statements):
                reason = f"no statement by {asked.who} in the top passages is about {asked.topic}"
            else:
                reason = None
            if reason:
                return Gap(reason, lambda p: _speaker_present(asked, [p]))
        for slot in slots.slots(question):
            if slot.required and not any(slot.held(candidate.text) for candidate in _candidates(top)):
                return Gap(
                    f"no top passage gives the {slot.kind} asked for", lambda p, slot=slot: any(slot.held(c.text) for c in _candidates([p]))
                )
        return None

    def _on_topic(self, question: str, statements: list[str]) -> bool:
        """Some statement answers the question in the cross-encoder's judgment: X speaking on another subject
        ("SECRETARY GENERAL RUTTE: That's even worse.") is not what X said about the topic. Read a few at a time, best
        passage first, stopping at the first that passes; without a cross-encoder every statement counts."""
        encoder = rerank.load(self.searcher.settings.rerank)
        if encoder is None:
            return True
        batch = self.config.statements_per_batch
        return any(
            (encoder.score(question, statements[i : i + batch]) >= self.config.min_statement_score).any()
            for i in range(0, len(statements), batch)
        )

    def _select(self, question: str, passages: list[Passage], query_vector: np.ndarray) -> list[tuple[SentenceSpan, float]]:
        """Cheap features rank every sentence; only the best few are embedded, which bounds `ask` latency."""
        asked = _with_officials(attribution.parse(question), passages)
        if asked and not _speaker_present(asked, passages):
            return []
        labelled = _unreported(_candidates(passages), self._opening_turns(passages))
        if not labelled:
            return []
        candidates = [c for c, _ in labelled]
        # "say"/"think" frame the question; the terms that matter are who and about what.
        weights = _TermWeights(self.searcher, f"{asked.who} {asked.topic or ''}" if asked else question)
        asked_slots = slots.slots(question)
        rank_of = {id(p): i for i, p in enumerate(passages)}
        base: list[float] = []
        leads: set[int] = set()  # candidates that should open the answer: the asked slot, the speaker's statements
        speakers: set[int] = set()  # statements naming the asked-about speaker: answers even when phrased unlike the question
        previous_named = False
        for i, (candidate, label) in enumerate(labelled):
            score = 0.3 * weights.overlap(candidate.text) + 0.1 / (1 + rank_of[id(candidate.passage)])
            held = sum(slot.held(candidate.text) for slot in asked_slots)
            if held:
                score += 0.08 * held
                leads.add(i)
            if asked:
                same_passage = i > 0 and candidates[i - 1].passage is candidate.passage
                bonus = _attribution_bonus(asked, candidate, previous_named and same_passage, label)
                previous_named = bonus >= _NAMED_BONUS
                score += bonus
                if previous_named:
                    speakers.add(i)
            base.append(score)
        leads |= speakers
        # Once X is heard, statements by others (analysts, other governments) are not what X said.
        eligible = [i for i in range(len(candidates)) if not speakers or i in speakers or not attribution.speaker(candidates[i].text)]
        shortlist = sorted(eligible, key=lambda i: (i in speakers, base[i]), reverse=True)[: self.config.embed_sentences]
        # Ranked against each other, not against a calibrated floor: the passages' precision serves (README "Performance").
        dense = cosines(self.searcher.embedder, [candidates[i] for i in shortlist], query_vector, full_precision=False)
        scored = [(i, candidates[i], base[i] + 0.6 * sim) for i, sim in zip(shortlist, dense, strict=True)]
        return [(c, score) for _, c, score in self._diverse_top(scored, leads, speakers)]

    def _opening_turns(self, passages: list[Passage]) -> dict[int, str | None]:
        """For each passage, the transcript turn its text opens inside (None outside transcripts)."""
        return {p.chunk_id: speakers.turn_speaker(self.searcher.store.cleaned_before(p.doc, p.start)) for p in passages}

    def _diverse_top(
        self, scored: list[tuple[int, SentenceSpan, float]], leads: set[int], speakers: set[int]
    ) -> list[tuple[int, SentenceSpan, float]]:
        """Greedy pick: sentences that hold what was asked (the asked number, date or place; the speaker's statements) first,
        then best first; near-duplicates skipped, with a small penalty per sentence already taken from a document.
        The speaker's own statements need not score near the best sentence: they answer "what did X say" by definition."""
        floor = score_floor([score for _, _, score in scored], self.config.min_sentence_score, _RELATIVE_FLOOR)
        pool = [(i, c, s, shingles(c.text)) for i, c, s in scored if s >= floor or (i in speakers and s >= self.config.min_sentence_score)]
        chosen: list[tuple[int, SentenceSpan, float, frozenset[str]]] = []
        while pool and len(chosen) < self.config.max_sentences:
            taken = Counter(c.passage.doc for _, c, _, _ in chosen)
            best = max(pool, key=lambda item: (item[0] in leads, item[2] - _SAME_DOC_PENALTY * taken[item[1].passage.doc]))
            pool.remove(best)
            _, candidate, _, sig = best
            if any(
                jaccard(sig, other) >= 0.5 or candidate.text in kept.text or kept.text in candidate.text for _, kept, _, other in chosen
            ):
                continue
            chosen.append(best)
        return [(i, c, s) for i, c, s, _ in chosen]

    def _assemble(self, question: str, chosen: list[tuple[SentenceSpan, float]], passages: list[Passage]) -> Answer:
        if not chosen:
            return Answer(question, True, NO_ANSWER, [], [], passages)
        citations: dict[int, Citation] = {}
        sentences: list[AnswerSentence] = []
        for candidate, score in chosen:
            p = candidate.passage
            if p.chunk_id not in citations:
                citations[p.chunk_id] = Citation(
                    len(citations) + 1,
                    p.doc,
                    p.title,
                    p.source,
                    p.date,
                    p.headline,
                    p.start,
                    p.end,
                    p.text,
                    p.page,
                    p.page_end,
                    article=p.article,
                    doc_title=p.doc_title or p.title,
                    date_display=display_date(p.date),
                )
            n = citations[p.chunk_id].n
            sentences.append(AnswerSentence(candidate.text, [n], p.doc, *candidate.in_document, round(score, 4)))
        text = " ".join(f"{s.text} [{s.citations[0]}]" for s in sentences)
        return Answer(question, False, text, sentences, list(citations.values()), passages)


def _unreported(candidates: list[SentenceSpan], opening: dict[int, str | None]) -> list[tuple[SentenceSpan, str | None]]:
    """The candidates with their transcript turn's label, leaving out reporters' turns: a reporter's question restates
    what is asked, so it ranks high on every feature, yet it answers nothing and states nothing on anyone's behalf."""
    labelled = ((c, attribution.turn(opening[c.passage.chunk_id], c.passage.text, c.end)) for c in candidates)
    return [(c, label) for c, label in labelled if not attribution.by_reporter(label)]


def _attribution_bonus(asked: attribution.Attribution, candidate: SentenceSpan, after_named: bool, label: str | None = None) -> float:
    """Statements by the asked-about speaker first: named as the speaker (or continuing one, or in their transcript turn),
    else inside a passage about them."""
    text = candidate.text
    if not (attribution.is_statement(text) or attribution.label_speaks(label, asked.who_terms)):
        return -0.05
    quoted = _QUOTE_BONUS if attribution.QUOTE.search(text) else 0.0
    if (
        attribution.speaks(text, asked.who_terms)
        or (after_named and attribution.continues_statement(text))
        or attribution.label_speaks(label, asked.who_terms)
    ):
        return _NAMED_BONUS + quoted
    context = f"{candidate.passage.headline or ''} {candidate.passage.text}"
    return (_CONTEXT_BONUS + quoted) if attribution.mentions(context, asked.who_terms) else 0.0


def _with_officials(asked: attribution.Attribution | None, passages: list[Passage]) -> attribution.Attribution | None:
    """A country also speaks through the officials the passages name as its own (only the asked office's holders, if any)."""
    if not asked or not asked.country:
        return asked
    sentences = [[p.text[a:b] for a, b in p.sentences] for p in passages]
    return replace(asked, who_terms=(*asked.who_terms, *attribution.officials(sentences, asked.country, asked.office)))


def _speaker_statements(asked: attribution.Attribution, passages: list[Passage], opening: dict[int, str | None]) -> list[str]:
    """The sentences of the passages that are statements naming the asked-about speaker as their speaker (not a
    reporter's question), each with the next sentence of the same turn, where a statement often goes on."""
    out: list[str] = []
    for p in passages:
        labels = [attribution.turn(opening[p.chunk_id], p.text, b) for _, b in p.sentences]
        for i, ((a, b), label) in enumerate(zip(p.sentences, labels, strict=True)):
            text = p.text[a:b]
            if not attribution.by_reporter(label) and (
                (attribution.is_statement(text) and attribution.speaks(text, asked.who_terms))
                or attribution.label_speaks(label, asked.who_terms)
            ):
                same_turn = i + 1 < len(p.sentences) and labels[i + 1] == label
                out.append(p.text[a : p.sentences[i + 1][1]] if same_turn else text)
    return out


def _speaker_present(asked: attribution.Attribution, passages: list[Passage]) -> bool:
    """A named speaker absent from every top passage means the briefings do not say what they said."""
    if not asked.proper_terms:
        return True
    return any(attribution.mentions(f"{p.title} {p.headline or ''} {p.text}", asked.proper_terms) for p in passages)


def cited_spans_valid(answer: Answer, cleaned_text_of: dict[str, str]) -> bool:
    """Every answer sentence is verbatim in its document and inside the span its citation points at."""
    by_n = {c.n: c for c in answer.citations}
    for sentence in answer.sentences:
        for n in sentence.citations:
            citation = by_n[n]
            cleaned = cleaned_text_of[citation.doc]
            if (
                cleaned[sentence.start : sentence.end] != sentence.text
                or not citation.start <= sentence.start < sentence.end <= citation.end
            ):
                return False
    return True
