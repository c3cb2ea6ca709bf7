"""Corpus summary and example questions come from the index, not from a fixed list."""

from __future__ import annotations

from index import layout
from index.store import Store
from ui import onboarding


def store_of(seeds_settings) -> Store:
    return Store(layout.current(seeds_settings.index_dir) / layout.STORE, readonly=True)


class TestEntities:
    def test_names_not_sentence_starts(self) -> None:
        text = "The talks stalled. Officials in Baghdad said MARK RUTTE met the Islamic State envoy; Iraq’s view held."
        assert onboarding.entities(text) == ["Baghdad", "Mark Rutte", "Islamic State", "Iraq"]


class TestSummary:
    def test_counts_dates_and_sources(self, seeds_settings) -> None:
        store = store_of(seeds_settings)
        summary = onboarding.summarize(store)
        rows = store.documents("source, date")
        assert summary.documents == len(rows) and summary.passages == store.count("chunks")
        assert summary.dated == sum(1 for r in rows if r["date"])
        assert summary.sources == list(store.source_counts().items()) and summary.sources[0][1] >= summary.sources[-1][1]
        assert f"{summary.documents} documents" in summary.text()


class TestExampleQuestions:
    def test_questions_name_entities_of_this_corpus_and_get_answers(self, seeds_settings, embedder) -> None:
        from retrieval.answer import AnswerComposer
        from retrieval.searcher import Searcher

        store = store_of(seeds_settings)
        questions = onboarding.example_questions(store, 4)
        assert len(questions) == 4 and len(set(questions)) == 4
        cleaned = " ".join(r["cleaned"] for r in store.documents("cleaned"))
        composer = AnswerComposer(Searcher(seeds_settings, embedder=embedder))
        for question in questions:
            names = [n for n in onboarding.entities(question) if n not in ("What",)]
            assert names and all(n.removeprefix("the ") in cleaned for n in names), question
            assert not composer.run(question).abstained, f"an example question the index cannot answer: {question}"
