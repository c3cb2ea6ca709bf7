"""Sentence spans: pysbd's sentences, located in the text by search rather than by pysbd's per-sentence regexes."""

from __future__ import annotations

from pathlib import Path

import pysbd

from index.segmenting import Span, split_blocks, split_sentences

SEEDS = Path(__file__).resolve().parents[3] / "seeds"


class TestSplitSentences:
    def test_same_sentences_as_pysbd_segment_on_the_seeds(self) -> None:
        segmenter = pysbd.Segmenter(language="en", clean=False)
        blocks = 0
        for path in sorted(SEEDS.glob("*.txt")):
            text = path.read_text(encoding="utf-8")
            for block in split_blocks(text):
                expected = [s.strip() for s in segmenter.segment(block.of(text)) if s.strip()]
                assert [s.of(text) for s in split_sentences(text, block)] == expected
                blocks += 1
        assert blocks > 100

    def test_spans_point_into_the_text_and_keep_abbreviations_whole(self) -> None:
        text = "Intro. Sen. Lindsey Graham (R-S.C.) said the U.S. would act. He left."
        spans = split_sentences(text, Span(7, len(text)))
        assert [s.of(text) for s in spans] == ["Sen. Lindsey Graham (R-S.C.) said the U.S. would act.", "He left."]
