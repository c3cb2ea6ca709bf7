"""search, ask and info as JSON objects: one implementation behind `--json`, the text output and `sitroom serve`.

The CLI prints these objects (or renders them as text), the HTTP server returns them as they are, and the
CLI's `--server` path receives them from the server, so all three give the same output.
"""

from __future__ import annotations

import re
from dataclasses import asdict
from datetime import date
from pathlib import Path

from index import layout
from index.manifest import Manifest
from index.store import Store
from retrieval.answer import AnswerComposer
from retrieval.passages import Filters
from retrieval.searcher import Searcher, open_index
from sitroom.errors import SitroomError

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def iso_date(option: str, value: str | None) -> str | None:
    """A `YYYY-MM-DD` option value, checked; anything else ("5", "June 2024") is an error, not a guess."""
    if value is None:
        return None
    try:
        if not _ISO_DATE.fullmatch(value):
            raise ValueError
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise SitroomError(f"{option} {value!r} is not a date: use YYYY-MM-DD, e.g. 2024-06-01") from None


def make_filters(source: str | None = None, since: str | None = None, until: str | None = None, doc: str | None = None) -> Filters:
    """Filters from user input (CLI options or server parameters); a bad or empty date range is an error."""
    since, until = iso_date("--since", since), iso_date("--until", until)
    if since and until and since > until:
        raise SitroomError(f"--since {since} is after --until {until}: no document can match")
    return Filters(source=source, doc=doc, since=since, until=until)


def search_json(searcher: Searcher, query: str, k: int | None = None, mode: str | None = None, filters: Filters | None = None) -> dict:
    result = searcher.search(query, k=k, mode=mode, filters=filters)
    return {"query": query, "results": [p.to_json() for p in result.passages], "timing_ms": result.timing_ms}


def ask_json(
    composer: AnswerComposer, question: str, k: int | None = None, mode: str | None = None, filters: Filters | None = None
) -> dict:
    return composer.run(question, k=k, mode=mode, filters=filters).to_json()


def info_json(index_dir: Path) -> dict:
    live = open_index(index_dir)
    manifest = Manifest.read(live)
    store = Store(live / layout.STORE, readonly=True)
    try:
        docs = [dict(row) for row in store.documents("doc_id, title, source, date, n_chunks")]
    finally:
        store.close()
    return {
        "index_dir": str(index_dir),
        "generation": live.name,
        "disk_bytes": sum(f.stat().st_size for f in live.rglob("*") if f.is_file()),
        "manifest": asdict(manifest),
        "documents": docs,
    }
