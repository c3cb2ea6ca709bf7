from __future__ import annotations

from retrieval.dedup import collapse
from retrieval.passages import Passage


def _passage(doc: str, text: str, score: float) -> Passage:
    return Passage(
        0,
        score,
        hash(doc) % 1000,
        doc,
        doc.upper(),
        "Wire",
        "2024-02-08",
        None,
        text,
        10,
        10 + len(text),
        10,
        10 + len(text),
        ((0, len(text)),),
        0.5,
    )


def test_near_duplicates_collapse_into_the_best_copy_listing_every_source():
    story = "Russian aircraft began bombing targets in Syria on Tuesday, according to U.S. and Russian officials, who said the strikes hit Homs."
    passages = [
        _passage("a.txt", story, 0.9),
        _passage("b.txt", "Kaspersky antivirus products will be banned from sale in the United States after July.", 0.8),
        _passage("c.txt", story.replace("Tuesday", "Tuesday morning"), 0.7),
    ]
    kept = collapse(passages)
    assert [p.doc for p in kept] == ["a.txt", "b.txt"]
    assert [ref.doc for ref in kept[0].also_in] == ["c.txt"]


def test_limit_stops_once_enough_distinct_passages_are_kept():
    texts = [f"Statement number {i} on a separate subject entirely, with words {i * 7} and {i * 13} in it." for i in range(6)]
    passages = [_passage(f"{i}.txt", text, 1 - i / 10) for i, text in enumerate(texts)]
    passages.insert(1, _passage("copy.txt", texts[0], 0.95))
    kept = collapse(passages, limit=3)
    assert [p.doc for p in kept] == ["0.txt", "1.txt", "2.txt"]
    assert [ref.doc for ref in kept[0].also_in] == ["copy.txt"]
