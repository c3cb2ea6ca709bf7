"""BEIR datasets: index a corpus.jsonl into a cached index and score document rankings the way BEIR tables do.

The corpus is written out as one Markdown file per document (title in YAML front matter, so the
indexer treats it as metadata and embeds it with every chunk, as BEIR models encode title + text)
and indexed with the normal incremental builder: a second run re-reads the files, finds nothing
changed and embeds nothing. File names are hashes of the corpus ids (which are arbitrary strings);
`ids.json` maps them back. Cross-document boilerplate removal is off: these are not newsletters.

A document scores as its best chunk (a near-duplicate chunk collapsed into another counts for its
own document too). Metrics come from ranx with BEIR's conventions: graded qrels, relevance ≥ 1
counts as relevant, nDCG with linear gain (as trec_eval), only queries that have qrels, and a
document whose id equals the query id is skipped (BEIR's `ignore_identical_ids`).
"""

from __future__ import annotations

import csv
import hashlib
import json
import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

import yaml
from tqdm import tqdm

from eval import metrics
from eval.runner import CURVE_DEPTH, TOP_SHOWN, Miss, Report, describe, warm_up
from index import layout
from index.builder import IndexBuilder
from index.embedding import Embedder
from index.manifest import Manifest
from retrieval.searcher import Searcher
from sitroom.config import Settings
from sitroom.errors import SitroomError

logger = logging.getLogger(__name__)

CORPUS_DIR = "corpus"  # inside the index directory
IDS_FILE = "ids.json"
DEPTH = 100  # documents ranked per query (Recall@100)
PASSAGES = 2 * DEPTH  # passages fetched to fill DEPTH documents after max-pooling
BEIR_METRICS = {"ndcg@10": "ndcg@10", "recall@100": "recall@100", "mrr@10": "mrr@10", "hit@10": "hit_rate@10"}


@dataclass(frozen=True)
class BeirSet:
    name: str
    corpus: dict[str, tuple[str, str]]  # id → (title, text)
    queries: dict[str, str]  # only queries that have qrels
    qrels: dict[str, dict[str, int]]


def _jsonl(path: Path) -> Iterator[dict[str, object]]:
    if not path.is_file():
        raise SitroomError(f"BEIR folder has no {path.name} ({path})")
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise SitroomError(f"{path}:{number}: not valid JSON ({exc.msg})") from exc
            if not isinstance(row, dict) or "_id" not in row:
                raise SitroomError(f'{path}:{number}: expected an object with an "_id"')
            yield row


def _qrels(path: Path) -> dict[str, dict[str, int]]:
    if not path.is_file():
        raise SitroomError(f"BEIR folder has no qrels/{path.name} ({path})")
    qrels: dict[str, dict[str, int]] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for number, row in enumerate(csv.reader(handle, delimiter="\t"), start=1):
            if not row or (number == 1 and row[-1].strip().lower() == "score"):
                continue
            try:
                query, doc, score = row[0], row[1], int(float(row[2]))
            except (IndexError, ValueError) as exc:
                raise SitroomError(f"{path}:{number}: expected query-id, corpus-id and an integer score") from exc
            qrels.setdefault(query, {})[doc] = score
    return qrels


def load_beir(directory: Path) -> BeirSet:
    if not directory.is_dir():
        raise SitroomError(f"--beir {directory} is not a folder")
    corpus = {str(row["_id"]): (str(row.get("title") or ""), str(row.get("text") or "")) for row in _jsonl(directory / "corpus.jsonl")}
    texts = {str(row["_id"]): str(row.get("text") or "") for row in _jsonl(directory / "queries.jsonl")}
    qrels = _qrels(directory / "qrels" / "test.tsv")
    unknown = sorted(set(qrels) - set(texts))
    if unknown:
        logger.warning("%d queries in qrels are missing from queries.jsonl and are skipped (e.g. %s)", len(unknown), unknown[0])
    qrels = {q: judged for q, judged in qrels.items() if q in texts and any(score > 0 for score in judged.values())}
    if not corpus or not qrels:
        raise SitroomError(f"BEIR folder {directory} has no documents or no judged queries")
    return BeirSet(directory.resolve().name, corpus, {q: texts[q] for q in qrels}, qrels)


def filename(doc_id: str) -> str:
    return hashlib.sha1(doc_id.encode("utf-8")).hexdigest()[:20] + ".md"


def _markdown(title: str, text: str) -> str | None:
    title = " ".join(title.split())
    body = text.strip() or title  # a title-only document is still findable
    if not body:
        return None
    return "---\n" + yaml.safe_dump({"title": title}, allow_unicode=True, width=1 << 20) + "---\n" + body + "\n"


