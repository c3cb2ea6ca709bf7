from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from index import layout, lexical
from index.builder import IndexBuilder
from retrieval.searcher import Searcher
from sitroom.config import Settings
from sitroom.errors import SitroomError


def _build(settings: Settings, embedder, *paths: Path, **kwargs):
    return IndexBuilder(settings, embedder=embedder).run(list(paths), progress=False, **kwargs)


def test_incremental_counts(tmp_path: Path, corpus: Path, embedder):
    settings = Settings(index_dir=tmp_path / "ix")
    first = _build(settings, embedder, corpus)
    assert (len(first.added), len(first.changed), len(first.removed), len(first.unchanged)) == (5, 0, 0, 0)
    again = _build(settings, embedder, corpus)
    assert (len(again.added), len(again.changed), len(again.removed), len(again.unchanged)) == (0, 0, 0, 5)
    assert again.embedded == 0

    (corpus / "new.txt").write_text("Posted by Desk on Mar 1st 2024\n\nThe Estonian defense minister said drones will guard the border.\n")
    with (corpus / "003_bec8731c7900498a.txt").open("a") as handle:
        handle.write("\nA late update: the Iraqi parliament scheduled a vote on the coalition presence.\n")
    (corpus / "004_d1df9960fe393cbd.txt").unlink()
    third = _build(settings, embedder, corpus)
    assert (third.added, third.changed, third.removed) == (["new.txt"], ["003_bec8731c7900498a.txt"], ["004_d1df9960fe393cbd.txt"])
    assert len(third.unchanged) == 3
    assert third.embedded < third.chunks  # unchanged documents came from the cache

    searcher = Searcher(settings, embedder=embedder)
    docs = {p.doc for p in searcher.search("Estonian drones border", k=3).passages}
    assert "new.txt" in docs
    assert not searcher.store.document("004_d1df9960fe393cbd.txt")
    assert searcher.vectors.document_frequencies([])[0] == third.chunks  # BM25 statistics rebuilt without deleted text


def test_interrupted_build_leaves_previous_index_loadable(tmp_path: Path, corpus: Path, embedder, monkeypatch):
    settings = Settings(index_dir=tmp_path / "ix")
    _build(settings, embedder, corpus)
    before = [p.chunk_id for p in Searcher(settings, embedder=embedder).search("Kaspersky antivirus ban", k=3).passages]
    (corpus / "extra.txt").write_text("Extra briefing about Kaspersky antivirus products in Europe and new rules.\n")

    def crash(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(lexical, "save", crash)
    with pytest.raises(KeyboardInterrupt):
        _build(settings, embedder, corpus)
    monkeypatch.undo()
    after = Searcher(settings, embedder=embedder)
    assert [p.chunk_id for p in after.search("Kaspersky antivirus ban", k=3).passages] == before
    assert not after.store.document("extra.txt")
    assert _build(settings, embedder, corpus).added == ["extra.txt"]
    assert not list((settings.index_dir / "generations").glob(".tmp-*"))


def test_manifest_mismatch_says_what_to_run(seeds_settings: Settings, embedder):
    other = replace(seeds_settings, embedding=replace(seeds_settings.embedding, model="sentence-transformers/all-mpnet-base-v2"))
    with pytest.raises(SitroomError, match=r"built with model 'bundled:all-MiniLM-L6-v2'.*sitroom index --rebuild"):
        Searcher(other, embedder=embedder)


def test_backend_mismatch_names_the_setting_that_reads_the_index(seeds_settings: Settings, embedder):
    """An fp32 index from before int8 became the default says how to keep using it."""
    built = seeds_settings.embedding.backend
    other = replace(seeds_settings, embedding=replace(seeds_settings.embedding, backend="torch" if built != "torch" else "onnx-int8"))
    with pytest.raises(SitroomError, match=rf"built with the '{built}' embedding backend.*SITROOM_BACKEND={built} .*--rebuild"):
        Searcher(other, embedder=embedder)


def test_manifest_format_version_checked(tmp_path: Path, corpus: Path, embedder):
    settings = Settings(index_dir=tmp_path / "ix")
    _build(settings, embedder, corpus)
    manifest = layout.current(settings.index_dir) / "manifest.json"
    data = json.loads(manifest.read_text())
    manifest.write_text(json.dumps({**data, "format_version": 99}))
    with pytest.raises(SitroomError, match=r"format version 99.*--rebuild"):
        Searcher(settings, embedder=embedder)


def test_bad_files_are_skipped_and_the_rest_indexed(tmp_path: Path, corpus: Path, embedder):
    (corpus / "broken.txt").write_bytes(b"\x00\xff\xfe binary junk")
    (corpus / "empty.md").write_text("")
    summary = _build(Settings(index_dir=tmp_path / "ix"), embedder, corpus)
    assert len(summary.added) == 5
    assert {Path(r.path).name for r in summary.rejected} == {"broken.txt", "empty.md"}


def test_remove_document(tmp_path: Path, corpus: Path, embedder):
    settings = Settings(index_dir=tmp_path / "ix")
    _build(settings, embedder, corpus)
    summary = IndexBuilder(settings, embedder=embedder).run([], remove=["002_da99e603930fae2f.txt"], progress=False)
    assert summary.removed == ["002_da99e603930fae2f.txt"] and summary.documents == 4


def test_same_file_name_in_two_folders_keeps_both(tmp_path: Path, embedder):
    for name in ("east", "west"):
        folder = tmp_path / name
        folder.mkdir()
        (folder / "brief.txt").write_text(f"The {name}ern command reported new drone sightings near the border on Monday.\n")
    summary = _build(Settings(index_dir=tmp_path / "ix"), embedder, tmp_path / "east", tmp_path / "west")
    assert sorted(summary.added) == ["brief.txt", "west/brief.txt"]
