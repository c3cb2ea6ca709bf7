"""Overlapping passages of one document become one card whose text is the exact union of their spans."""

from __future__ import annotations

from retrieval.answer import Answer, AnswerSentence, Citation
from retrieval.passages import Passage
from ui.cards import build_cards

DOC = "The first sentence. The second sentence. The third sentence. The fourth one."


def passage(rank: int, start: int, end: int, doc: str = "a.txt") -> Passage:
    return Passage(rank, 1.0 / rank, rank, doc, "T", None, None, None, DOC[start:end], start, end, start + 5, end + 5, (), 0.5 - rank / 100)


class TestBuildCards:
    def test_overlapping_spans_merge_and_keep_every_rank(self) -> None:
        cards = build_cards([passage(1, 20, 60), passage(2, 0, 40), passage(3, 61, 76)])
        assert [(c.start, c.end, c.ranks) for c in cards] == [(0, 60, [1, 2]), (61, 76, [3])]
        assert cards[0].text == DOC[0:60] and cards[0].orig_span == (5, 65)
        assert cards[0].lead.rank == 1 and cards[0].dense == 0.49

    def test_other_documents_never_merge(self) -> None:
        cards = build_cards([passage(1, 0, 40), passage(2, 20, 60, doc="b.txt")])
        assert [c.passages[0].doc for c in cards] == ["a.txt", "b.txt"]

    def test_citations_and_cited_sentences_land_on_their_card(self) -> None:
        ps = [passage(1, 20, 60), passage(2, 0, 40), passage(3, 61, 76)]
        citations = [Citation(1, "a.txt", "T", None, None, None, 0, 40, DOC[0:40]), Citation(2, "a.txt", "T", None, None, None, 20, 60, "")]
        sentences = [AnswerSentence("The first sentence.", [1], "a.txt", 0, 19, 1.0), AnswerSentence("x", [2], "a.txt", 41, 60, 0.9)]
        cards = build_cards(ps, Answer("q", False, "", sentences, citations, ps))
        assert cards[0].citations == [1, 2] and cards[0].cited == [(0, 19), (41, 60)]
        assert cards[1].citations == [] and cards[1].cited == []
