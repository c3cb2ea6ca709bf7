"""`sitroom bench`: ingestion speed (fp32 vs int8), query latency by corpus size, and sitroom vs the usual alternatives.

Every figure is measured on this machine in one run and every ratio compares figures from that run.
Each measurement that reports memory runs in a fresh process of its own, so its peak RSS is its own.
Everything is built in a new folder (inside `--index-dir` if given) and removed afterwards unless `--keep`.

Corpora: the seeds plus U.S. government releases (the shared usgov-natsec corpus, or `--corpus`),
shuffled with a fixed seed. Tiers up to `REAL_MAX` passages hold real text and real embeddings
(computed once per machine and kept in the bench's embedding cache). Larger tiers, where embedding
the text would take hours here, get synthetic vectors — sums of two real embeddings plus Gaussian
noise, unit length, same dimension — labelled `synthetic`, while SQLite and BM25 hold real text
recombined from the same two real passages' sentences, so the store, BM25 and ANN costs are real.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import math
import os
import platform
import random
import resource
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timezone
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import numpy as np
from tqdm import tqdm

from sitroom.config import Settings
from sitroom.errors import SitroomError

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
DEV_SET = ROOT / "eval" / "sets" / "seeds_dev.jsonl"
SHARED_CORPUS = ROOT.parent / "shared" / "corpora" / "usgov-natsec" / "docs"
CORPUS_ENV = "SITROOM_BENCH_CORPUS"

REAL_MAX = 10_000  # above this many passages embedding the text would take too long here: synthetic vectors
DEFAULT_SIZES = (1_000, 10_000, 100_000, 1_000_000)
QUICK_SIZES = (1_000, 100_000)
FP32, INT8 = "torch", "onnx-int8"
SYNTHETIC_NOISE = 0.35  # σ of the per-dimension noise, relative to a unit vector
DOCS_PER_SYNTHETIC = 50  # synthetic passages per synthetic document


# Per question id, the ranked top 10 as each passage's (doc, start, end) spans.
Ranked = dict[str, list[tuple[tuple[str, int, int], ...]]]


@dataclass(frozen=True)
class Plan:
    sizes: tuple[int, ...]
    runs: int  # ingestion runs per backend and passes over the queries, for medians
    queries: int
    ingest_chunks: int  # distractor passages added to the seeds for the ingestion runs
    compare_chunks: int  # corpus size of the three-way comparison
    corpus: Path | None
    questions: Path  # eval set whose questions are ranked for the quality columns and lead the query list
    work: Path
    settings: Settings
    chroma: bool


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--sizes", help=f"comma-separated passage counts for the query tiers (default {','.join(map(str, DEFAULT_SIZES))})")
    parser.add_argument(
        "--quick", action="store_true", help=f"one run, fewer queries, sizes {','.join(map(str, QUICK_SIZES))} unless --sizes"
    )
    parser.add_argument("--runs", type=int, help="ingestion runs per backend and passes over the queries (default 3, quick 1)")
    parser.add_argument("--queries", type=int, help="queries per tier (default 100, quick 20)")
    parser.add_argument(
        "--corpus", type=Path, help=f"folder of real documents for the distractor text (default ${CORPUS_ENV} or {SHARED_CORPUS})"
    )
    parser.add_argument(
        "--questions",
        type=Path,
        default=DEV_SET,
        metavar="SET.jsonl",
        help="eval set behind the quality columns (default the seeds' dev set)",
    )
    parser.add_argument("--no-chroma", action="store_true", help="leave Chroma out of the comparison")
    parser.add_argument("--keep", action="store_true", help="keep the bench's indexes (a new folder inside --index-dir or the temp dir)")


def _plan(args: argparse.Namespace, settings: Settings) -> Plan:
    try:
        sizes = tuple(int(s) for s in args.sizes.split(",")) if args.sizes else QUICK_SIZES if args.quick else DEFAULT_SIZES
    except ValueError as exc:
        raise SitroomError(f"--sizes {args.sizes!r} is not a comma-separated list of numbers") from exc
    if not sizes or min(sizes) < 10:
        raise SitroomError("--sizes needs passage counts of at least 10")
    corpus = args.corpus or (
        Path(os.environ[CORPUS_ENV]) if os.environ.get(CORPUS_ENV) else SHARED_CORPUS if SHARED_CORPUS.is_dir() else None
    )
    if corpus is not None and not corpus.is_dir():
        raise SitroomError(f"--corpus {corpus} is not a folder")
    if not args.questions.is_file():
        raise SitroomError(f"--questions {args.questions} is not a file")
    runs = args.runs or (1 if args.quick else 3)
    queries = args.queries or (20 if args.quick else 100)
    if runs < 1 or queries < 1:
        raise SitroomError("--runs and --queries must be at least 1")
    if args.index_dir:
        Path(args.index_dir).mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="sitroom-bench-", dir=args.index_dir))  # never the user's own index
    return Plan(
        sizes=tuple(sorted(set(sizes))), runs=runs, queries=queries, ingest_chunks=100 if args.quick else 200,
        compare_chunks=min(1_000, max(sizes)), corpus=corpus, questions=args.questions, work=work, settings=settings,
        chroma=not args.no_chroma,
    )  # fmt: skip


def run(args: argparse.Namespace, settings: Settings) -> int:
    plan = _plan(args, settings)
    try:
        result = Bench(plan).run()
    finally:
        if not args.keep:
            shutil.rmtree(plan.work, ignore_errors=True)
    if args.json:
        sys.stdout.write(json.dumps(result, indent=2) + "\n")
    else:
        print(table(result))
    return 0


# ---------------------------------------------------------------------------------------------
# Measurements that run in their own process (peak RSS is then the measurement's own).


def _isolated(fn: Callable[..., dict[str, Any]], *args: Any) -> dict[str, Any]:
    """Runs `fn` in a fresh process forked from a server that has already imported sentence-transformers.

    Every measured process needs those imports (a real sitroom process has them too), and paying for
    them once instead of in every child keeps a run short. The forkserver is not this process, so a
    child's RSS never includes the bench's own data.
    """
    context = get_context("forkserver")
    context.set_forkserver_preload(["eval.bench", "sentence_transformers"])
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        return pool.submit(fn, *args).result()


def _peak_rss_mb() -> float:
    """This process's peak RSS. VmHWM, not ru_maxrss: Linux carries ru_maxrss across exec, so a spawned
    child would report at least its parent's size."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)  # KiB on Linux


