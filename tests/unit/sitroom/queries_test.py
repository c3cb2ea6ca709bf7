"""The JSON objects behind `--json`, the text output and `sitroom serve`: answer groups, empty-result reasons, info with overrides."""

from __future__ import annotations

import shutil
from pathlib import Path

from index import overrides
from retrieval.answer import AnswerComposer
from retrieval.passages import Filters
from retrieval.searcher import Searcher
from retrieval.timeline import TimelineBuilder
from sitroom import queries
from sitroom.config import Settings

QUESTION = "What did Iraq say about US troops?"
BEAST = "004_d1df9960fe393cbd.txt"


class TestAskJson:
    def test_groups_hold_every_sentence_once_under_its_citations_source_and_date(self, searcher: Searcher) -> None:
        data = queries.ask_json(AnswerComposer(searcher), QUESTION)
        sentences, cited = data["answer"]["sentences"], {c["n"]: c for c in data["citations"]}
        assert not data["abstained"] and data["reason"] is None
        assert sorted(i for g in data["groups"] for i in g["sentences"]) == list(range(len(sentences)))
        for group in data["groups"]:
            assert group["label"] == f"{group['source'] or 'Unknown source'} · {group['date_display']}"
            for i in group["sentences"]:
                citation = cited[sentences[i]["citations"][0]]
                assert (citation["source"], citation["date"]) == (group["source"], group["date"])
        assert data["groups"][0]["sentences"][0] == 0, "the answer's best sentence opens the first group"

    def test_an_answer_emptied_by_a_filter_names_it(self, searcher: Searcher) -> None:
        data = queries.ask_json(AnswerComposer(searcher), QUESTION, filters=Filters(since="2030-01-01"))
        assert data["abstained"] and data["groups"] == [] and data["passages"] == []
        assert data["reason"].startswith("no passages with since=2030-01-01; ")


class TestSearchJson:
    def test_the_date_filter_that_emptied_a_search_is_named(self, searcher: Searcher) -> None:
        data = queries.search_json(searcher, "x", filters=Filters(source="natsec", since="2030-01-01"))
        assert data["results"] == []
        assert "; the since=2030-01-01 filter empties it; " in data["reason"]

    def test_an_unknown_source_lists_the_sources_there_are(self, searcher: Searcher) -> None:
        data = queries.search_json(searcher, "Kaspersky", filters=Filters(source="Reuters"))
        sources = ", ".join(searcher.store.source_counts())
        assert data["reason"].endswith(f"; sources are {sources}") and "NatSec Daily" in sources

    def test_results_carry_no_reason(self, searcher: Searcher) -> None:
        data = queries.search_json(searcher, "Kaspersky", k=2)
        assert len(data["results"]) == 2 and data["reason"] is None


class TestTimelineJson:
    def test_reason_tells_an_emptying_filter_from_passages_without_statements(self, searcher: Searcher) -> None:
        builder = TimelineBuilder(searcher)
        emptied = queries.timeline_json(builder, "Iraq US troops", filters=Filters(source="Reuters"))
        assert emptied["statements"] == [] and emptied["passages_read"] == 0
        assert emptied["reason"].startswith("no passages with source=Reuters; ")
        found = queries.timeline_json(builder, "Iraq US troops", k=5)
        assert found["statements"] and found["reason"] is None and found["passages_read"] == 5


class TestInfoJson:
    def test_hand_set_metadata_is_applied(self, seeds_settings: Settings, tmp_path: Path) -> None:
        index_dir = tmp_path / "index"
        shutil.copytree(seeds_settings.index_dir, index_dir, symlinks=True)
        before = {d["doc_id"]: d for d in queries.info_json(index_dir)["documents"]}
        overrides.save(index_dir, BEAST, overrides.checked(title="Russia bombs Syria", source="", date="2015-09-30"))
        after = {d["doc_id"]: d for d in queries.info_json(index_dir)["documents"]}
        assert before[BEAST]["date"] is None and before[BEAST]["source"]
        assert (after[BEAST]["title"], after[BEAST]["source"], after[BEAST]["date"]) == ("Russia bombs Syria", None, "2015-09-30")
        assert {d: row for d, row in after.items() if d != BEAST} == {d: row for d, row in before.items() if d != BEAST}
