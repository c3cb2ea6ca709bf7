from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from eval.beir import filename, load_beir
from sitroom.cli import main
from sitroom.errors import SitroomError

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "beir_tiny"


@pytest.fixture
def beir_dir(tmp_path: Path) -> Path:
    target = tmp_path / "beir_tiny"
    shutil.copytree(FIXTURE, target)
    return target


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> dict:
    assert main(["eval", *argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_load_beir_keeps_graded_judgements_of_judged_queries():
    data = load_beir(FIXTURE)
    assert len(data.corpus) == 8 and data.corpus["d2"] == ("", data.corpus["d2"][1])
    assert sorted(data.queries) == ["q1", "q2", "q3", "q4"]  # q5 has no qrels
    assert data.qrels["q1"] == {"d1": 2, "d7": 1} and data.qrels["q4"] == {"d4": 1, "d8": 0}
    assert data.qrels["q2"] == {"doc/3 ü?": 1}


def test_corpus_ids_become_safe_stable_file_names():
    name = filename("doc/3 ü?")
    assert name == filename("doc/3 ü?") and name.endswith(".md") and "/" not in name and name.isascii()


def test_beir_end_to_end_then_cached(beir_dir, capsys, one_model):
    out = run_json(capsys, "--beir", str(beir_dir))
    assert set(out) == {"metrics", "mode", "queries", "docs"}
    assert (out["mode"], out["queries"], out["docs"]) == ("hybrid", 4, 8)
    assert {"ndcg@10", "recall@100", "mrr@10", "hit@10"} <= set(out["metrics"])
    assert out["metrics"]["recall@100"] == 1.0 and out["metrics"]["ndcg@10"] > 0.8
    index_dir = beir_dir / ".sitroom-index"
    generation = (index_dir / "current").resolve()
    mapping = json.loads((index_dir / "ids.json").read_text(encoding="utf-8"))
    assert mapping[filename("doc/3 ü?")] == "doc/3 ü?" and len(mapping) == 8

    compared = run_json(capsys, "--beir", str(beir_dir), "--compare", "dense,bm25")
    assert (index_dir / "current").resolve() == generation  # nothing changed: no rebuild, nothing embedded
    assert set(compared["metrics"]) == {"dense", "bm25"} and compared["compare"]["baseline"] == "dense"
    assert (compared["queries"], compared["docs"]) == (4, 8)


def test_beir_refuses_an_index_of_another_corpus(beir_dir, seeds_settings, capsys):
    assert main(["eval", "--beir", str(beir_dir), "--index-dir", str(seeds_settings.index_dir)]) == 2
    assert "give --beir its own --index-dir" in capsys.readouterr().err


def test_missing_qrels_is_a_one_line_error(beir_dir, capsys):
    (beir_dir / "qrels" / "test.tsv").unlink()
    assert main(["eval", "--beir", str(beir_dir)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("sitroom: error:") and "qrels/test.tsv" in err and "\n" not in err


def test_bad_corpus_line_names_its_line(beir_dir):
    with (beir_dir / "corpus.jsonl").open("a", encoding="utf-8") as handle:
        handle.write("{broken\n")
    with pytest.raises(SitroomError, match=r"corpus\.jsonl:9: not valid JSON"):
        load_beir(beir_dir)
