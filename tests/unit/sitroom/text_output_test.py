"""The text output of search, ask, timeline and info, rendered from the real JSON objects of the seeds index."""

from __future__ import annotations

import re

from retrieval.answer import NO_ANSWER, AnswerComposer
from retrieval.citing import source_line
from retrieval.passages import Filters
from retrieval.searcher import Searcher
from retrieval.timeline import TimelineBuilder
from sitroom import queries, text_output
from sitroom.config import Settings

QUESTION = "What did Iraq say about US troops?"
CITATION = re.compile(r"^\[(?P<n>\d+)\] (?P<line>.+)  \((?P<doc>\S+)(?: pp?\. [\d-]+)? (?P<start>\d+)-(?P<end>\d+)\)$")


class TestAskText:
    def test_bullets_under_source_and_date_then_one_line_per_citation(self, searcher: Searcher) -> None:
        data = queries.ask_json(AnswerComposer(searcher), QUESTION)
        lines = text_output.ask_text(data).splitlines()
        blank = lines.index("")
        answer, citations = lines[:blank], lines[blank + 1 :]
        expected: list[str] = []
        for group in data["groups"]:
            expected.append(group["label"])
            for i in group["sentences"]:
                sentence = data["answer"]["sentences"][i]
                expected.append(f"  • {sentence['text']} [{sentence['citations'][0]}]")
        assert answer == expected and answer[0].endswith(" · undated")
        assert len(citations) == len(data["citations"])
        for line, c in zip(citations, data["citations"], strict=True):
            match = CITATION.match(line)
            assert match, line
            assert match["line"] == source_line(c["title"], c["source"], c["date"], c["headline"])
            assert (int(match["n"]), match["doc"], int(match["start"]), int(match["end"])) == (c["n"], c["doc"], c["start"], c["end"])
            assert "undated" in match["line"] or c["date"] in match["line"]

    def test_an_abstention_says_why(self, searcher: Searcher) -> None:
        emptied = queries.ask_json(AnswerComposer(searcher), QUESTION, filters=Filters(since="2030-01-01"))
        assert text_output.ask_text(emptied) == f"{NO_ANSWER}\nwhy: {emptied['reason']}"
        off_topic = queries.ask_json(AnswerComposer(searcher), "What is the best recipe for sourdough bread?")
        assert off_topic["abstained"] and off_topic["passages"]
        assert text_output.ask_text(off_topic) == f"{NO_ANSWER}\nwhy: {off_topic['abstention']}"


class TestSearchText:
    def test_each_result_names_title_source_date_and_span(self, searcher: Searcher) -> None:
        data = queries.search_json(searcher, "Kaspersky", k=2)
        lines = text_output.search_text(data).splitlines()
        first = data["results"][0]
        assert lines[0] == (
            f" 1. [{first['score']:.4f}] {first['doc']} {first['start']}-{first['end']}  "
            + source_line(first["title"], first["source"], first["date"], first["headline"])
        )
        assert lines[1].startswith(f"    {first['text'][:50]}")

    def test_an_empty_result_says_which_filter_emptied_it(self, searcher: Searcher) -> None:
        data = queries.search_json(searcher, "x", filters=Filters(source="natsec", since="2030-01-01"))
        assert text_output.search_text(data) == f"no passages match: {data['reason']}"


class TestTimelineText:
    def test_lines_and_the_empty_reason(self, searcher: Searcher) -> None:
        builder = TimelineBuilder(searcher)
        data = queries.timeline_json(builder, "Iraq US troops", k=5)
        lines = text_output.timeline_text(data).splitlines()
        assert len(lines) == len(data["statements"])
        s = data["statements"][0]
        assert lines[0].endswith(f"{s['text']}  [{s['title']} · {s['doc']} {s['start']}-{s['end']}]")
        emptied = queries.timeline_json(builder, "Iraq US troops", filters=Filters(doc="nothing.txt"))
        assert text_output.timeline_text(emptied) == f"no statements match: {emptied['reason']}"


class TestInfoText:
    def test_one_line_per_document_with_undated_spelled_out(self, seeds_settings: Settings) -> None:
        data = queries.info_json(seeds_settings.index_dir)
        lines = text_output.info_text(data).splitlines()
        assert len(lines) == 2 + len(data["documents"])
        for line, doc in zip(lines[2:], data["documents"], strict=True):
            assert line.startswith(f"  {doc['doc_id']}") and (doc["date"] or "undated") in line
