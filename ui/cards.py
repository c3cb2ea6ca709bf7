"""Ranked passages as the cards a reader sees: overlapping passages of one document merged into one card.

Chunks overlap by a sentence, so neighbouring chunks of one document often both rank; shown apart they
repeat text. A card is the union of overlapping spans (its text is cut from the passages themselves,
which are exact slices of the cleaned document), keeps every member's rank, and carries the citation
numbers of the answer that point into it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from retrieval.answer import Answer
from retrieval.passages import Passage, SourceRef


@dataclass
class Card:
    passages: list[Passage]  # by span start
    text: str
    start: int  # span in the cleaned document
    end: int
    citations: list[int] = field(default_factory=list)
    cited: list[tuple[int, int]] = field(default_factory=list)  # answer sentences' spans in the cleaned document

    @property
    def lead(self) -> Passage:
        """The best-ranked member: its metadata names the card."""
        return min(self.passages, key=lambda p: p.rank)

    @property
    def rank(self) -> int:
        return self.lead.rank

    @property
    def ranks(self) -> list[int]:
        return sorted(p.rank for p in self.passages)

    @property
    def dense(self) -> float:
        return max(p.dense for p in self.passages)

    @property
    def orig_span(self) -> tuple[int, int]:
        return min(p.orig_start for p in self.passages), max(p.orig_end for p in self.passages)

    @property
    def pages(self) -> tuple[int | None, int | None]:
        """First and last PDF page of the card (None for formats without pages)."""
        firsts = [p.page for p in self.passages if getattr(p, "page", None)]
        lasts = [p.page_end or p.page for p in self.passages if getattr(p, "page", None)]
        return (min(firsts), max(lasts)) if firsts else (None, None)

    @property
    def headlines(self) -> list[str]:
        return list(dict.fromkeys(p.headline for p in self.passages if p.headline))

    @property
    def also_in(self) -> list[SourceRef]:
        return list({(r.doc, r.start): r for p in self.passages for r in p.also_in}.values())


def _merge(passages: list[Passage]) -> Card:
    ordered = sorted(passages, key=lambda p: p.start)
    text, end = ordered[0].text, ordered[0].end
    for p in ordered[1:]:
        if p.end > end:
            text += p.text[end - p.start :]
            end = p.end
    return Card(ordered, text, ordered[0].start, end)


def build_cards(passages: Sequence[Passage], answer: Answer | None = None) -> list[Card]:
    """Cards in rank order of their best member; passages of one document whose spans overlap or touch share a card."""
    by_doc: dict[str, list[Passage]] = {}
    for p in passages:
        by_doc.setdefault(p.doc, []).append(p)
    cards: list[Card] = []
    for members in by_doc.values():
        members.sort(key=lambda p: p.start)
        run = [members[0]]
        for p in members[1:]:
            if p.start <= max(m.end for m in run):
                run.append(p)
            else:
                cards.append(_merge(run))
                run = [p]
        cards.append(_merge(run))
    cards.sort(key=lambda c: c.rank)
    if answer is not None:
        _attach(cards, answer)
    return cards


def _attach(cards: list[Card], answer: Answer) -> None:
    """Each citation number and cited sentence goes to the card holding its passage."""
    card_of = {(p.doc, p.start, p.end): card for card in cards for p in card.passages}
    number_to_card: dict[int, Card] = {}
    for citation in answer.citations:
        card = card_of.get((citation.doc, citation.start, citation.end))
        if card is not None:
            card.citations.append(citation.n)
            number_to_card[citation.n] = card
    for sentence in answer.sentences:
        for n in sentence.citations:
            card = number_to_card.get(n)
            if card is not None and (sentence.start, sentence.end) not in card.cited:
                card.cited.append((sentence.start, sentence.end))