def materialize(data: BeirSet, folder: Path) -> dict[str, str]:
    """Write the corpus as files (only those that changed) and return file name → corpus id."""
    folder.mkdir(parents=True, exist_ok=True)
    ids: dict[str, str] = {}
    for doc_id, (title, text) in data.corpus.items():
        content = _markdown(title, text)
        if content is None:
            logger.warning("corpus document %r has no title or text and is skipped", doc_id)
            continue
        name = filename(doc_id)
        ids[name] = doc_id
        path = folder / name
        if not path.is_file() or path.read_text(encoding="utf-8") != content:
            path.write_text(content, encoding="utf-8")
    for stale in folder.glob("*.md"):
        if stale.name not in ids:
            stale.unlink()
    (folder.parent / IDS_FILE).write_text(json.dumps(ids, ensure_ascii=False), encoding="utf-8")
    return ids


def beir_settings(settings: Settings, index_dir: Path) -> Settings:
    return replace(settings, index_dir=index_dir, cleaning=replace(settings.cleaning, keep_boilerplate=True))


def build_index(data: BeirSet, settings: Settings, embedder: Embedder | None = None, progress: bool = True) -> dict[str, str]:
    """Index the corpus into `settings.index_dir` (incrementally) and return file name → corpus id."""
    folder = settings.index_dir / CORPUS_DIR
    live = layout.current(settings.index_dir)
    if live is not None:
        foreign = set(Manifest.read(live).roots) - {str(folder.resolve())}
        if foreign:
            raise SitroomError(f"{settings.index_dir} already indexes {sorted(foreign)[0]}; give --beir its own --index-dir")
    ids = materialize(data, folder)
    summary = IndexBuilder(settings, embedder).run([folder], progress=progress)
    logger.info(
        "BEIR index: %d documents, %d chunks, %d embedded in %.1fs", summary.documents, summary.chunks, summary.embedded, summary.seconds
    )
    return ids


@dataclass
class QueryResult:
    id: str
    query: str
    relevant: dict[str, int]
    ranking: list[str]  # corpus ids, best first
    latency_ms: float
    titles: dict[str, str]  # of the relevant and top documents, for misses
    scores: dict[str, float] = field(default_factory=dict)

    def miss(self) -> Miss | None:
        ranks = [i for i, doc in enumerate(self.ranking, start=1) if self.relevant.get(doc, 0) > 0]
        if ranks and ranks[0] <= TOP_SHOWN:
            return None
        note = f"first relevant at rank {ranks[0]}" if ranks else f"no relevant document in the top {len(self.ranking)}"
        expected = [f"{doc} ({grade}): {self.titles.get(doc, '')}" for doc, grade in self.relevant.items() if grade > 0]
        return Miss(self.id, self.query, expected, [f"{doc}: {self.titles.get(doc, '')}" for doc in self.ranking[:TOP_SHOWN]], note)

    def to_json(self) -> dict[str, object]:
        return {"id": self.id, "query": self.query, "top": self.ranking[:10], "latency_ms": self.latency_ms, "scores": self.scores}


def rank_documents(searcher: Searcher, query: str, ids: dict[str, str], exclude: str | None = None) -> list[str]:
    """Corpus ids by their best passage (max-pooling), at most DEPTH."""
    ranking: dict[str, None] = {}
    for passage in searcher.search(query, k=PASSAGES).passages:
        for name in (passage.doc, *(ref.doc for ref in passage.also_in)):
            doc = ids.get(name)
            if doc is not None and doc != exclude:
                ranking.setdefault(doc)
    return list(ranking)[:DEPTH]


def evaluate_beir(data: BeirSet, searcher: Searcher, ids: dict[str, str], variant: str, progress: bool = True) -> Report:
    results: list[QueryResult] = []
    warm_up(searcher)
    for query_id, query in tqdm(data.queries.items(), desc=f"beir {variant}", unit="query", disable=not progress):
        started = time.perf_counter()
        ranking = rank_documents(searcher, query, ids, exclude=query_id)
        latency = round((time.perf_counter() - started) * 1000, 2)
        relevant = data.qrels[query_id]
        titles = {doc: data.corpus[doc][0] for doc in [*relevant, *ranking[:TOP_SHOWN]] if doc in data.corpus}
        results.append(QueryResult(query_id, query, relevant, ranking, latency, titles))
    runs = {r.id: {doc: 1.0 / rank for rank, doc in enumerate(r.ranking, start=1)} for r in results}
    scores = metrics.ranx_scores(data.qrels, runs, BEIR_METRICS | metrics.hit_metrics(CURVE_DEPTH))
    for r in results:
        r.scores = {name: scores[r.id][name] for name in BEIR_METRICS}
    averaged: dict[str, float | None] = {name: metrics.mean([r.scores[name] for r in results]) for name in BEIR_METRICS}
    latencies = [r.latency_ms for r in results]
    averaged |= {"latency_p50_ms": metrics.percentile(latencies, 50), "latency_p95_ms": metrics.percentile(latencies, 95)}
    curve = [metrics.mean([scores[r.id][f"hit@{i}"] for r in results]) for i in range(1, CURVE_DEPTH + 1)]
    return Report(variant, describe(searcher.settings, PASSAGES) | {"documents_ranked": DEPTH}, averaged, curve, results)
