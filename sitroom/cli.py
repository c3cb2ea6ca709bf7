"""The `sitroom` command: index, watch, search, ask, timeline, info, eval, ui, bench, serve.

Every user error is one line on stderr and exit status 2; `--json` prints one clean JSON object on
stdout (progress bars and logs go to stderr).
"""

from __future__ import annotations

import argparse
import importlib
import json
import logging
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from sitroom.config import SERVER_ENV, VECTOR_BACKENDS, RetrievalConfig, Settings
from sitroom.errors import REBUILD_HINT, SitroomError

if TYPE_CHECKING:
    from index.builder import IndexSummary

logger = logging.getLogger(__name__)

# Subcommands implemented in their own packages: name → module exposing add_arguments(parser) and run(args, settings).
PLUGGED: dict[str, tuple[str, str]] = {
    "eval": ("eval.command", "evaluate retrieval and answers on an eval set or a BEIR dataset"),
    "ui": ("ui.command", "start the Streamlit UI on localhost"),
    "bench": ("eval.bench", "measure ingestion and query speed, memory and index size"),
    "serve": ("server.command", "serve search, ask and info as an HTTP JSON API"),
}


def settings_from(args: argparse.Namespace) -> Settings:
    settings = Settings().with_index_dir(getattr(args, "index_dir", None))
    if getattr(args, "keep_boilerplate", False):
        settings = replace(settings, cleaning=replace(settings.cleaning, keep_boilerplate=True))
    if getattr(args, "mode", None):
        settings = replace(settings, retrieval=replace(settings.retrieval, mode=args.mode))
    if getattr(args, "max_file_mb", None) is not None:
        if args.max_file_mb <= 0:
            raise SitroomError(f"--max-file-mb must be positive, not {args.max_file_mb:g}")
        settings = replace(settings, loading=replace(settings.loading, max_file_bytes=int(args.max_file_mb * 2**20)))
    if getattr(args, "k", None) is not None:
        settings.retrieval.check_k(args.k)
    if getattr(args, "backend", None) or getattr(args, "milvus_uri", None):
        store = settings.vector_store
        store = replace(store, backend=args.backend or store.backend, milvus_uri=args.milvus_uri or store.milvus_uri)
        settings = replace(settings, vector_store=store)
    return settings


def _print_json(data: object) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def cmd_index(args: argparse.Namespace, settings: Settings) -> int:
    from index.builder import IndexBuilder

    summary = IndexBuilder(settings).run(
        [Path(p) for p in args.paths], remove=args.remove, rebuild=args.rebuild, progress=not args.json, feeds=args.feed
    )
    if args.json:
        _print_json(summary.to_json())
        return 0
    _print_summary(summary, settings)
    return 0


def _print_summary(summary: IndexSummary, settings: Settings) -> None:
    print(
        f"indexed {summary.documents} documents, {summary.chunks} chunks into {settings.index_dir} in {summary.seconds:.1f}s "
        f"({len(summary.added)} added, {len(summary.changed)} changed, {len(summary.removed)} removed, "
        f"{len(summary.unchanged)} unchanged; {summary.embedded} chunks embedded)",
        flush=True,
    )
    for doc_id, reasons in sorted(summary.dropped.items()):
        words = summary.dropped_words.get(doc_id, {})
        articles = summary.articles.get(doc_id, 1)
        if reasons:
            print(
                f"  {doc_id}: dropped {sum(words.values())} words: "
                + ", ".join(f"{words.get(reason, 0)} {reason} ({n})" for reason, n in sorted(reasons.items()))
                + (f"; {articles} articles" if articles > 1 else "")
            )
    for rejected in summary.rejected:
        print(f"  skipped {rejected.path}: {rejected.reason}", file=sys.stderr)


def cmd_watch(args: argparse.Namespace, settings: Settings) -> int:
    from index.builder import IndexBuilder
    from index.watching import Watcher

    def built(summary: IndexSummary) -> None:
        if args.json:
            print(json.dumps(summary.to_json(), ensure_ascii=False), flush=True)
        else:
            _print_summary(summary, settings)

    def failed(message: str) -> None:
        print(f"sitroom: {message}", file=sys.stderr, flush=True)

    folders = [Path(p) for p in args.folders]
    watcher = Watcher(IndexBuilder(settings), folders, args.debounce or settings.watch.debounce_seconds, built, failed)
    if not args.json:
        print(f"watching {', '.join(map(str, folders))}; Ctrl-C stops", file=sys.stderr, flush=True)
    builds = watcher.run(once=args.once, timeout=args.timeout)
    if not args.json:
        print(f"stopped watching after {builds} change-triggered builds", file=sys.stderr)
    return 0