def _quiet() -> None:
    """Children log only warnings, like the CLI, and never reach for a model hub."""
    for name, value in (("TOKENIZERS_PARALLELISM", "false"), ("TRANSFORMERS_VERBOSITY", "error"), ("HF_HUB_DISABLE_PROGRESS_BARS", "1")):
        os.environ.setdefault(name, value)
    logging.basicConfig(level=logging.WARNING)
    for noisy in ("sentence_transformers", "transformers", "huggingface_hub", "bm25s", "chromadb"):
        logging.getLogger(noisy).setLevel(logging.ERROR)


def _ingest_child(settings: Settings, paths: list[str], questions: str) -> dict[str, Any]:
    """A from-scratch build with the model already loaded; its vectors and dev-set rankings for the quality figures."""
    _quiet()
    from index import layout, vectors
    from index.builder import IndexBuilder
    from index.embedding import Embedder, EmbeddingCache
    from index.store import Store
    from retrieval.searcher import Searcher

    embedder = Embedder(settings.embedding, EmbeddingCache(layout.cache_path(settings.index_dir)))
    model = embedder.model  # loaded (and for int8, exported) outside the timed region
    encode, embed_s = model.encode, []

    def timed(*args: Any, **kwargs: Any) -> np.ndarray:  # the model's share of the build
        started = time.perf_counter()
        out = encode(*args, **kwargs)
        embed_s.append(time.perf_counter() - started)
        return out

    model.encode = timed
    summary = IndexBuilder(settings, embedder).run([Path(p) for p in paths], progress=False)
    model.encode, embed_s = encode, sum(embed_s)
    live = layout.current(settings.index_dir)
    store = Store(live / layout.STORE, readonly=True)
    texts = [row[0] for row in store.db.execute("SELECT embed FROM chunks ORDER BY id")]
    store.close()
    tokens = sum(embedder.count_tokens(t) for t in texts)
    index = vectors.load(live / layout.VECTORS)
    ranked = _sitroom_ranked(Searcher(settings, embedder), questions)
    return {
        "chunks": summary.chunks, "documents": summary.documents, "seconds": summary.seconds, "embed_s": embed_s, "tokens": tokens,
        "rss_mb": _peak_rss_mb(), "vectors": index.reconstruct_n(0, index.ntotal), "ranked": ranked,
    }  # fmt: skip


def _query_child(settings: Settings, queries: list[str], runs: int) -> dict[str, Any]:
    """Warm latency of `search` and `ask` (model loaded); index load time; the query vectors for recall."""
    _quiet()
    from eval.runner import warm_up
    from retrieval.answer import AnswerComposer
    from retrieval.searcher import Searcher

    started = time.perf_counter()
    Searcher(settings)
    first_s = time.perf_counter() - started
    started = time.perf_counter()  # again, now that the files are in the OS cache: what every later process sees
    searcher = Searcher(settings)
    load_s = time.perf_counter() - started
    composer = AnswerComposer(searcher)
    warm_up(searcher)  # models loaded, the store paged in, as in a server or eval
    composer.run("What was said about sanctions?")  # and the lazy imports
    search_ms: list[float] = []
    parts: dict[str, list[float]] = {}
    for _ in range(runs):
        for query in queries:
            t = time.perf_counter()
            result = searcher.search(query)
            search_ms.append((time.perf_counter() - t) * 1000)
            for part in ("encode", "dense", "bm25"):
                parts.setdefault(part, []).append(result.timing_ms.get(part, 0.0))
    parts_ms = {f"{part}_{q}": _pct(values, q) for part, values in parts.items() for q in (50, 95)}
    ask_ms: list[float] = []
    for query in queries:
        t = time.perf_counter()
        composer.run(query)
        ask_ms.append((time.perf_counter() - t) * 1000)
    query_vectors = np.stack([searcher.embedder.encode_query(q) for q in queries])
    return {
        "load_s": load_s, "first_load_s": first_s, "search_ms": search_ms, "parts": parts_ms, "ask_ms": ask_ms,
        "rss_mb": _peak_rss_mb(), "query_vectors": query_vectors,
    }  # fmt: skip


def _sitroom_child(settings: Settings, paths: list[str], queries: list[str], runs: int, questions: str) -> dict[str, Any]:
    _quiet()
    from index import layout
    from index.builder import IndexBuilder
    from index.embedding import Embedder, EmbeddingCache
    from retrieval.searcher import Searcher

    embedder = Embedder(settings.embedding, EmbeddingCache(layout.cache_path(settings.index_dir)))
    embedder.model  # noqa: B018 - every system loads its model outside the timed region
    summary = IndexBuilder(settings, embedder).run([Path(p) for p in paths], progress=False)
    searcher = Searcher(settings, embedder)
    latency = _latencies(lambda q: searcher.search(q), queries, runs)
    ranked = _sitroom_ranked(searcher, questions)
    return {"ingest_s": summary.seconds, "chunks": summary.chunks, **latency, "ranked": ranked, "rss_mb": _peak_rss_mb()}


