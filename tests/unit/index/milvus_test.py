"""The Milvus backend on Milvus Lite (embedded): same results as FAISS, filters in Milvus, atomic builds, clear errors.

One Milvus Lite file per module (starting it costs ~0.5 s); each test uses its own collection alias in it.
"""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from eval.runner import evaluate_set
from eval.sets import load_set
from index import milvus, vectorstore
from index.builder import IndexBuilder
from retrieval.passages import Filters
from retrieval.searcher import Searcher
from sitroom.cli import main
from sitroom.config import Settings, VectorStoreConfig
from sitroom.errors import SitroomError

ROOT = Path(__file__).resolve().parents[3]
SEEDS = ROOT / "seeds"
DEV_SET = ROOT / "eval" / "sets" / "seeds_dev.jsonl"


def _settings(index_dir: Path, uri: str, alias: str = "sitroom") -> Settings:
    return Settings(index_dir=index_dir, vector_store=VectorStoreConfig(backend="milvus", milvus_uri=uri, milvus_collection=alias))


@pytest.fixture(scope="module")
def lite_uri(tmp_path_factory: pytest.TempPathFactory):
    uri = str(tmp_path_factory.mktemp("milvus") / "lite.db")
    yield uri
    milvus.disconnect(uri)


@pytest.fixture(scope="module")
def milvus_settings(tmp_path_factory: pytest.TempPathFactory, lite_uri: str, seeds_settings: Settings, embedder) -> Settings:
    """The seeds in Milvus Lite; `seeds_settings` first, so the shared embedder's cache already holds their vectors."""
    settings = _settings(tmp_path_factory.mktemp("milvus-index"), lite_uri)
    IndexBuilder(settings, embedder=embedder).run([SEEDS], progress=False)
    return settings


def _faiss(seeds_settings: Settings) -> Settings:
    return replace(seeds_settings, vector_store=VectorStoreConfig(backend=None, milvus_uri=None))


class TestParity:
    def test_dev_set_same_quality_as_faiss(self, seeds_settings, milvus_settings, embedder):
        questions = load_set(DEV_SET)
        faiss = evaluate_set(questions, Searcher(_faiss(seeds_settings), embedder), k=10, variant="hybrid", progress=False).metrics
        lite = evaluate_set(questions, Searcher(milvus_settings, embedder), k=10, variant="hybrid", progress=False).metrics
        assert abs(faiss["hit@5"] - lite["hit@5"]) <= 0.02
        assert abs(faiss["ndcg@10"] - lite["ndcg@10"]) <= 0.02
        assert lite["citation_valid"] == 1.0

    @pytest.mark.parametrize("mode", ["dense", "bm25"])
    def test_each_retriever_ranks_like_faiss_and_bm25s(self, seeds_settings, milvus_settings, embedder, mode):
        faiss, lite = Searcher(_faiss(seeds_settings), embedder), Searcher(milvus_settings, embedder)
        for question in [q.question for q in load_set(DEV_SET)][:5]:
            expected = [(p.doc, p.start) for p in faiss.search(question, k=5, mode=mode).passages]
            assert [(p.doc, p.start) for p in lite.search(question, k=5, mode=mode).passages] == expected

    def test_answer_term_weights_come_from_milvus(self, seeds_settings, milvus_settings, embedder):
        terms = ["iraq", "troop", "kaspersky", "zzzunknown"]
        faiss = Searcher(_faiss(seeds_settings), embedder).vectors.document_frequencies(terms)
        assert Searcher(milvus_settings, embedder).vectors.document_frequencies(terms) == faiss


class TestFilters:
    @pytest.mark.parametrize(
        "filters",
        [
            Filters(source="natsec"),
            Filters(source="NATSEC daily", since="2024-01-01"),
            Filters(until="2024-03-01"),
            Filters(since="2024-02-08", until="2024-02-08"),
            Filters(doc="003_bec8731c7900498a.txt"),
            Filters(source='it\'s "quoted" \\ 100%'),
            Filters(doc='x" or doc != "'),
        ],
    )
    def test_same_chunks_as_sqlite(self, seeds_settings, milvus_settings, embedder, filters):
        faiss, lite = Searcher(_faiss(seeds_settings), embedder), Searcher(milvus_settings, embedder)
        vector = embedder.encode_query("troops and sanctions")
        assert set(lite.vectors.dense(vector, 1000, filters)) == set(faiss.vectors.dense(vector, 1000, filters))
        assert set(lite.vectors.lexical("troops sanctions", 1000, filters)) == set(faiss.vectors.lexical("troops sanctions", 1000, filters))

    def test_like_wildcards_in_user_text_are_literal(self):
        assert milvus.expression(Filters(source="a_b%")) == 'source_lc like "%a\\\\_b\\\\%%"'


