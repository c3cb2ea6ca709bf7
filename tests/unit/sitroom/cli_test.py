from __future__ import annotations

import json
import os
import re
import shlex
import shutil
from pathlib import Path

import pytest

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


def _one_error_line(capsys) -> str:
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("sitroom: error:"), err
    return err[0]


@pytest.fixture
def writable_index(tmp_path: Path, seeds_settings) -> Path:
    """A private copy of the seeds index (with its embedding cache), for commands that write."""
    target = tmp_path / "ix"
    shutil.copytree(seeds_settings.index_dir, target, symlinks=True)
    return target


class TestQueryArguments:
    @pytest.mark.parametrize("k", ["0", "-1", "501", "1000000"])
    def test_k_out_of_range_is_refused(self, seeds_settings, capsys, k: str):
        for command in ("search", "ask"):
            assert main([command, "troops", "-k", k, "--index-dir", str(seeds_settings.index_dir)]) == 2
            assert "-k" in _one_error_line(capsys)

    @pytest.mark.parametrize("value", ["5", "June 2024", "2024-13-01", "20240101", "2024-6-1", "yesterday"])
    def test_dates_must_be_iso(self, seeds_settings, capsys, value: str):
        for option in ("--since", "--until"):
            assert main(["search", "troops", option, value, "--index-dir", str(seeds_settings.index_dir)]) == 2
            assert "YYYY-MM-DD" in _one_error_line(capsys)

    def test_since_after_until_is_refused(self, seeds_settings, capsys):
        argv = ["search", "troops", "--since", "2024-06-01", "--until", "2024-01-01", "--index-dir", str(seeds_settings.index_dir)]
        assert main(argv) == 2
        assert "after --until" in _one_error_line(capsys)

    def test_help_names_the_date_format(self, capsys):
        with pytest.raises(SystemExit):
            main(["search", "--help"])
        assert "--since YYYY-MM-DD" in capsys.readouterr().out

    @pytest.mark.parametrize("pattern", ["%", "_", "\\", "%%", "n_t"])
    def test_source_wildcards_are_literal(self, seeds_settings, capsys, pattern: str):
        assert main(["search", "troops", "--source", pattern, "--json", "--index-dir", str(seeds_settings.index_dir)]) == 0
        assert json.loads(capsys.readouterr().out)["results"] == []

    def test_source_substring_still_matches(self, seeds_settings, capsys):
        assert main(["search", "troops", "--source", "natsec", "--json", "--index-dir", str(seeds_settings.index_dir)]) == 0
        results = json.loads(capsys.readouterr().out)["results"]
        assert results and all("natsec" in r["source"].lower() for r in results)


class TestIndexArguments:
    def test_removing_an_unknown_id_says_so_and_keeps_the_index(self, writable_index: Path, capsys):
        before = (writable_index / "current").resolve()
        assert main(["index", "--remove", "no-such-doc.txt", "--index-dir", str(writable_index)]) == 2
        assert "no document 'no-such-doc.txt' in the index" in _one_error_line(capsys)
        assert (writable_index / "current").resolve() == before
        assert main(["info", "--json", "--index-dir", str(writable_index)]) == 0
        assert json.loads(capsys.readouterr().out)["manifest"]["documents"] == 5

    def test_max_file_mb_must_be_positive(self, tmp_path: Path, corpus: Path, capsys):
        assert main(["index", str(corpus), "--max-file-mb", "0", "--index-dir", str(tmp_path / "ix")]) == 2
        assert "--max-file-mb" in _one_error_line(capsys)

    def test_skipped_files_are_reported_and_odd_names_index(self, writable_index: Path, tmp_path: Path, capsys):
        corpus = tmp_path / "extra"
        corpus.mkdir()
        os.symlink(corpus / "gone.txt", corpus / "dangling.txt")
        (corpus / "large.txt").write_text("Large briefing. " * 70_000)
        (corpus / os.fsdecode(b"Gr\xfc\xdfe aus Z\xfcrich.txt")).write_text("Zanzibar envoy met the minister about port security.")
        assert main(["index", str(corpus), "--max-file-mb", "1", "--index-dir", str(writable_index)]) == 0
        captured = capsys.readouterr()
        assert "6 documents" in captured.out and "(1 added, 0 changed, 0 removed, 0 unchanged" in captured.out
        skipped = sorted(line.strip() for line in captured.err.splitlines() if "skipped" in line)
        assert skipped == [
            f"skipped {corpus / 'dangling.txt'}: dangling symbolic link (its target is missing)",
            f"skipped {corpus / 'large.txt'}: 1.1 MiB is larger than the 1 MiB limit",
        ]
        assert main(["search", "Zanzibar envoy", "-k", "1", "--json", "--index-dir", str(writable_index)]) == 0
        assert json.loads(capsys.readouterr().out)["results"][0]["doc"] == "Gr\\xfc\\xdfe aus Z\\xfcrich.txt"

    def test_nothing_indexable_names_the_skipped_files(self, tmp_path: Path, capsys):
        (tmp_path / "in").mkdir()
        os.symlink(tmp_path / "gone.txt", tmp_path / "in" / "dangling.txt")
        (tmp_path / "in" / "nul.txt").write_bytes(b"\x00\x01")
        assert main(["index", str(tmp_path / "in"), "--index-dir", str(tmp_path / "ix")]) == 2
        line = _one_error_line(capsys)
        assert "2 skipped: dangling.txt: dangling symbolic link (its target is missing); nul.txt: binary file" in line