def _filters(args: argparse.Namespace):
    from sitroom.queries import make_filters

    return make_filters(source=args.source, since=args.since, until=args.until, doc=args.doc)


def _query_params(args: argparse.Namespace) -> dict[str, object]:
    """The options of search and ask as the server takes them."""
    return {"k": args.k, "mode": args.mode, "source": args.source, "since": args.since, "until": args.until, "doc": args.doc}


def _server(args: argparse.Namespace) -> str | None:
    """`--server URL`, else `$SITROOM_SERVER`; a server answers from its own index, so `--index-dir` makes no sense with it."""
    url = args.server or os.environ.get(SERVER_ENV) or None
    if url and args.index_dir:
        raise SitroomError("--index-dir cannot be combined with --server / SITROOM_SERVER (the server answers from its own index)")
    return url


def _fetch(args: argparse.Namespace, path: str, params: dict[str, object], local: Callable[[], dict]) -> dict:
    """The JSON object from the server (`--server` / `$SITROOM_SERVER`), else `local()` computed here."""
    server = _server(args)
    if not server:
        return local()
    from server.client import get

    return get(server, path, params)


def cmd_search(args: argparse.Namespace, settings: Settings) -> int:
    from sitroom.text_output import search_text

    def local() -> dict:
        from retrieval.searcher import Searcher
        from sitroom.queries import search_json

        return search_json(Searcher(settings), args.query, k=args.k, mode=args.mode, filters=_filters(args))

    return _print(args, _fetch(args, "/search", {"query": args.query, **_query_params(args)}, local), search_text)


def cmd_ask(args: argparse.Namespace, settings: Settings) -> int:
    from sitroom.text_output import ask_text

    def local() -> dict:
        from retrieval.answer import AnswerComposer
        from retrieval.searcher import Searcher
        from sitroom.queries import ask_json

        return ask_json(AnswerComposer(Searcher(settings)), args.question, k=args.k, mode=args.mode, filters=_filters(args))

    return _print(args, _fetch(args, "/ask", {"question": args.question, **_query_params(args)}, local), ask_text)


def cmd_timeline(args: argparse.Namespace, settings: Settings) -> int:
    from sitroom.text_output import timeline_text

    def local() -> dict:
        from retrieval.searcher import Searcher
        from retrieval.timeline import TimelineBuilder
        from sitroom.queries import timeline_json

        return timeline_json(TimelineBuilder(Searcher(settings)), args.query, k=args.k, mode=args.mode, filters=_filters(args))

    return _print(args, _fetch(args, "/timeline", {"query": args.query, **_query_params(args)}, local), timeline_text)


def cmd_info(args: argparse.Namespace, settings: Settings) -> int:
    from sitroom.text_output import info_text

    def local() -> dict:
        from sitroom.queries import info_json

        return info_json(settings.index_dir)

    return _print(args, _fetch(args, "/info", {}, local), info_text)


def _print(args: argparse.Namespace, data: dict, as_text: Callable[[dict], str]) -> int:
    """The JSON object with `--json`, else its text rendering (sitroom/text_output.py)."""
    if args.json:
        _print_json(data)
    else:
        print(as_text(data))
    return 0


def cmd_check(args: argparse.Namespace, settings: Settings) -> int:
    from index.integrity import check

    report = check(settings.index_dir)
    if args.json:
        _print_json(report.to_json())
    else:
        for damage in report.damage:
            print(f"damaged: {damage}")
        for note in report.notes:
            print(f"note: {note}")
        if report.healthy and report.files:
            print(
                f"index {settings.index_dir} ({report.generation}) is healthy: {report.files} files, {report.bytes / 2**20:.1f} MiB verified"
            )
    if not report.healthy:
        raise SitroomError(f"{len(report.damage)} damaged; {REBUILD_HINT}")
    return 0


def _add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--index-dir", help="index directory (default: $SITROOM_INDEX_DIR or ./.sitroom)")
    parser.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    parser.add_argument(
        "--backend",
        choices=VECTOR_BACKENDS,
        help="where vectors and BM25 live (default: $SITROOM_VECTOR_BACKEND, else what the index uses, else faiss)",
    )
    parser.add_argument(
        "--milvus-uri",
        metavar="URI",
        help="Milvus Lite file (*.db) or server URL like http://host:19530 (default: $SITROOM_MILVUS_URI or INDEX_DIR/milvus.db)",
    )


def _add_server_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--server", metavar="URL", help="ask a running `sitroom serve` (default: $SITROOM_SERVER); token from $SITROOM_TOKEN"
    )