class TestBuilds:
    def test_incremental_add_change_remove_and_alias(self, tmp_path: Path, corpus: Path, lite_uri: str, embedder):
        settings = _settings(tmp_path / "ix", lite_uri, alias="incremental")
        IndexBuilder(settings, embedder=embedder).run([corpus], progress=False)
        (corpus / "new.txt").write_text("Estonian officials reported drones crossing the border near Narva on Tuesday.\n")
        (corpus / "004_d1df9960fe393cbd.txt").unlink()
        unset = Settings(
            index_dir=settings.index_dir, vector_store=VectorStoreConfig(backend=None, milvus_uri=None, milvus_collection=None)
        )
        summary = IndexBuilder(unset, embedder=embedder).run([corpus], progress=False)  # keeps the live backend, URI and alias
        assert (summary.added, summary.removed) == (["new.txt"], ["004_d1df9960fe393cbd.txt"])
        searcher = Searcher(unset, embedder)
        assert "new.txt" in {p.doc for p in searcher.search("Estonian drones border", k=3).passages}
        assert not searcher.vectors.dense(embedder.encode_query("x"), 10, Filters(doc="004_d1df9960fe393cbd.txt"))
        assert searcher.vectors.size == summary.chunks
        client = milvus.client(lite_uri)
        ours = [name for name in client.list_collections() if name.startswith("incremental__")]
        assert ours == [searcher.manifest.vector_store["collection"]]  # the previous generation's collection was dropped
        assert client.describe_alias("incremental")["collection_name"] == ours[0]

    def test_interrupted_build_leaves_previous_collection_live(self, tmp_path: Path, corpus: Path, lite_uri: str, embedder, monkeypatch):
        settings = _settings(tmp_path / "ix", lite_uri, alias="interrupted")
        IndexBuilder(settings, embedder=embedder).run([corpus], progress=False)
        before = [(p.doc, p.start) for p in Searcher(settings, embedder).search("Kaspersky antivirus ban", k=3).passages]
        shutil.copy(corpus / "000_fa8900e209c8b72a.txt", corpus / "copy.txt")
        client = milvus.client(lite_uri)

        def crash(*args, **kwargs):
            raise KeyboardInterrupt

        monkeypatch.setattr(client, "flush", crash)
        with pytest.raises(KeyboardInterrupt):
            IndexBuilder(settings, embedder=embedder).run([corpus], progress=False)
        monkeypatch.undo()
        assert len([n for n in client.list_collections() if n.startswith("interrupted__")]) == 2  # the half-built one
        searcher = Searcher(settings, embedder)
        assert [(p.doc, p.start) for p in searcher.search("Kaspersky antivirus ban", k=3).passages] == before
        assert client.describe_alias("interrupted")["collection_name"] == searcher.manifest.vector_store["collection"]
        assert IndexBuilder(settings, embedder=embedder).run([corpus], progress=False).added == ["copy.txt"]
        assert len([n for n in client.list_collections() if n.startswith("interrupted__")]) == 1

    def test_switching_backends_rebuilds_from_the_cache(self, tmp_path: Path, corpus: Path, lite_uri: str, embedder):
        settings = Settings(index_dir=tmp_path / "ix")
        IndexBuilder(settings, embedder=embedder).run([corpus], progress=False)
        moved = IndexBuilder(_settings(tmp_path / "ix", lite_uri, alias="switched"), embedder=embedder).run([corpus], progress=False)
        assert moved.embedded == 0 and len(moved.unchanged) == 5
        assert vectorstore.live_info(settings.index_dir)["backend"] == "milvus"
        IndexBuilder(replace(settings, vector_store=VectorStoreConfig(backend="faiss")), embedder=embedder).run([corpus], progress=False)
        assert vectorstore.live_info(settings.index_dir) == {"backend": "faiss"}
        assert not [n for n in milvus.client(lite_uri).list_collections() if n.startswith("switched__")]


class TestErrors:
    def test_unreachable_server_is_one_line(self, tmp_path: Path, corpus: Path, capsys):
        code = main(
            ["index", str(corpus), "--index-dir", str(tmp_path / "ix"), "--backend", "milvus", "--milvus-uri", "http://127.0.0.1:9"]
        )
        last = capsys.readouterr().err.splitlines()[-1]
        assert code == 2 and last.startswith("sitroom: error: cannot reach Milvus at http://127.0.0.1:9: ")

    @pytest.mark.parametrize(
        ("uri", "says"),
        [("foo", "Milvus URI 'foo' is neither a Milvus Lite file"), ("/proc/no-such-dir/x.db", "cannot open the Milvus Lite file /proc/")],
    )
    def test_bad_uri_is_one_line(self, tmp_path: Path, corpus: Path, capsys, uri: str, says: str):
        code = main(["index", str(corpus), "--index-dir", str(tmp_path / "ix"), "--backend", "milvus", "--milvus-uri", uri])
        err = capsys.readouterr().err
        assert code == 2 and "Traceback" not in err and err.splitlines()[-1].startswith(f"sitroom: error: {says}")

    def test_first_build_prints_no_engine_tracebacks(self, tmp_path: Path, corpus: Path, capfd):
        uri = str(tmp_path / "first.db")
        try:
            code = main(["index", str(corpus), "--index-dir", str(tmp_path / "ix"), "--backend", "milvus", "--milvus-uri", uri])
        finally:
            milvus.disconnect(uri)
        err = capfd.readouterr().err
        assert code == 0 and "Traceback" not in err and "ERROR" not in err

    def test_missing_collection(self, tmp_path: Path, corpus: Path, lite_uri: str, embedder):
        settings = _settings(tmp_path / "ix", lite_uri, alias="dropped")
        IndexBuilder(settings, embedder=embedder).run([corpus], progress=False)
        client = milvus.client(lite_uri)
        client.drop_alias("dropped")
        client.drop_collection(vectorstore.live_info(settings.index_dir)["collection"])
        with pytest.raises(SitroomError, match=r"Milvus collection dropped__\w+ .* is missing at .*--rebuild"):
            Searcher(settings, embedder)

    def test_backend_flag_must_match_the_index(self, seeds_settings: Settings, capsys):
        code = main(["search", "troops", "--index-dir", str(seeds_settings.index_dir), "--backend", "milvus"])
        assert code == 2 and "keeps its vectors in faiss, not milvus" in capsys.readouterr().err