def test_passages_carry_their_articles_metadata(seeds_settings, capsys):
    args = [
        "search",
        "Mossad chief Barnea visits Doha",
        "-k",
        "3",
        "--source",
        "axios",
        "--json",
        "--index-dir",
        str(seeds_settings.index_dir),
    ]
    assert main(args) == 0
    results = json.loads(capsys.readouterr().out)["results"]
    assert results and all(r["source"] == "Axios" for r in results)
    top = results[0]
    assert top["doc"] == "002_da99e603930fae2f.txt" and top["title"] == "Israeli spy chief visits Doha for Gaza talks"
    assert (top["date"], top["date_display"], top["article"]) == (None, "undated", 2)
    assert top["doc_title"] == "Moscow and Washington lean on allies for support"
    assert main(["ask", "What did the Iraqi prime minister's office say?", "--index-dir", str(seeds_settings.index_dir)]) == 0
    assert "The New York Times · undated" in capsys.readouterr().out


def test_readme_filter_example_finds_passages(seeds_settings, capsys):
    """The README's filter example must work on the seeds (it uses the dated BW Actual seed)."""
    readme = (Path(__file__).resolve().parents[3] / "README.md").read_text()
    line = next(x for x in readme.splitlines() if x.startswith("sitroom search") and "--since" in x)
    argv = [a for a in shlex.split(line.split("#")[0])[1:] if a != "--json"]
    assert main([*argv, "--json", "--index-dir", str(seeds_settings.index_dir)]) == 0
    assert json.loads(capsys.readouterr().out)["results"], f"README example returns nothing: {line}"


class TestReadableOutput:
    def test_ask_prints_grouped_bullets_and_citation_lines(self, seeds_settings, capsys):
        assert main(["ask", "What did Iraq say about US troops?", "--index-dir", str(seeds_settings.index_dir)]) == 0
        lines = capsys.readouterr().out.splitlines()
        assert lines[0] == "The New York Times · undated" and lines[1].startswith("  • ") and re.search(r" \[1\]$", lines[1])
        cited = [line for line in lines if line.startswith("[")]
        assert cited and all(re.fullmatch(r"\[\d+\] .+ · The New York Times · undated.*  \(\S+\.txt \d+-\d+\)", c) for c in cited), cited

    def test_an_empty_search_names_the_filter_that_emptied_it(self, seeds_settings, capsys):
        argv = ["search", "x", "--source", "natsec", "--since", "2030-01-01", "--index-dir", str(seeds_settings.index_dir)]
        assert main(argv) == 0
        out = capsys.readouterr().out
        assert out.startswith("no passages match: no passages with source=natsec and since=2030-01-01 together; ")
        assert "the since=2030-01-01 filter empties it" in out
        assert main([*argv, "--json"]) == 0
        data = json.loads(capsys.readouterr().out)
        assert data["results"] == [] and "the since=2030-01-01 filter empties it" in data["reason"]

    def test_info_shows_metadata_edited_in_the_library(self, writable_index: Path, capsys):
        from index import overrides

        overrides.save(writable_index, "004_d1df9960fe393cbd.txt", overrides.checked(title="Russia bombs Syria", date="2015-09-30"))
        assert main(["info", "--index-dir", str(writable_index)]) == 0
        line = next(x for x in capsys.readouterr().out.splitlines() if "004_d1df9960fe393cbd.txt" in x)
        assert "2015-09-30" in line and line.endswith("Russia bombs Syria")
