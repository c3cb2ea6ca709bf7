from __future__ import annotations

import json
from pathlib import Path

from sitroom.cli import main


def test_ask_json_is_one_clean_object(seeds_settings, capsys):
    assert main(["ask", "What did Iraq say about US troops?", "--json", "--index-dir", str(seeds_settings.index_dir)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) >= {"question", "abstained", "answer", "citations", "passages", "timing_ms"}
    assert set(data["answer"]) >= {"text", "sentences"}
    assert set(data["citations"][0]) >= {"n", "doc", "title", "source", "date", "headline", "start", "end", "text"}
    assert set(data["passages"][0]) >= {"rank", "score", "doc", "headline", "start", "end", "text"}


def test_search_json(seeds_settings, capsys):
    assert main(["search", "Kaspersky", "-k", "3", "--json", "--index-dir", str(seeds_settings.index_dir)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["query"] == "Kaspersky" and len(data["results"]) == 3
    assert "Kaspersky" in data["results"][0]["text"]


def test_errors_are_one_line_and_non_zero(tmp_path: Path, seeds_settings, capsys):
    cases = [
        ["search", "troops", "--index-dir", str(tmp_path / "none")],
        ["ask", "  ", "--index-dir", str(seeds_settings.index_dir)],
        ["index", str(tmp_path / "missing"), "--index-dir", str(tmp_path / "ix")],
        ["search", "troops", "--since", "yesterday-ish", "--index-dir", str(seeds_settings.index_dir)],
    ]
    for argv in cases:
        assert main(argv) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and err[0].startswith("sitroom: error:"), (argv, err)


def test_index_reports_counts(tmp_path: Path, corpus: Path, capsys):
    assert main(["index", str(corpus), "--index-dir", str(tmp_path / "ix")]) == 0
    out = capsys.readouterr().out
    assert "5 added, 0 changed, 0 removed, 0 unchanged" in out and "dropped" in out
