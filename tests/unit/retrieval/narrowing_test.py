from __future__ import annotations

from index import layout
from index.store import Store
from retrieval import narrowing
from retrieval.narrowing import explain_empty
from retrieval.passages import Filters


class TestExplainEmpty:
    def store(self, seeds_settings) -> Store:
        return Store(layout.current(seeds_settings.index_dir) / layout.STORE, readonly=True)

    def test_one_filter_that_matches_nothing_is_named_with_the_count_without_it(self, seeds_settings) -> None:
        store = self.store(seeds_settings)
        total = store.count("chunks")
        sources = ", ".join(store.source_counts())
        assert explain_empty(store, Filters(source="no such paper"), "hybrid") == (
            f"no passages with source=no such paper; {total} passages in 5 documents without it; sources are {sources}"
        )

    def test_each_filter_of_an_empty_combination_is_dropped_in_turn(self, seeds_settings) -> None:
        store = self.store(seeds_settings)
        why = explain_empty(store, Filters(source="natsec", since="2024-01-01"), "hybrid")
        natsec = store.count_where(*Filters(source="natsec").sql(store.has_article_columns()))[0]
        assert why.startswith("no passages with source=natsec and since=2024-01-01 together; without source=natsec: ")
        assert f"without since=2024-01-01: {natsec} passages in " in why

    def test_the_one_filter_whose_removal_brings_passages_back_is_blamed(self, seeds_settings) -> None:
        store = self.store(seeds_settings)
        why = explain_empty(store, Filters(source="natsec", since="2030-01-01"), "hybrid")
        assert "together; the since=2030-01-01 filter empties it; without source=natsec: 0 passages in 0 documents; " in why
        assert "sources are" not in why, "the source matches on its own"

    def test_a_source_that_matches_nothing_lists_the_largest_sources(self, seeds_settings, monkeypatch) -> None:
        store = self.store(seeds_settings)
        monkeypatch.setattr(narrowing, "_SOURCES_LISTED", 2)
        names = list(store.source_counts())
        why = explain_empty(store, Filters(source="Reuters", since="2030-01-01"), "hybrid")
        assert why.endswith(f"; sources are {names[0]}, {names[1]} and {len(names) - 2} more")

    def test_a_query_no_passage_matches_is_blamed_on_the_query(self, seeds_settings) -> None:
        why = explain_empty(self.store(seeds_settings), Filters(source="natsec"), "bm25")
        assert "match source=natsec, but none contains a word of the query" in why
