"""`sitroom eval`: score an eval set (or a BEIR dataset) under one setting or several side by side."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from eval import compare
from eval.beir import beir_settings, build_index, evaluate_beir, load_beir
from eval.report import write_report
from eval.runner import Report, check_evidence, evaluate_set
from eval.sets import load_set
from index import layout
from index.embedding import Embedder, EmbeddingCache
from retrieval.searcher import MODES, Searcher
from sitroom.config import Settings
from sitroom.errors import SitroomError

logger = logging.getLogger(__name__)

BEIR_INDEX = ".sitroom-index"  # inside the BEIR folder unless --index-dir is given


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("set", nargs="?", type=Path, metavar="SET.jsonl", help="eval set: one JSON question per line")
    parser.add_argument("--mode", choices=MODES, help="retrieval mode (default hybrid)")
    parser.add_argument("-k", type=int, default=None, help="passages retrieved per question (default 10)")
    parser.add_argument(
        "--compare",
        metavar="LIST",
        help=f"comma-separated variants to run side by side with paired tests: {', '.join([*compare.VARIANTS, *compare.ALIASES])}",
    )
    parser.add_argument("--report", type=Path, metavar="DIR", help="write report.md, report.html and plots into DIR")
    parser.add_argument(
        "--beir", type=Path, metavar="DIR", help="evaluate document ranking on a BEIR folder (corpus.jsonl, queries.jsonl, qrels/test.tsv)"
    )


def _print_json(data: object) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def _embedder(settings: Settings) -> Embedder:
    """One model for indexing and every variant, with the index's embedding cache."""
    return Embedder(settings.embedding, EmbeddingCache(layout.cache_path(settings.index_dir)))


def _run_variants(searcher: Searcher, names: list[str], settings: Settings, evaluate: Callable[[Searcher, str], Report]) -> list[Report]:
    """One pass per variant over one loaded index and model."""
    if len(names) == 1:
        return [evaluate(searcher, names[0])]
    return [evaluate(compare.variant_searcher(searcher, compare.variant_settings(name, settings)), name) for name in names]


@dataclass
class _Outcome:
    """What one `sitroom eval` run produced, and how to present it."""

    reports: list[Report]
    title: str
    context: dict[str, str]
    single: dict[str, object]  # the --json object of a single-variant run, less "metrics"
    shared: dict[str, object]  # what a --compare --json object adds besides "compare" and "metrics"
    index_dir: Path


def _beir(args: argparse.Namespace, settings: Settings, names: list[str]) -> _Outcome:
    data = load_beir(args.beir)
    settings = beir_settings(settings, Path(args.index_dir) if args.index_dir else args.beir / BEIR_INDEX)
    embedder = _embedder(settings)
    ids = build_index(data, settings, embedder)
    reports = _run_variants(Searcher(settings, embedder), names, settings, lambda s, name: evaluate_beir(data, s, ids, name))
    counts: dict[str, object] = {"queries": len(data.queries), "docs": len(data.corpus)}
    context = {"BEIR dataset": str(args.beir), "documents": str(len(data.corpus)), "queries": str(len(data.queries))}
    return _Outcome(
        reports, f"sitroom eval: BEIR {data.name}", context, {"mode": settings.retrieval.mode, **counts}, counts, settings.index_dir
    )


def _eval_set(args: argparse.Namespace, settings: Settings, names: list[str]) -> _Outcome:
    questions = load_set(args.set)
    k = args.k or settings.retrieval.k
    searcher = Searcher(settings, _embedder(settings))
    check_evidence(questions, searcher)
    reports = _run_variants(searcher, names, settings, lambda s, name: evaluate_set(questions, s, k, name))
    first = reports[0]
    single = {"mode": settings.retrieval.mode, "settings": first.settings, "questions": [q.to_json() for q in first.results]}
    shared: dict[str, object] = {"questions": {r.variant: [q.to_json() for q in r.results] for r in reports}}
    context = {"eval set": str(args.set), "questions": str(len(questions))}
    return _Outcome(reports, f"sitroom eval: {args.set.name}", context, single, shared, settings.index_dir)


def run(args: argparse.Namespace, settings: Settings) -> int:
    if (args.set is None) == (args.beir is None):
        raise SitroomError("give an eval set (sitroom eval SET.jsonl) or a BEIR folder (--beir DIR), not both")
    if args.compare and args.mode:
        raise SitroomError("--mode and --compare do not go together; list the modes in --compare")
    if args.k is not None and (args.k < 1 or args.beir):
        raise SitroomError("-k must be at least 1" if args.k < 1 else "-k does not apply to --beir (documents are ranked to depth 100)")
    names = compare.parse_variants(args.compare) if args.compare else [settings.retrieval.mode]
    started = datetime.now(timezone.utc).isoformat(timespec="seconds")
    outcome = (_beir if args.beir else _eval_set)(args, settings, names)
    reports = outcome.reports
    tests = compare.paired_tests(reports) if len(reports) > 1 else []
    if args.report:
        context = outcome.context | {"index": str(outcome.index_dir), "run at": started}
        write_report(args.report, outcome.title, context, reports, tests)
    if args.json:
        if len(reports) == 1:
            _print_json({"metrics": reports[0].metrics, **outcome.single})
        else:
            _print_json({"compare": compare.to_json(reports, tests), "metrics": {r.variant: r.metrics for r in reports}, **outcome.shared})
        return 0
    print(compare.table(reports, tests))
    if args.report:
        print(f"report: {args.report / 'report.html'}")
    return 0
