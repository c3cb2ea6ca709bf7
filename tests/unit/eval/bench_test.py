"""`sitroom bench` in a tiny configuration: it runs end to end and prints every documented JSON key."""

from __future__ import annotations

import argparse
import json
from dataclasses import replace
from pathlib import Path

import pytest

from eval import bench
from sitroom.cli import build_parser
from sitroom.config import Settings, VectorIndexConfig
from sitroom.errors import SitroomError

INGEST_KEYS = {"fp32_chunks_per_s", "int8_chunks_per_s", "int8_speedup", "reindex_unchanged_s", "rss_mb"}
QUERY_KEYS = {
    "passages", "synthetic", "index", "search_p50_ms", "search_p95_ms", "search_p99_ms", "ask_p50_ms", "load_s", "disk_mb", "rss_mb",
    "ann_recall@10",
}  # fmt: skip
SYSTEM_KEYS = {"ingest_s", "search_p50_ms", "search_p95_ms", "rss_mb", "hit@5", "ndcg@10"}


def parse(*argv: str) -> argparse.Namespace:
    return build_parser().parse_args(["bench", *argv])


@pytest.fixture(scope="module")
def few_questions(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The dev set's first six questions: each is asked with the cross-encoder, in several processes."""
    path = tmp_path_factory.mktemp("questions") / "few.jsonl"
    path.write_text("".join(bench.DEV_SET.read_text(encoding="utf-8").splitlines(keepends=True)[:6]), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory, few_questions: Path) -> dict:
    """Seeds only (an empty distractor corpus), one run, five queries, six dev questions; the larger tier is synthetic
    and, with a low threshold, approximate, so every code path runs."""
    work = tmp_path_factory.mktemp("bench")
    (work / "empty").mkdir()
    args = parse(
        "--quick", "--sizes", "40,400", "--queries", "5", "--corpus", str(work / "empty"), "--questions", str(few_questions),
        "--index-dir", str(work / "w"), "--json",
    )  # fmt: skip
    settings = replace(Settings(), vectors=VectorIndexConfig(ann_threshold=200))
    capture = work / "out.json"
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(bench.sys, "stdout", capture.open("w"))
        assert bench.run(args, settings) == 0
        bench.sys.stdout.close()
    assert not any((work / "w").iterdir()), "the bench removes its indexes unless --keep"
    return json.loads(capture.read_text())


def test_prints_every_documented_key(result: dict) -> None:
    assert set(result) == {"machine", "ingest", "query", "comparison"}
    assert set(result["ingest"]) >= INGEST_KEYS
    assert len(result["query"]) == 2
    for tier in result["query"]:
        assert set(tier) >= QUERY_KEYS
    for system in ("sitroom", "plain"):
        assert set(result["comparison"][system]) >= SYSTEM_KEYS
    assert "chroma" in result["comparison"] and "ratios" in result["comparison"]


def test_figures_are_plausible(result: dict) -> None:
    ingest = result["ingest"]
    assert ingest["fp32_chunks_per_s"] > 0 and ingest["int8_chunks_per_s"] > 0
    assert ingest["int8_cosine_min"] > 0.98
    small, large = result["query"]
    assert not small["synthetic"] and small["index"] == "flat" and small["ann_recall@10"] == 1.0
    assert large["synthetic"] and large["passages"] == 400 and large["index"] == "hnsw"
    assert 0.9 <= large["ann_recall@10"] <= 1.0
    assert all(t["search_p50_ms"] > 0 and t["rss_mb"] > 0 and t["disk_mb"] > 0 for t in result["query"])
    assert result["comparison"]["sitroom"]["hit@5"] > 0.5  # the dev set's evidence is in the seeds


def test_the_table_renders(result: dict) -> None:
    text = bench.table(result)
    assert "int8 speedup" in text and "synthetic" in text and "sitroom/plain" in text


@pytest.mark.parametrize(("option", "value"), [("--sizes", "1k"), ("--questions", "no-such-set.jsonl")])
def test_bad_options_are_a_user_error(tmp_path: Path, option: str, value: str) -> None:
    with pytest.raises(SitroomError, match=option):
        bench.run(parse(option, value, "--index-dir", str(tmp_path)), Settings())


def test_milvus_backend_row(seeds_settings: Settings, tmp_path: Path, few_questions: Path) -> None:
    """What `sitroom bench --backend milvus` adds per tier: the seeds index rewritten into Milvus Lite, searched, scored."""
    from index import layout, milvus

    target = tmp_path / "milvus"
    try:
        row = bench._backend_child(
            seeds_settings, str(seeds_settings.index_dir), str(target), "milvus", ["Kaspersky ban"], 1, str(few_questions)
        )
    finally:
        milvus.disconnect(str((target / milvus.LITE_FILE).resolve()))
    quality = bench._quality(row.pop("ranked"), str(few_questions), layout.current(target) / layout.STORE)
    assert row["ingest_s"] > 0 and 0 < row["search_p50_ms"] <= row["search_p95_ms"] and row["rss_mb"] > 0
    assert quality["hit@5"] > 0.5
    backends = [{"passages": 101, "synthetic": False, "backend": "milvus", **row, **quality}]
    assert "milvus-lite" in bench.backends_table(backends)[2]
