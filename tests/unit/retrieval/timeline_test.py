"""Timeline: statements ordered by briefing date with speakers and valid citations, on briefings written here and on the seeds."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from index import layout
from index.builder import IndexBuilder
from index.embedding import Embedder
from index.store import Store
from retrieval import attribution
from retrieval.searcher import Searcher
from retrieval.timeline import Statement, Timeline, TimelineBuilder
from sitroom.cli import main
from sitroom.config import Settings

# Written out of date order; the undated one states no date anywhere in its text.
BRIEFINGS = {
    "march.md": (
        "2024-03-01",
        "Iraqi officials said the US troops in Iraq must leave by the end of the year, calling the coalition's mission complete.",
    ),
    "january.md": (
        "2024-01-15",
        "Iraq's prime minister said US troops could stay in Iraq for training while talks on the coalition continue.",
    ),
    "june.md": ("2024-06-20", "Iraqi officials told reporters that the withdrawal of US troops from Iraq will now happen in two phases."),
    "undated.txt": (None, "Pentagon officials said US troops in Iraq are preparing for a drawdown of the coalition mission."),
}
OFF_TOPIC = "The weather service said heavy rain is expected in Oslo on Tuesday afternoon."
LINE = re.compile(
    r"^(?P<date>\d{4}-\d{2}-\d{2}|undated) +(?P<speaker>.+?): (?P<text>.*)  \[(?P<title>.*) · (?P<doc>\S+) (?P<start>\d+)-(?P<end>\d+)\]$"
)


def cleaned_texts(index_dir: Path) -> dict[str, str]:
    store = Store(layout.current(index_dir) / layout.STORE, readonly=True)
    try:
        return {row["doc_id"]: row["cleaned"] for row in store.documents("doc_id, cleaned")}
    finally:
        store.close()


def assert_dates_ordered(dates: list[str | None]) -> None:
    dated = [d for d in dates if d]
    assert dated == sorted(dated) and dates == [*dated, *[None] * (len(dates) - len(dated))], dates


@pytest.fixture(scope="module")
def dated_settings(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Settings:
    corpus = tmp_path_factory.mktemp("dated")
    for name, (when, text) in BRIEFINGS.items():
        front = f"---\ntitle: {name.split('.')[0].title()} briefing\ndate: {when}\nsource: Test Wire\n---\n" if when else ""
        (corpus / name).write_text(f"{front}{text} Markets were calm.\n\n{OFF_TOPIC}\n", encoding="utf-8")
    settings = Settings(index_dir=tmp_path_factory.mktemp("dated-index"))
    IndexBuilder(settings, embedder=embedder).run([corpus], progress=False)
    return settings


class TestTimelineBuilder:
    def test_statements_ordered_by_date_with_speaker_and_span(self, dated_settings: Settings, embedder: Embedder) -> None:
        timeline = TimelineBuilder(Searcher(dated_settings, embedder=embedder)).run("Iraq US troops")
        statements = timeline.statements
        assert [s.doc for s in statements] == ["january.md", "march.md", "june.md", "undated.txt"]
        assert [s.date for s in statements] == ["2024-01-15", "2024-03-01", "2024-06-20", None]
        assert [s.speaker for s in statements] == ["Iraq's prime minister", "Iraqi officials", "Iraqi officials", "Pentagon officials"]
        assert all(OFF_TOPIC not in s.text for s in statements), "a statement far from the query is left out"
        cleaned = cleaned_texts(dated_settings.index_dir)
        for s in statements:
            assert cleaned[s.doc][s.start : s.end] == s.text
            assert s.passage_start <= s.start < s.end <= s.passage_end
        assert json.loads(json.dumps(timeline.to_json()))["statements"][0]["speaker"] == "Iraq's prime minister"

    def test_attribution_question_keeps_that_speakers_statements(self, dated_settings: Settings, embedder: Embedder) -> None:
        timeline = TimelineBuilder(Searcher(dated_settings, embedder=embedder)).run("What did the Pentagon say about US troops?")
        assert [s.doc for s in timeline.statements] == ["undated.txt"]


class TestTimelineCommand:
    def test_text_lines_cite_valid_spans_in_date_order(self, seeds_settings: Settings, capsys: pytest.CaptureFixture[str]) -> None:
        assert main(["timeline", "Iraq US troops", "--index-dir", str(seeds_settings.index_dir)]) == 0
        lines = capsys.readouterr().out.strip().splitlines()
        matches = [LINE.match(line) for line in lines]
        assert len(lines) >= 5 and all(matches), lines
        cleaned = cleaned_texts(seeds_settings.index_dir)
        for m in matches:
            assert cleaned[m["doc"]][int(m["start"]) : int(m["end"])] == m["text"]
            assert attribution.is_statement(m["text"])
        assert_dates_ordered([None if m["date"] == "undated" else m["date"] for m in matches])
        assert {m["date"] for m in matches} >= {"2024-02-08", "undated"}

    def test_json_shape_and_filters(self, seeds_settings: Settings, capsys: pytest.CaptureFixture[str]) -> None:
        argv = ["timeline", "Iraq US troops", "--json", "-k", "5", "--source", "natsec", "--index-dir", str(seeds_settings.index_dir)]
        assert main(argv) == 0
        data = json.loads(capsys.readouterr().out)
        assert set(data) == {"query", "statements", "timing_ms", "passages_read", "reason"} and data["statements"]
        assert set(data["statements"][0]) == set(Statement.__dataclass_fields__)
        assert all("NatSec" in (s["source"] or "") for s in data["statements"])
        assert_dates_ordered([s["date"] for s in data["statements"]])


def test_unmatched_says_why_only_when_passages_were_read_but_nothing_kept() -> None:
    assert Timeline("q", [], passages_read=0).unmatched is None
    assert Timeline("q", [], passages_read=7).unmatched == "none of the 7 passages read has a statement close enough to the query"