def _add_query_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "-k", type=int, default=None, help=f"number of passages, 1 to {RetrievalConfig.max_k} (default {RetrievalConfig.k})"
    )
    parser.add_argument("--mode", choices=("hybrid", "dense", "bm25"), help="retrieval mode (default hybrid)")
    parser.add_argument("--source", help="only documents whose source contains this text")
    parser.add_argument("--since", metavar="YYYY-MM-DD", help="only documents dated on or after this ISO date")
    parser.add_argument("--until", metavar="YYYY-MM-DD", help="only documents dated on or before this ISO date")
    parser.add_argument("--doc", help="only this document id")


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """`command` set: only that plugged subcommand's module is imported (eval's imports alone take seconds)."""
    parser = argparse.ArgumentParser(prog="sitroom", description=__doc__.splitlines()[0])
    parser.add_argument("-v", "--verbose", action="store_true", help="log details to stderr")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("index", help="index files or folders (incremental)")
    _add_common(p)
    p.add_argument("paths", nargs="*", help=".txt, .md, .html, .eml, .pdf, .docx files or folders")
    p.add_argument("--feed", action="append", default=[], metavar="URL_OR_FILE", help="an RSS or Atom feed: each entry is a document")
    p.add_argument("--rebuild", action="store_true", help="ignore the existing index and build from scratch")
    p.add_argument("--remove", action="append", default=[], metavar="DOC_ID", help="remove a document from the index")
    p.add_argument("--keep-boilerplate", action="store_true", help="do not drop ads, sign-offs and other boilerplate")
    p.add_argument("--max-file-mb", type=float, metavar="MB", help="skip files larger than this (default 20)")
    p.set_defaults(func=cmd_index)

    p = sub.add_parser("watch", help="index folders now and again whenever briefings are added, changed or removed")
    _add_common(p)
    p.add_argument("folders", nargs="+", help="folders to watch (recursively)")
    p.add_argument("--debounce", type=float, help="seconds of quiet after the last change before a build (default 2)")
    p.add_argument("--once", action="store_true", help="stop after the first build a change triggers")
    p.add_argument("--timeout", type=float, help="stop after this many seconds")
    p.set_defaults(func=cmd_watch)

    queries = (
        ("search", "query", "ranked passages for a query", cmd_search),
        ("ask", "question", "a cited extractive answer", cmd_ask),
        ("timeline", "query", "statements matching a query, ordered by briefing date", cmd_timeline),
    )
    for name, text, help_text, func in queries:
        p = sub.add_parser(name, help=help_text)
        _add_common(p)
        p.add_argument(text)
        _add_query_options(p)
        _add_server_option(p)
        p.set_defaults(func=func)

    p = sub.add_parser("info", help="what is in the index")
    _add_common(p)
    _add_server_option(p)
    p.set_defaults(func=cmd_info)

    p = sub.add_parser("check", help="verify every index file against its recorded size and sha256 (exit 2 if damaged)")
    _add_common(p)
    p.set_defaults(func=cmd_check)

    for name, (module, help_text) in PLUGGED.items():
        p = sub.add_parser(name, help=help_text)
        _add_common(p)
        if command is not None and command != name:
            continue
        try:
            plugin = importlib.import_module(module)
        except ImportError as exc:
            p.set_defaults(func=_unavailable(name, exc))
            continue
        plugin.add_arguments(p)
        p.set_defaults(func=plugin.run)
    return parser


def _unavailable(name: str, exc: ImportError) -> Callable[[argparse.Namespace, Settings], int]:
    def run(args: argparse.Namespace, settings: Settings) -> int:
        raise SitroomError(f"`sitroom {name}` is unavailable: {exc}")

    return run


def main(argv: Sequence[str] | None = None) -> int:
    for name, value in (("TOKENIZERS_PARALLELISM", "false"), ("TRANSFORMERS_VERBOSITY", "error"), ("HF_HUB_DISABLE_PROGRESS_BARS", "1")):
        os.environ.setdefault(name, value)
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(next((arg for arg in argv if not arg.startswith("-")), None))
    args = parser.parse_args(argv)
    level = logging.INFO if args.verbose else logging.WARNING
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    for handler in logging.getLogger().handlers:
        handler.setLevel(level)  # libraries such as bm25s lower their own loggers' levels on import
    if args.command == "index" and not (args.paths or args.remove or args.feed):
        parser.error("index needs at least one PATH (or --feed URL_OR_FILE, --remove DOC_ID)")
    try:
        return int(args.func(args, settings_from(args)) or 0)
    except SitroomError as exc:
        print(f"sitroom: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("sitroom: interrupted; the previous index is unchanged", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
