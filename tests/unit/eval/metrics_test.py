from __future__ import annotations

import math

import pytest

from eval import metrics
from eval.sets import Evidence
from retrieval.answer import Answer, AnswerSentence, Citation

DOC = "a.txt"
TEXT = "Alpha said the troops must leave now. Beta disagreed strongly with that view."


def test_evidence_run_places_items_at_first_cover_rank_with_fillers():
    assert metrics.evidence_run([3, None], 4) == {"e0": 1 / 3, "~1": 1.0, "~2": 1 / 2, "~4": 1 / 4}
    # One passage first covering two items: consecutive places, later passages keep their ranks.
    assert metrics.evidence_run([2, 2], 3) == {"e0": 1 / 2, "e1": 1 / 3, "~1": 1.0}
    assert metrics.evidence_run([None], 0) == {}


def test_ranking_metrics_match_hand_computed_values():
    scores = metrics.ranking_metrics(
        {"first": [1, 2], "late": [3, None], "shared": [2, 2], "missed": [None], "deep": [7]},
        {"first": 10, "late": 10, "shared": 10, "missed": 10, "deep": 10},
    )
    assert scores["first"] == dict.fromkeys(metrics.RANKING_METRICS, 1.0)
    late = scores["late"]
    assert (late["hit@1"], late["hit@3"], late["hit@5"], late["recall@5"], late["recall@10"]) == (0, 1, 1, 0.5, 0.5)
    assert late["mrr@10"] == pytest.approx(1 / 3)
    assert late["ndcg@10"] == pytest.approx((1 / math.log2(4)) / (1 + 1 / math.log2(3)))
    shared = scores["shared"]
    assert (shared["hit@1"], shared["hit@3"], shared["recall@5"], shared["mrr@10"]) == (0, 1, 1, 0.5)
    assert shared["ndcg@10"] == pytest.approx((1 / math.log2(3) + 1 / math.log2(4)) / (1 + 1 / math.log2(3)))
    assert scores["missed"] == dict.fromkeys(metrics.RANKING_METRICS, 0.0)
    deep = scores["deep"]
    assert (deep["hit@5"], deep["hit@10"], deep["recall@5"], deep["recall@10"], deep["mrr@10"]) == (0, 1, 0, 1, pytest.approx(1 / 7))


def test_ranking_metrics_when_nothing_was_retrieved():
    assert metrics.ranking_metrics({"q": [None, None]}, {"q": 0}) == {"q": dict.fromkeys(metrics.RANKING_METRICS, 0.0)}


def answer(*spans: tuple[int, int], cite: tuple[int, int] = (0, len(TEXT))) -> Answer:
    citation = Citation(1, DOC, "t", None, None, None, cite[0], cite[1], TEXT[cite[0] : cite[1]])
    sentences = [AnswerSentence(TEXT[s:e], [1], DOC, s, e, 1.0) for s, e in spans]
    return Answer("q?", not sentences, " ".join(s.text for s in sentences), sentences, [citation] if sentences else [], [])


def test_answer_contains_is_the_share_of_expected_strings_found():
    first = (0, TEXT.index(" Beta"))
    assert metrics.answer_contains(answer(first), ["MUST  leave", "disagreed"]) == 0.5
    assert metrics.answer_contains(answer(), ["must leave"]) == 0.0


def test_evidence_in_answer_uses_the_relevance_rule():
    first = (0, TEXT.index(" Beta"))
    assert metrics.evidence_in_answer(answer(first), [Evidence(DOC, "troops must leave")], {DOC: TEXT})
    assert not metrics.evidence_in_answer(answer(first), [Evidence(DOC, "disagreed strongly")], {DOC: TEXT})
    assert not metrics.evidence_in_answer(answer(first), [Evidence("b.txt", "troops must leave")], {DOC: TEXT, "b.txt": TEXT})


def test_valid_citations_counts_sentences_inside_their_cited_span():
    first, second = (0, TEXT.index(" Beta")), (TEXT.index("Beta"), len(TEXT))
    assert metrics.valid_citations(answer(first, second), {DOC: TEXT}) == 2
    assert metrics.valid_citations(answer(first, second, cite=(0, second[0])), {DOC: TEXT}) == 1
    shifted = answer(first)
    shifted.sentences[0] = AnswerSentence("Alpha said", [1], DOC, 1, 11, 1.0)  # not what the document says there
    assert metrics.valid_citations(shifted, {DOC: TEXT}) == 0


def test_percentiles_and_means():
    assert metrics.percentile([10, 20, 30, 40], 50) == 25.0
    assert metrics.percentile([], 95) == 0.0
    assert metrics.mean([1, 0, 0]) == 0.3333