def _plain_child(settings: Settings, store_path: Path, queries: list[str], runs: int, questions: str) -> dict[str, Any]:
    """The script a user would write: encode every chunk, IndexFlatIP, encode the query, search. No cache, no BM25."""
    _quiet()
    import faiss

    from index.embedding import Embedder

    texts, spans = _chunks(store_path)
    model = Embedder(settings.embedding).model
    started = time.perf_counter()
    embeddings = model.encode(texts, batch_size=settings.embedding.batch_size, normalize_embeddings=True, convert_to_numpy=True)
    index = faiss.IndexFlatIP(embeddings.shape[1])
    index.add(embeddings)
    ingest_s = time.perf_counter() - started

    def top10(query: str) -> list[int]:
        vector = model.encode([query], normalize_embeddings=True, convert_to_numpy=True)
        return [int(i) for i in index.search(vector, 10)[1][0] if i >= 0]

    latency = _latencies(top10, queries, runs)
    ranked = {q.id: [spans[i] for i in top10(q.question)] for q in _questions(questions)}
    return {"ingest_s": ingest_s, **latency, "ranked": ranked, "rss_mb": _peak_rss_mb()}


def _chroma_child(settings: Settings, store_path: Path, queries: list[str], runs: int, questions: str, folder: str) -> dict[str, Any]:
    """Chroma embedded (PersistentClient), fed embeddings from the same model as the others, computed the plain way."""
    _quiet()
    import chromadb

    from index.embedding import Embedder

    texts, spans = _chunks(store_path)
    model = Embedder(settings.embedding).model
    client = chromadb.PersistentClient(path=folder, settings=chromadb.config.Settings(anonymized_telemetry=False))
    started = time.perf_counter()
    embeddings = model.encode(texts, batch_size=settings.embedding.batch_size, normalize_embeddings=True, convert_to_numpy=True)
    collection = client.create_collection("bench", embedding_function=None, configuration={"hnsw": {"space": "ip"}})
    step = client.get_max_batch_size()
    for i in range(0, len(embeddings), step):
        collection.add(ids=[str(j) for j in range(i, min(i + step, len(embeddings)))], embeddings=embeddings[i : i + step])
    ingest_s = time.perf_counter() - started

    def top10(query: str) -> list[int]:
        vector = model.encode([query], normalize_embeddings=True, convert_to_numpy=True)
        return [int(i) for i in collection.query(query_embeddings=vector, n_results=10, include=[])["ids"][0]]

    latency = _latencies(top10, queries, runs)
    ranked = {q.id: [spans[i] for i in top10(q.question)] for q in _questions(questions)}
    return {"ingest_s": ingest_s, **latency, "ranked": ranked, "rss_mb": _peak_rss_mb()}


def _backend_child(
    settings: Settings, source: str, target: str, backend: str, queries: list[str], runs: int, questions: str
) -> dict[str, Any]:
    """One tier's chunks and vectors written to `backend` from scratch (ingest = the vector store's own write), then searched."""
    _quiet()
    from index import integrity, layout, vectors, vectorstore
    from index.manifest import Manifest
    from index.store import Store, StoredDocument
    from retrieval.searcher import Searcher

    live = layout.current(Path(source))
    store = Store(live / layout.STORE, readonly=True)
    documents = [StoredDocument(**dict(row)) for row in store.documents()]
    stored = store.chunks(range(store.count("chunks")))
    chunks = [stored[i] for i in sorted(stored)]
    store.close()
    data = vectors.load(live / layout.VECTORS, mmap=False).reconstruct_n(0, len(chunks))
    config = replace(settings.vector_store, backend=backend, milvus_uri=None)
    settings = replace(settings, index_dir=Path(target), vector_store=config)
    building = layout.new_generation(settings.index_dir)
    shutil.copy(live / layout.STORE, building / layout.STORE)
    started = time.perf_counter()
    located = vectorstore.write(settings, backend, building, chunks, documents, data, None)
    ingest_s = time.perf_counter() - started
    replace(Manifest.read(live), vector_store=located, files=integrity.file_records(building)).write(building)
    layout.publish(settings.index_dir, building)
    vectorstore.retire(settings, None, located)
    del stored, chunks, data
    searcher = Searcher(settings)
    latency = _latencies(lambda q: searcher.search(q), queries, runs)
    ranked = _sitroom_ranked(searcher, questions)
    return {"ingest_s": ingest_s, **latency, "ranked": ranked, "rss_mb": _peak_rss_mb()}


def _latencies(fn: Callable[[str], object], queries: list[str], runs: int) -> dict[str, float]:
    fn(queries[0])  # warm-up
    times: list[float] = []
    for _ in range(runs):
        for query in queries:
            t = time.perf_counter()
            fn(query)
            times.append((time.perf_counter() - t) * 1000)
    return {"search_p50_ms": _pct(times, 50), "search_p95_ms": _pct(times, 95)}


def _chunks(store_path: Path) -> tuple[list[str], list[tuple[tuple[str, int, int], ...]]]:
    """Embedded text and (doc, start, end) span of every chunk, in id order: the corpus every system indexes."""
    import sqlite3

    db = sqlite3.connect(f"file:{store_path}?mode=ro", uri=True)
    rows = db.execute("SELECT embed, doc_id, start, end FROM chunks ORDER BY id").fetchall()
    db.close()
    return [r[0] for r in rows], [((r[1], r[2], r[3]),) for r in rows]


