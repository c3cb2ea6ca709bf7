"""Fault injection: builds killed at named points, damaged generation files, bad `current` links, a
corrupt embedding cache, a full disk and a read-only index directory.

Each case asserts what an operator sees: one clean line naming the damage (never a traceback), an
incremental build that refuses to build on damage, `--rebuild` that repairs it, nothing outside the
index directory touched and no generation left behind. Killed builds run in child processes forked
from one driver subprocess (`layout.fault_point` kills them with SIGKILL); every text they index is
in the embedding cache already, so no child loads the model.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import pytest

from index import integrity, layout
from index.builder import IndexBuilder
from index.embedding import Embedder, EmbeddingCache
from retrieval.searcher import Searcher
from sitroom.cli import main
from sitroom.config import Settings
from sitroom.errors import IndexDamaged, SitroomError

ROOT = Path(__file__).resolve().parents[3]
SEED = ROOT / "seeds" / "003_bec8731c7900498a.txt"
EXTRA = "Posted by Desk on Mar 1st 2024\n\nThe Estonian defense minister said drones will guard the eastern border from May.\n"
POINTS = ("embedded", "store-written", "vectors-written", "bm25-written", "manifest-written", "synced", "renamed", "linked", "swapped")
FILES = (
    "store.sqlite",
    "vectors.faiss",
    "manifest.json",
    "bm25/params.index.json",
    "bm25/vocab.index.json",
    "bm25/data.csc.index.npy",
    "bm25/indices.csc.index.npy",
    "bm25/indptr.csc.index.npy",
)

# Forks one child per job from a process that has imported the builder and loaded the tokenizer once.
# A child runs `sitroom.cli.main(argv)` with its output in files, under SITROOM_FAULT_POINT and an
# optional file-size limit (RLIMIT_FSIZE with SIGXFSZ ignored: writes fail with EFBIG, like a full disk).
DRIVER = """
import json, os, resource, signal, sys
from sitroom import cli
from index.embedding import Embedder, EmbeddingCache
Embedder().tokenizer
for job in json.loads(sys.argv[1]):
    pid = os.fork()
    if pid == 0:
        out = os.open(job["out"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
        os.dup2(out, 1)
        os.dup2(out, 2)
        if job.get("point"):
            os.environ["SITROOM_FAULT_POINT"] = job["point"]
        if job.get("fsize"):
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (job["fsize"], job["fsize"]))
        code = 1
        try:
            code = cli.main(job["argv"])
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
    job["code"] = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
    print(json.dumps(job), flush=True)
"""


def run_jobs(jobs: list[dict]) -> dict[str, dict]:
    """Run the jobs in forked children; each comes back with its exit code ("code", -9 when killed) and output ("output")."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]), "TOKENIZERS_PARALLELISM": "false"}
    env.pop(layout.FAULT_ENV, None)
    done = subprocess.run([sys.executable, "-c", DRIVER, json.dumps(jobs)], env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    results = [json.loads(line) for line in done.stdout.splitlines()]
    for job in results:
        job["output"] = Path(job["out"]).read_text()
    return {job["name"]: job for job in results}


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> dict[str, Path]:
    """An index of one seed whose embedding cache also holds a second corpus root (one short briefing)."""
    top = tmp_path_factory.mktemp("faults")
    corpus, extra = top / "corpus", top / "extra"
    corpus.mkdir()
    extra.mkdir()
    shutil.copy(SEED, corpus)
    (extra / "estonia.txt").write_text(EXTRA)
    settings = Settings(index_dir=top / "index")
    build(settings, embedder, corpus, extra)
    build(settings, embedder, corpus, rebuild=True)
    return {"index": settings.index_dir, "corpus": corpus, "extra": extra}


@pytest.fixture
def index(base: dict[str, Path], tmp_path: Path) -> Settings:
    """A private copy of the base index."""
    target = tmp_path / "index"
    shutil.copytree(base["index"], target, symlinks=True)
    return Settings(index_dir=target)


def with_cache(embedder: Embedder, index_dir: Path) -> Embedder:
    """The session's model with this index's own embedding cache (the session embedder has none)."""
    own = Embedder(embedder.config, EmbeddingCache(layout.cache_path(index_dir)))
    own.model, own.tokenizer = embedder.model, embedder.tokenizer  # cached properties: assigning skips loading
    return own


def build(settings: Settings, embedder: Embedder, *paths: Path, rebuild: bool = False):
    own = with_cache(embedder, settings.index_dir)
    try:
        return IndexBuilder(settings, embedder=own).run(list(paths), rebuild=rebuild, progress=False)
    finally:
        own.cache.close()


def assert_one_error_line(argv: list[str], capsys: pytest.CaptureFixture[str], *fragments: str) -> str:
    assert main(argv) == 2, argv
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("sitroom: error:"), (argv, err)
    for fragment in fragments:
        assert fragment in err[0], (fragment, err[0])
    return err[0]


def assert_clean(settings: Settings, embedder: Embedder, expect_docs: set[str]) -> None:
    """One generation, no leftovers, `check` healthy, and search serves exactly the expected documents."""
    index_dir = settings.index_dir
    assert len(list(layout.generations_dir(index_dir).iterdir())) == 1
    assert not list(index_dir.glob(".current-*"))
    report = integrity.check(index_dir)
    assert report.healthy and report.files >= 7 and not report.notes, report
    searcher = Searcher(settings, embedder=embedder)
    assert {row["doc_id"] for row in searcher.store.documents("doc_id")} == expect_docs
    assert searcher.search("Iraqi parliament coalition", k=3).passages


def damage(path: Path, how: str) -> None:
    data = path.read_bytes()
    if how == "empty":
        path.write_bytes(b"")
    elif how == "truncated":
        path.write_bytes(data[: len(data) // 2])
    elif how == "garbled":  # same size, head overwritten: headers, magic numbers, JSON syntax
        head = min(len(data), 256)
        path.write_bytes(bytes((b * 7 + 13) % 256 for b in range(head)) + data[head:])
    elif how == "bitflip":  # same size, one byte in the middle: only a checksum can see it
        middle = len(data) // 2
        path.write_bytes(data[:middle] + bytes([data[middle] ^ 0xFF]) + data[middle + 1 :])


@pytest.fixture(scope="module")
def children(base: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    """Builds adding the second root, each on its own copy of the base index, run by one driver: one killed
    at each fault point, and one ("full") whose writes fail past 32 KiB as on a full disk."""
    top = tmp_path_factory.mktemp("children")
    jobs = []
    for name, fault in [*((point, {"point": point}) for point in POINTS), ("full", {"fsize": 32 * 1024})]:
        index_dir = top / name
        shutil.copytree(base["index"], index_dir, symlinks=True)
        argv = ["index", str(base["corpus"]), str(base["extra"]), "--index-dir", str(index_dir)]
        jobs.append({"name": name, **fault, "argv": argv, "out": str(top / f"{name}.out"), "index_dir": str(index_dir)})
    return run_jobs(jobs)


class TestKilledBuilds:
    @pytest.mark.parametrize("point", POINTS)
    def test_previous_index_survives_and_next_build_removes_leftovers(self, children: dict, point: str, base: dict, embedder: Embedder):
        job = children[point]
        assert job["code"] == -9, f"the build never reached fault point {point!r}: {job['output']}"
        settings = Settings(index_dir=Path(job["index_dir"]))
        searcher = Searcher(settings, embedder=embedder)
        published = point == "swapped"
        assert bool(searcher.store.document("extra/estonia.txt") or searcher.store.document("estonia.txt")) == published
        if point in ("renamed", "linked", "swapped"):
            assert layout.leftovers(settings.index_dir), "a full generation was left behind"
            assert any("leftovers" in note for note in integrity.check(settings.index_dir).notes)
        summary = build(settings, embedder, base["corpus"], base["extra"])
        assert summary.embedded == 0 and summary.documents == 2
        assert_clean(settings, embedder, {"003_bec8731c7900498a.txt", "estonia.txt"})


class TestDamagedFiles:
    @pytest.mark.parametrize("how", ["empty", "truncated", "garbled", "bitflip"])
    @pytest.mark.parametrize("name", FILES)
    def test_damage_is_one_line_and_blocks_incremental_builds(
        self, index: Settings, base: dict, embedder: Embedder, capsys: pytest.CaptureFixture[str], name: str, how: str
    ):
        generation = layout.current(index.index_dir)
        damage(generation / name, how)
        index_arg = ["--index-dir", str(index.index_dir)]
        if how != "bitflip" or name == "manifest.json":  # sizes, load errors and the manifest's own checksum catch these on open
            with pytest.raises(IndexDamaged, match=name.split("/")[-1]):
                Searcher(index, embedder=embedder)
            assert_one_error_line(["search", "Iraq troops", *index_arg], capsys, "damaged index", name.split("/")[-1], "--rebuild")
        else:  # a flipped byte the loaders may accept: opening either works or says what is damaged
            with suppress(IndexDamaged):
                Searcher(index, embedder=embedder)
        report = integrity.check(index.index_dir)
        assert not report.healthy and any(name.split("/")[-1] in line for line in report.damage), report
        assert main(["check", *index_arg, "--json"]) == 2
        assert json.loads(capsys.readouterr().out)["healthy"] is False
        with pytest.raises(IndexDamaged, match="--rebuild"):
            build(index, embedder, base["corpus"])
        assert generation.exists() and layout.current(index.index_dir) == generation, "a refused build changes nothing"

    @pytest.mark.parametrize("name", ["store.sqlite", "manifest.json", "bm25/data.csc.index.npy"])
    def test_rebuild_repairs(self, index: Settings, base: dict, embedder: Embedder, name: str):
        damage(layout.current(index.index_dir) / name, "garbled")
        summary = build(index, embedder, base["corpus"], rebuild=True)
        assert summary.embedded == 0
        assert_clean(index, embedder, {"003_bec8731c7900498a.txt"})

    def test_check_reports_a_healthy_index(self, index: Settings, capsys: pytest.CaptureFixture[str]):
        assert main(["check", "--index-dir", str(index.index_dir)]) == 0
        assert "is healthy: 7 files" in capsys.readouterr().out


class TestCurrentLink:
    """`current` must be a link to a generation of this index; anything else is damage that `--rebuild` repairs."""

    def break_link(self, settings: Settings, how: str, other: Path) -> None:
        link = settings.index_dir / "current"
        live = layout.current(settings.index_dir)
        link.unlink()
        if how == "self":
            link.symlink_to("current")
        elif how == "outside":  # into another index: its live generation must survive our rebuild
            link.symlink_to(layout.current(other))
        elif how == "directory":
            shutil.copytree(live, link)
        elif how == "dangling":
            link.symlink_to("generations/gen-gone")

    @pytest.mark.parametrize("how", ["self", "outside", "directory", "dangling"])
    def test_refused_then_repaired_without_touching_other_indexes(
        self, index: Settings, base: dict, embedder: Embedder, tmp_path: Path, capsys: pytest.CaptureFixture[str], how: str
    ):
        other = tmp_path / "other-index"
        shutil.copytree(base["index"], other, symlinks=True)
        other_live = layout.current(other)
        before = {p.relative_to(other): p.stat().st_size for p in other.rglob("*") if p.is_file()}
        self.break_link(index, how, other)
        with pytest.raises(IndexDamaged, match="current"):
            Searcher(index, embedder=embedder)
        assert_one_error_line(["search", "troops", "--index-dir", str(index.index_dir)], capsys, "damaged index", "current")
        with pytest.raises(IndexDamaged):
            build(index, embedder, base["corpus"])
        assert not integrity.check(index.index_dir).healthy
        build(index, embedder, base["corpus"], rebuild=True)
        assert_clean(index, embedder, {"003_bec8731c7900498a.txt"})
        assert {p.relative_to(other): p.stat().st_size for p in other.rglob("*") if p.is_file()} == before
        assert layout.current(other) == other_live and integrity.check(other).healthy

    def test_leftover_link_inside_generations_is_removed_not_followed(
        self, index: Settings, base: dict, embedder: Embedder, tmp_path: Path
    ):
        victim = tmp_path / "victim"
        victim.mkdir()
        (victim / "keep.txt").write_text("not the index's")
        (layout.generations_dir(index.index_dir) / "gen-evil").symlink_to(victim)
        build(index, embedder, base["corpus"])
        assert not (layout.generations_dir(index.index_dir) / "gen-evil").exists()
        assert (victim / "keep.txt").read_text() == "not the index's"


class TestEmbeddingCache:
    def test_wrong_length_vectors_are_dropped_and_recomputed(self, index: Settings, base: dict, embedder: Embedder):
        cache = layout.cache_path(index.index_dir)
        with sqlite3.connect(cache) as db:
            db.execute("UPDATE vectors SET vec = substr(vec, 1, 100) WHERE rowid IN (SELECT rowid FROM vectors LIMIT 2)")
        assert any("wrong length" in line for line in integrity.check(index.index_dir).damage)
        summary = build(index, embedder, base["corpus"], base["extra"], rebuild=True)
        assert summary.embedded == 2
        assert_clean(index, embedder, {"003_bec8731c7900498a.txt", "estonia.txt"})

    def test_garbled_cache_file_is_recreated(self, index: Settings, base: dict, embedder: Embedder):
        damage(layout.cache_path(index.index_dir), "garbled")
        assert any("cannot be read" in line for line in integrity.check(index.index_dir).damage)
        summary = build(index, embedder, base["extra"], rebuild=True)  # one short briefing: little to embed again
        assert summary.embedded == summary.chunks >= 1
        assert_clean_docs = {row["doc_id"] for row in Searcher(index, embedder=embedder).store.documents("doc_id")}
        assert assert_clean_docs == {"estonia.txt"} and integrity.check(index.index_dir).healthy


@contextmanager
def read_only(path: Path) -> Iterator[None]:
    """`path` read-only: by permissions, or for root (who ignores them) by a read-only bind mount; else the test skips."""
    if os.geteuid() != 0:
        modes = {p: p.stat().st_mode for p in [path, *path.rglob("*")] if not p.is_symlink()}
        for p in modes:
            p.chmod(modes[p] & ~0o222)
        try:
            yield
        finally:
            for p, mode in modes.items():
                p.chmod(mode)
        return
    mounted = subprocess.run(["mount", "--bind", str(path), str(path)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip("cannot make a read-only directory as root without mount")
    try:
        if subprocess.run(["mount", "-o", "remount,bind,ro", str(path)], capture_output=True).returncode != 0:
            pytest.skip("cannot remount read-only")
        yield
    finally:
        subprocess.run(["umount", "--lazy", str(path)], check=True)  # lazy: a test's open index may still map its files


class TestEnvironmentFaults:
    def test_disk_full_is_one_line_and_leaves_the_old_index(self, children: dict, base: dict):
        job = children["full"]
        index_dir, before = Path(job["index_dir"]), layout.current(base["index"]).name
        lines = job["output"].strip().splitlines()
        assert job["code"] == 2 and "Traceback" not in job["output"], job["output"]
        assert lines[-1].startswith("sitroom: error: cannot write the index") and "previous index is unchanged" in lines[-1]
        assert layout.current(index_dir).name == before and integrity.check(index_dir).healthy
        assert [p.name for p in layout.generations_dir(index_dir).iterdir()] == [before], "no partial generation left"

    def test_read_only_index_dir(self, index: Settings, base: dict, embedder: Embedder, capsys: pytest.CaptureFixture[str]):
        before = sorted(str(p) for p in index.index_dir.rglob("*"))
        with read_only(index.index_dir):
            argv = ["index", str(base["corpus"]), str(base["extra"]), "--index-dir", str(index.index_dir)]
            assert_one_error_line(argv, capsys, "cannot write the index", "previous index is unchanged")
            assert Searcher(index, embedder=embedder).search("Iraqi parliament coalition").passages  # reading still works
        assert sorted(str(p) for p in index.index_dir.rglob("*")) == before
        assert integrity.check(index.index_dir).healthy

    def test_write_faults_are_not_mistaken_for_damage(self, index: Settings, base: dict, embedder: Embedder, monkeypatch):
        def full(*args, **kwargs):
            raise OSError(28, "No space left on device")

        monkeypatch.setattr(layout, "sync_tree", full)
        with pytest.raises(SitroomError, match=r"No space left on device.*previous index is unchanged"):
            build(index, embedder, base["corpus"], base["extra"])
        assert [p.name for p in layout.generations_dir(index.index_dir).iterdir()] == [layout.current(index.index_dir).name]
