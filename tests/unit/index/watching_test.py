"""`sitroom watch`: real watchdog events on a temporary folder, real incremental builds with the real model."""

from __future__ import annotations

import _thread
import json
import threading
import time
from pathlib import Path

import pytest

from index import layout
from index.builder import IndexBuilder, IndexSummary
from index.embedding import Embedder
from index.watching import Watcher
from sitroom.cli import main
from sitroom.config import Settings

FIRST = (
    "Posted by Harbor Watch on Mar 3rd 2025\n\nAdmiral Amara Okonkwo said the Zanzibar naval base deal secures the port for ten years.\n"
)


def briefing(n: int) -> str:
    return f"Posted by Harbor Watch on Mar {n}th 2025\n\nBriefing {n}: the Quetzal ministry said cable repairs near Guam will take {n} weeks.\n"


def wait_for(condition, seconds: float = 120.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


class TestWatcher:
    def test_a_burst_of_changes_is_one_incremental_build(self, tmp_path: Path, embedder: Embedder) -> None:
        folder = tmp_path / "briefings"
        folder.mkdir()
        (folder / "first.txt").write_text(FIRST)
        summaries: list[IndexSummary] = []
        errors: list[str] = []
        builder = IndexBuilder(Settings(index_dir=tmp_path / "index"), embedder=embedder)
        watcher = Watcher(builder, [folder], 1.0, summaries.append, errors.append)
        result: list[int] = []
        thread = threading.Thread(target=lambda: result.append(watcher.run(once=True, timeout=120)))
        thread.start()
        assert watcher.ready.wait(120)
        assert summaries[0].added == ["first.txt"]
        (folder / ".draft.txt").write_text(briefing(1))  # hidden and unsupported files are not briefings
        (folder / "chart.png").write_bytes(b"\x89PNG")
        time.sleep(1.5)
        assert len(summaries) == 1, "no build for files that are not briefings"
        for n in (2, 3, 4):
            (folder / f"b{n}.txt").write_text(briefing(n))
            time.sleep(0.05)
        (folder / "first.txt").write_text(FIRST + "She told reporters the deal keeps rival fleets out of the channel.\n")
        thread.join(130)
        assert result == [1] and len(summaries) == 2 and not errors
        change = summaries[1]
        assert (sorted(change.added), change.changed, change.documents) == (["b2.txt", "b3.txt", "b4.txt"], ["first.txt"], 4)

    def test_ctrl_c_stops_cleanly_and_the_index_stays(self, tmp_path: Path, embedder: Embedder) -> None:
        folder = tmp_path / "briefings"
        folder.mkdir()
        (folder / "first.txt").write_text(FIRST)
        settings = Settings(index_dir=tmp_path / "index")
        watcher = Watcher(IndexBuilder(settings, embedder=embedder), [folder], 0.5, lambda s: None, lambda m: None)
        threading.Thread(target=lambda: watcher.ready.wait(120) and _thread.interrupt_main(), daemon=True).start()
        assert watcher.run(timeout=120) == 0  # returns instead of raising KeyboardInterrupt
        assert layout.current(settings.index_dir) is not None


class TestWatchCommand:
    def test_once_prints_one_json_line_per_build(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        folder = tmp_path / "briefings"
        folder.mkdir()
        (folder / "first.txt").write_text(FIRST)
        index_dir = tmp_path / "index"
        argv = ["watch", str(folder), "--once", "--timeout", "180", "--debounce", "0.3", "--json", "--index-dir", str(index_dir)]
        codes: list[int] = []
        thread = threading.Thread(target=lambda: codes.append(main(argv)))
        thread.start()
        wait_for(lambda: layout.current(index_dir) is not None)
        (folder / "second.txt").write_text(briefing(5))
        thread.join(180)
        lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
        assert codes == [0] and [line["added"] for line in lines] == [["first.txt"], ["second.txt"]]

    def test_a_missing_folder_is_one_error_line(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        assert main(["watch", str(tmp_path / "nope"), "--index-dir", str(tmp_path / "index")]) == 2
        assert capsys.readouterr().err.strip().startswith("sitroom: error: not a folder:")