def _questions(path: str) -> list:
    from eval.sets import load_set

    return load_set(Path(path))


def _sitroom_ranked(searcher: Any, questions: str) -> Ranked:
    """sitroom's top 10 (hybrid) per dev question; near-duplicates collapsed into a passage count as it."""
    return {
        q.id: [((p.doc, p.start, p.end), *((r.doc, r.start, r.end) for r in p.also_in)) for p in searcher.search(q.question, k=10).passages]
        for q in _questions(questions)
    }


def _quality(ranked: Ranked, questions: str, store_path: Path) -> dict[str, float]:
    """Hit@5 and nDCG@10 by the eval command's relevance rule and metrics, for any system's ranked chunk spans.

    Scored here rather than in the measured processes, which then never import ranx.
    """
    from eval import metrics
    from eval.relevance import span_covers
    from index.store import Store

    store = Store(store_path, readonly=True)
    answerable = [q for q in _questions(questions) if not q.unanswerable]
    texts = {doc: stored.cleaned for doc in {e.doc for q in answerable for e in q.evidence} if (stored := store.document(doc))}
    store.close()
    first_ranks = {
        q.id: [
            next((rank for rank, spans in enumerate(ranked[q.id], 1) if any(span_covers(*s, e, texts[e.doc]) for s in spans)), None)
            if e.doc in texts
            else None
            for e in q.evidence
        ]
        for q in answerable
    }
    scores = metrics.ranking_metrics(first_ranks, {q.id: len(ranked[q.id]) for q in answerable})
    return {name: round(float(np.mean([scores[q.id][name] for q in answerable])), 4) for name in ("hit@5", "ndcg@10")}


def _pct(values: Sequence[float], q: float) -> float:
    return round(float(np.percentile(values, q)), 2) if len(values) else 0.0


# ---------------------------------------------------------------------------------------------
# The bench.


class Bench:
    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        store = plan.settings.vector_store
        self.milvus = store.backend == "milvus"  # --backend milvus adds Milvus Lite beside FAISS; every other index is FAISS
        self.settings = replace(plan.settings, vector_store=replace(store, backend="faiss"))
        self.docs = _shuffled_docs(plan.corpus)
        self.questions = str(plan.questions)
        self.reindex: dict[str, float] = {}
        self.seeds_chunks = 0
        steps = 2 + len(plan.sizes) * (2 if self.milvus else 1)
        self.progress = tqdm(total=steps, desc="bench", unit="step", file=sys.stderr)

    def run(self) -> dict[str, Any]:
        load_before = os.getloadavg()[0]
        ingest, chunks_per_doc = self._ingest()
        tiers = self._tiers(chunks_per_doc)
        ingest |= self.reindex
        queries = self._queries()
        query = [self._measure_tier(tier, queries) for tier in tiers]
        backends = self._backends(tiers, queries) if self.milvus else []
        comparison = self._comparison(queries, chunks_per_doc)
        self.progress.close()
        out = {"machine": _machine(load_before), "ingest": ingest, "query": query, "comparison": comparison}
        return out | ({"backends": backends} if backends else {})

    def _step(self, what: str) -> None:
        self.progress.set_postfix_str(what)
        self.progress.update(1)

    def _settings(self, index_dir: Path, backend: str | None = None) -> Settings:
        settings = replace(self.settings, index_dir=index_dir)
        return settings if backend is None else replace(settings, embedding=replace(settings.embedding, backend=backend))

    def _distractors(self, name: str, n_docs: int) -> Path:
        """A folder of links to the first `n_docs` shuffled corpus documents (ids stay their file names)."""
        folder = self.plan.work / "corpora" / name
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        for doc in self.docs[:n_docs]:
            (folder / doc.name).symlink_to(doc)
        return folder

    # ingestion ---------------------------------------------------------------------------------

    def _ingest(self) -> tuple[dict[str, Any], float]:
        """fp32 and int8 from scratch, alternating so load from other jobs hits both alike; medians of `runs`."""
        per_doc = 14.0  # typical chunks per corpus document; refined below
        n_docs = min(len(self.docs), math.ceil(self.plan.ingest_chunks / per_doc))
        paths = [str(SEEDS), *([str(self._distractors("ingest", n_docs))] if n_docs else [])]
        runs: dict[str, list[dict[str, Any]]] = {FP32: [], INT8: []}
        for r in range(self.plan.runs):
            for backend in (FP32, INT8):
                folder = self.plan.work / "ingest" / f"{backend}-{r}"
                shutil.rmtree(folder, ignore_errors=True)
                runs[backend].append(_isolated(_ingest_child, self._settings(folder, backend), paths, self.questions))
        self._step("ingestion")
        from index import layout

        quality = {
            b: _quality(runs[b][0]["ranked"], self.questions, layout.current(self.plan.work / "ingest" / f"{b}-0") / layout.STORE)
            for b in (FP32, INT8)
        }
        fp32, int8 = (_median_run(runs[b]) for b in (FP32, INT8))
        a, b = runs[FP32][0]["vectors"], runs[INT8][0]["vectors"]
        cosine = (a * b).sum(axis=1)
        self.seeds_chunks = self._seeds_chunks()
        if n_docs:
            per_doc = (fp32["chunks"] - self.seeds_chunks) / n_docs
        ingest = {
            "fp32_chunks_per_s": round(fp32["chunks"] / fp32["seconds"], 2),
            "int8_chunks_per_s": round(int8["chunks"] / int8["seconds"], 2),
            "int8_speedup": round(fp32["seconds"] / int8["seconds"], 2),
            "fp32_embed_chunks_per_s": round(fp32["chunks"] / fp32["embed_s"], 2),
            "int8_embed_chunks_per_s": round(int8["chunks"] / int8["embed_s"], 2),
            "int8_embed_speedup": round(fp32["embed_s"] / int8["embed_s"], 2),
            "rss_mb": max(r["rss_mb"] for rs in runs.values() for r in rs),
            "chunks": fp32["chunks"],
            "documents": fp32["documents"],
            "fp32_tokens_per_s": round(fp32["tokens"] / fp32["seconds"], 1),
            "int8_tokens_per_s": round(int8["tokens"] / int8["seconds"], 1),
            "fp32_rss_mb": max(r["rss_mb"] for r in runs[FP32]),
            "int8_rss_mb": max(r["rss_mb"] for r in runs[INT8]),
            "int8_cosine_min": round(float(cosine.min()), 4),
            "int8_cosine_mean": round(float(cosine.mean()), 4),
            "fp32_hit@5": quality[FP32]["hit@5"], "int8_hit@5": quality[INT8]["hit@5"],
            "fp32_ndcg@10": quality[FP32]["ndcg@10"], "int8_ndcg@10": quality[INT8]["ndcg@10"],
            "runs": self.plan.runs,
        }  # fmt: skip
        return ingest, per_doc

    def _seeds_chunks(self) -> int:
        """Passages the seeds contribute to every corpus, to size the distractor share."""
        from index import layout
        from index.store import Store

        live = layout.current(self.plan.work / "ingest" / f"{FP32}-0")
        store = Store(live / layout.STORE, readonly=True)
        seeds = {p.name for p in SEEDS.glob("*") if p.is_file()}
        n = sum(row["n_chunks"] for row in store.documents("doc_id, n_chunks") if row["doc_id"] in seeds)
        store.close()
        return n

    # tiers ---------------------------------------------------------------------------------------

    def _tiers(self, per_doc: float) -> list[Tier]:
        """Real tiers while the corpus has the text (up to `REAL_MAX`); larger ones synthetic, recombined from the largest real tier."""
        real_sizes = [s for s in self.plan.sizes if s <= REAL_MAX]
        base = self._real_tier(max(real_sizes, default=REAL_MAX), per_doc, None)
        order = self._doc_chunks(base.path)
        tiers: list[Tier] = []
        for size in self.plan.sizes:
            if size > base.passages:
                tiers.append(self._synthetic_tier(size, base))
            elif size == max(real_sizes):
                tiers.append(base)
            else:
                tiers.append(self._real_tier(size, per_doc, order))
        return tiers

    def _real_tier(self, size: int, per_doc: float, doc_chunks: list[int] | None) -> Tier:
        """Seeds plus as many corpus documents as make about `size` passages, embedded with the configured backend.

        Embeddings go through the bench's own persistent cache, so real text is embedded once per machine.
        """
        from index.builder import IndexBuilder
        from index.embedding import Embedder, EmbeddingCache
        from index.quantized import cache_root

        settings = self._settings(self.plan.work / "tiers" / f"real-{size}")
        embedder = Embedder(settings.embedding, EmbeddingCache(cache_root() / "bench" / "embeddings.sqlite"))
        builder = IndexBuilder(settings, embedder)
        if doc_chunks is not None:
            n_docs = next((n for n in range(len(doc_chunks) + 1) if self.seeds_chunks + sum(doc_chunks[:n]) >= size), len(doc_chunks))
        else:
            n_docs = min(len(self.docs), math.ceil(max(0, size - self.seeds_chunks) / per_doc))
        for _ in range(5):  # grow until the estimate reaches `size`
            paths = [SEEDS, self._distractors(f"real-{size}", n_docs)]
            summary = builder.run(paths, progress=True)
            if summary.chunks >= size or n_docs >= len(self.docs) or doc_chunks is not None:
                break
            n_docs = min(len(self.docs), n_docs + math.ceil((size - summary.chunks) / per_doc * 1.1))
        if doc_chunks is None:  # the largest real tier: also time re-indexing it unchanged
            self.reindex = {"reindex_unchanged_s": builder.run(paths, progress=False).seconds, "reindex_passages": summary.chunks}
        embedder.cache.close()
        return Tier(settings.index_dir, summary.chunks, synthetic=False)

    def _doc_chunks(self, index_dir: Path) -> list[int]:
        """Chunks per corpus document in shuffled order, from the largest real tier, to size the smaller ones."""
        from index import layout
        from index.store import Store

        store = Store(layout.current(index_dir) / layout.STORE, readonly=True)
        counts = {row["doc_id"]: row["n_chunks"] for row in store.documents("doc_id, n_chunks")}
        store.close()
        return [counts[doc.name] for doc in self.docs if doc.name in counts]

    def _synthetic_tier(self, size: int, base: Tier) -> Tier:
        """`size` passages recombined from the base tier: text from two real passages' sentences, vector from their embeddings."""
        from index import layout, lexical, vectors
        from index.chunking import Chunk, embed_text
        from index.manifest import Manifest
        from index.store import Store, StoredChunk, StoredDocument

        started = time.perf_counter()
        base_live = layout.current(base.path)
        store = Store(base_live / layout.STORE, readonly=True)
        rows = store.db.execute(
            "SELECT c.text, c.sentences, d.title FROM chunks c JOIN documents d ON d.doc_id = c.doc_id ORDER BY c.id"
        ).fetchall()
        store.close()
        real = vectors.load(base_live / layout.VECTORS, mmap=False)
        real_vectors = real.reconstruct_n(0, real.ntotal)
        sentences = [[text[s:e] for s, e in json.loads(spans)] or [text] for text, spans, _ in rows]
        flat = [s for group in sentences for s in group]
        flat_tokens = lexical.tokenize(flat)
        tokens, at = [], 0
        for group in sentences:
            tokens.append(flat_tokens[at : at + len(group)])
            at += len(group)

        rng = np.random.default_rng(size)
        first, second = rng.integers(len(rows), size=size), rng.integers(len(rows), size=size)
        vecs = _mixed_vectors(real_vectors, first, second, rng)
        folder = self.plan.work / "tiers" / f"synthetic-{size}"
        building = layout.new_generation(folder)
        out = Store(building / layout.STORE)
        corpus_tokens: list[list[str]] = []
        bar = tqdm(total=size, desc=f"synthetic {size:,}", unit="passage", file=sys.stderr, leave=False)
        for doc_start in range(0, size, DOCS_PER_SYNTHETIC * 200):
            documents, chunks = [], []
            for d_start in range(doc_start, min(size, doc_start + DOCS_PER_SYNTHETIC * 200), DOCS_PER_SYNTHETIC):
                doc_id, title = f"synthetic/{d_start // DOCS_PER_SYNTHETIC:06d}", rows[first[d_start]][2]
                texts, parts = [], []
                for j in range(d_start, min(size, d_start + DOCS_PER_SYNTHETIC)):
                    a, b = sentences[first[j]], sentences[second[j]]
                    ha, hb = max(1, len(a) // 2), len(b) // 2
                    picked = a[:ha] + b[hb:]
                    corpus_tokens.append([t for group in (tokens[first[j]][:ha], tokens[second[j]][hb:]) for ts in group for t in ts])
                    texts.append(" ".join(picked))
                    parts.append(picked)
                cleaned, offset = "\n\n".join(texts), 0
                for ordinal, (text, picked) in enumerate(zip(texts, parts, strict=True)):
                    spans, at = [], 0
                    for sentence in picked:
                        spans.append((at, at + len(sentence)))
                        at += len(sentence) + 1
                    chunk = Chunk(
                        doc_id, ordinal, text, None, offset, offset + len(text), offset, offset + len(text), tuple(spans), len(text) // 4
                    )
                    chunks.append(StoredChunk(d_start + ordinal, chunk, embed_text(title, None, text)))
                    offset += len(text) + 2
                digest = hashlib.sha256(cleaned.encode()).hexdigest()
                documents.append(
                    StoredDocument(doc_id, "synthetic", title, None, None, digest, "txt", "utf-8", cleaned, cleaned, "[]", len(texts))
                )
            out.add_documents(documents)
            out.add_chunks(chunks)
            bar.update(len(chunks))
        bar.close()
        out.close()
        t = time.perf_counter()
        index = vectors.build(vecs, np.arange(size, dtype=np.int64), self.settings.vectors)
        vectors.save(index, building / layout.VECTORS)
        ann_s = time.perf_counter() - t
        retriever = lexical.bm25s.BM25()
        retriever.index(corpus_tokens, show_progress=False)
        lexical.save(retriever, building / layout.BM25)
        now = datetime.now(timezone.utc).isoformat(timespec="seconds")
        Manifest(
            model=self.settings.embedding.model, backend=self.settings.embedding.backend, dimension=int(vecs.shape[1]),
            chunking=asdict(self.settings.chunking), cleaning=asdict(self.settings.cleaning), documents=math.ceil(size / DOCS_PER_SYNTHETIC),
            chunks=size, created=now, updated=now, roots=["synthetic"],
        ).write(building)  # fmt: skip
        layout.publish(folder, building)
        logger.info("synthetic tier %d built in %.1fs (vector index %.1fs)", size, time.perf_counter() - started, ann_s)
        return Tier(folder, size, synthetic=True, vectors=vecs, vector_build_s=round(ann_s, 1))

    def _queries(self) -> list[str]:
        """The dev questions, then titles of corpus documents outside every tier, up to `queries`."""
        questions = [q.question for q in _questions(self.questions)]
        titles = [
            doc.read_text(encoding="utf-8", errors="replace").split("\n", 1)[0].strip() for doc in self.docs[::-1][: self.plan.queries]
        ]
        return [*questions, *(t for t in titles if t)][: self.plan.queries]

    def _measure_tier(self, tier: Tier, queries: list[str]) -> dict[str, Any]:
        from index import layout, vectors

        child = _isolated(_query_child, self._settings(tier.path), queries, self.plan.runs)
        live = layout.current(tier.path)
        index = vectors.load(live / layout.VECTORS)
        kind = vectors.kind(index)
        recall = 1.0
        if kind != "flat":
            data = (
                tier.vectors if tier.vectors is not None else vectors.load(live / layout.VECTORS, mmap=False).reconstruct_n(0, index.ntotal)
            )
            recall = _recall_at_10(index, data, child["query_vectors"])
        tier.vectors = None
        self._step(f"{tier.passages:,} passages")
        return {
            "passages": tier.passages, "synthetic": tier.synthetic, "index": kind,
            "search_p50_ms": _pct(child["search_ms"], 50), "search_p95_ms": _pct(child["search_ms"], 95), "search_p99_ms": _pct(child["search_ms"], 99),
            "ask_p50_ms": _pct(child["ask_ms"], 50), "load_s": round(child["load_s"], 3),
            "disk_mb": round(sum(f.stat().st_size for f in live.rglob("*") if f.is_file()) / 2**20, 1),
            "rss_mb": child["rss_mb"], "ann_recall@10": round(recall, 4), "first_load_s": round(child["first_load_s"], 3),
            "search_parts_ms": child["parts"], "vector_build_s": tier.vector_build_s,
        }  # fmt: skip

    def _backends(self, tiers: list[Tier], queries: list[str]) -> list[dict[str, Any]]:
        """FAISS (embedded) beside Milvus Lite on each tier's same chunks and vectors: `sitroom bench --backend milvus`."""
        from index import layout

        rows = []
        for tier in tiers:
            store = layout.current(tier.path) / layout.STORE
            for backend in ("faiss", "milvus"):
                target = self.plan.work / "backends" / f"{backend}-{tier.passages}"
                data = _isolated(
                    _backend_child, self.settings, str(tier.path), str(target), backend, queries, self.plan.runs, self.questions
                )
                ranked = data.pop("ranked")  # synthetic tiers hold no seed passages to score
                quality = _quality(ranked, self.questions, store) if not tier.synthetic else {"hit@5": None, "ndcg@10": None}
                rows.append({"passages": tier.passages, "synthetic": tier.synthetic, "backend": backend, **data, **quality})
            self._step(f"backends at {tier.passages:,}")
        return rows

    def _comparison(self, queries: list[str], per_doc: float) -> dict[str, Any]:
        """sitroom vs the plain script vs Chroma: one corpus (seeds + distractors), one model, the same chunks."""
        from importlib.util import find_spec

        from index import layout

        n_docs = min(len(self.docs), math.ceil(max(0, self.plan.compare_chunks - self.seeds_chunks) / per_doc))
        paths = [str(SEEDS), *([str(self._distractors("compare", n_docs))] if n_docs else [])]
        folder = self.plan.work / "compare"
        shutil.rmtree(folder, ignore_errors=True)
        settings = self._settings(folder / "sitroom")
        sitroom = _isolated(_sitroom_child, settings, paths, queries, self.plan.runs, self.questions)
        store = layout.current(settings.index_dir) / layout.STORE
        plain = _isolated(_plain_child, settings, store, queries, self.plan.runs, self.questions)
        systems = {"sitroom": sitroom, "plain": plain}
        chroma: dict[str, Any] = {"skipped": "--no-chroma"} if not self.plan.chroma else {"skipped": "chromadb is not installed"}
        if self.plan.chroma and find_spec("chromadb"):
            chroma = _isolated(_chroma_child, settings, store, queries, self.plan.runs, self.questions, str(folder / "chroma"))
            systems["chroma"] = chroma
        for data in systems.values():
            data |= _quality(data.pop("ranked"), self.questions, store)
        self._step("comparison")
        keys = ("ingest_s", "search_p50_ms", "search_p95_ms", "rss_mb", "hit@5", "ndcg@10")
        out: dict[str, Any] = {"passages": sitroom["chunks"], "backend": settings.embedding.backend, "queries": len(queries)}
        out |= {name: {k: round(float(v), 3) for k, v in data.items() if k in keys} for name, data in systems.items()}
        if "chroma" not in systems:
            out["chroma"] = chroma
        out["ratios"] = {
            k: {f"sitroom/{o}": round(sitroom[k] / systems[o][k], 2) for o in systems if o != "sitroom" and systems[o][k]}
            for k in ("ingest_s", "search_p50_ms", "rss_mb")
        }
        out["notes"] = (
            "plain and Chroma index sitroom's chunks, each encoding them with the same model in one model.encode call; sitroom's "
            "ingest_s also covers loading, cleaning, chunking, SQLite and BM25; search is hybrid (dense + BM25 + fusion + passage "
            "fetch) for sitroom and dense top-10 for the others; every model is loaded before timing"
        )
        return out


@dataclass
class Tier:
    path: Path  # the tier's index directory
    passages: int
    synthetic: bool
    vectors: np.ndarray | None = None  # kept for recall when the index is approximate
    vector_build_s: float | None = None  # building the vector index (synthetic tiers; real ones come from `sitroom index`)


def _median_run(runs: list[dict[str, Any]]) -> dict[str, Any]:
    return sorted(runs, key=lambda r: r["seconds"])[len(runs) // 2]


def _shuffled_docs(corpus: Path | None) -> list[Path]:
    if corpus is None:
        return []
    docs = sorted(p for p in corpus.iterdir() if p.is_file() and p.suffix in (".txt", ".md", ".html", ".eml"))
    random.Random(0).shuffle(docs)
    return docs


def _mixed_vectors(real: np.ndarray, first: np.ndarray, second: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """normalize(x_a + x_b + noise): neighbourhoods shaped like real embeddings', unlike uniform random vectors."""
    dim = real.shape[1]
    out = np.empty((len(first), dim), dtype=np.float32)
    for i in range(0, len(first), 100_000):
        block = real[first[i : i + 100_000]] + real[second[i : i + 100_000]]
        block += rng.standard_normal(block.shape, dtype=np.float32) * (SYNTHETIC_NOISE * math.sqrt(2 / dim))
        out[i : i + 100_000] = block / np.linalg.norm(block, axis=1, keepdims=True)
    return out


def _recall_at_10(index: Any, data: np.ndarray, queries: np.ndarray) -> float:
    """Share of the exact top 10 (flat scan over `data`) that the index returns, through the same `search` retrieval uses."""
    import faiss

    from index import vectors

    exact = faiss.IndexFlatIP(data.shape[1])
    exact.add(data)
    truth = exact.search(queries.astype(np.float32), 10)[1]
    found = [len(set(vectors.search(index, q, 10)[1].tolist()) & set(t.tolist())) / 10 for q, t in zip(queries, truth, strict=True)]
    return float(np.mean(found))


def _machine(load_before: float) -> dict[str, Any]:
    """What the figures depend on, including whether other jobs were competing for the CPU."""
    from importlib import metadata

    cpuinfo = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    model = next((line.split(":", 1)[1].strip() for line in cpuinfo.splitlines() if line.startswith("model name")), platform.processor())
    flags = next((line.split(":", 1)[1].split() for line in cpuinfo.splitlines() if line.startswith("flags")), [])
    versions = {}
    for package in ("torch", "onnxruntime", "faiss-cpu", "sentence-transformers", "bm25s", "chromadb"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = None
    cores = os.cpu_count() or 1
    return {
        "cpu": model, "cores": cores, "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        "features": [f for f in ("avx2", "avx512f", "avx512_vnni", "avx512_bf16", "amx_int8") if f in flags],
        "python": platform.python_version(), "versions": versions,
        "load_avg_before": round(load_before, 2), "load_avg_after": round(os.getloadavg()[0], 2),
        "concurrent_load": load_before > 0.5 * cores,
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }  # fmt: skip


def table(result: dict[str, Any]) -> str:
    """The human-readable report: ingestion, latency by corpus size, and the three-way comparison with ratios."""
    m, i, c = result["machine"], result["ingest"], result["comparison"]
    lines = [
        f"machine: {m['cpu']}, {m['cores']} cores, {m['memory_gb']} GB; load average {m['load_avg_before']} before, {m['load_avg_after']} after"
        + (" (other jobs were running: figures are conservative)" if m["concurrent_load"] else ""),
        "",
        f"ingestion from scratch ({i['chunks']} chunks, {i['documents']} documents, median of {i['runs']}):",
        f"  fp32  {i['fp32_chunks_per_s']:>7.1f} chunks/s  {i['fp32_tokens_per_s']:>8.0f} tokens/s  hit@5 {i['fp32_hit@5']:.3f}  ndcg@10 {i['fp32_ndcg@10']:.3f}",
        f"  int8  {i['int8_chunks_per_s']:>7.1f} chunks/s  {i['int8_tokens_per_s']:>8.0f} tokens/s  hit@5 {i['int8_hit@5']:.3f}  ndcg@10 {i['int8_ndcg@10']:.3f}",
        f"  int8 speedup x{i['int8_speedup']} (embedding alone: {i['fp32_embed_chunks_per_s']} vs {i['int8_embed_chunks_per_s']} chunks/s, "
        f"x{i['int8_embed_speedup']}); cosine to fp32 min {i['int8_cosine_min']} mean {i['int8_cosine_mean']}; peak RSS {i['rss_mb']} MB",
        f"  re-index unchanged ({i.get('reindex_passages', 0):,} passages): {i['reindex_unchanged_s']} s",
        "",
        f"{'passages':>10} {'vectors':<10} {'index':<5} {'search p50':>10} {'p95':>7} {'p99':>7} {'ask p50':>8} {'load s':>7} {'1st load':>8} "
        f"{'disk MB':>8} {'RSS MB':>7} {'recall@10':>9}",
    ]
    for q in result["query"]:
        lines.append(
            f"{q['passages']:>10,} {'synthetic' if q['synthetic'] else 'real':<10} {q['index']:<5} {q['search_p50_ms']:>10.1f} {q['search_p95_ms']:>7.1f} "
            f"{q['search_p99_ms']:>7.1f} {q['ask_p50_ms']:>8.1f} {q['load_s']:>7.3f} {q['first_load_s']:>8.3f} {q['disk_mb']:>8.1f} {q['rss_mb']:>7.0f} "
            f"{q['ann_recall@10']:>9.3f}"
        )
    lines += ["", f"comparison on {c['passages']} passages ({c['backend']}, {c['queries']} queries):"]
    lines.append(f"  {'system':<8} {'ingest s':>9} {'search p50':>10} {'p95':>7} {'RSS MB':>7} {'hit@5':>6} {'ndcg@10':>7}")
    for name in ("sitroom", "plain", "chroma"):
        s = c[name]
        if "skipped" in s:
            lines.append(f"  {name:<8} skipped: {s['skipped']}")
            continue
        lines.append(
            f"  {name:<8} {s['ingest_s']:>9.2f} {s['search_p50_ms']:>10.1f} {s['search_p95_ms']:>7.1f} {s['rss_mb']:>7.0f} {s['hit@5']:>6.3f} {s['ndcg@10']:>7.3f}"
        )
    for metric, ratios in c["ratios"].items():
        lines.append(f"  {metric}: " + ", ".join(f"{k} x{v}" for k, v in ratios.items()))
    lines.append(f"  note: {c['notes']}")
    if result.get("backends"):
        lines += ["", *backends_table(result["backends"])]
    return "\n".join(lines)


def backends_table(rows: list[dict[str, Any]]) -> list[str]:
    """FAISS beside Milvus Lite per tier (`sitroom bench --backend milvus`)."""
    lines = [
        "vector backends on the same chunks and vectors (ingest: writing vectors + BM25 only; search: hybrid):",
        f"  {'passages':>10} {'vectors':<10} {'backend':<11} {'ingest s':>9} {'search p50':>10} {'p95':>7} {'RSS MB':>7} {'hit@5':>6}",
    ]
    for b in rows:
        hit = f"{b['hit@5']:>6.3f}" if b["hit@5"] is not None else f"{'n/a':>6}"
        name = "faiss" if b["backend"] == "faiss" else "milvus-lite"
        lines.append(
            f"  {b['passages']:>10,} {'synthetic' if b['synthetic'] else 'real':<10} {name:<11} "
            f"{b['ingest_s']:>9.2f} {b['search_p50_ms']:>10.1f} {b['search_p95_ms']:>7.1f} {b['rss_mb']:>7.0f} {hit}"
        )
    return lines
