"""search, ask, timeline and info as JSON objects: one implementation behind `--json`, the text output and `sitroom serve`.

The CLI prints these objects (or renders them as text, sitroom/text_output.py), the HTTP server returns them
as they are, and the CLI's `--server` path receives them from the server, so all three give the same output.
An empty result carries a `reason` saying which filter (or the query) emptied it.
"""

from __future__ import annotations

import logging
import re
from dataclasses import asdict
from datetime import date
from pathlib import Path

from index import layout, overrides
from index.manifest import Manifest
from index.metadata import display_date
from index.store import Store
from retrieval.answer import AnswerComposer, AnswerSentence
from retrieval.citing import SentenceGroup, grouped
from retrieval.narrowing import explain_empty
from retrieval.passages import Filters
from retrieval.searcher import Searcher, open_index
from retrieval.timeline import TimelineBuilder
from sitroom.errors import SitroomError

logger = logging.getLogger(__name__)

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


def _why_empty(searcher: Searcher, filters: Filters | None, mode: str | None) -> str:
    return explain_empty(searcher.store, filters or Filters(), mode or searcher.settings.retrieval.mode)


def search_json(searcher: Searcher, query: str, k: int | None = None, mode: str | None = None, filters: Filters | None = None) -> dict:
    result = searcher.search(query, k=k, mode=mode, filters=filters)
    return {
        "query": query,
        "results": [p.to_json() for p in result.passages],
        "timing_ms": result.timing_ms,
        "reason": None if result.passages else _why_empty(searcher, filters, mode),
    }


def _group_json(group: SentenceGroup, sentences: list[AnswerSentence]) -> dict:
    """A group of answer sentences (bullets under "source · date"), the sentences as indices into `answer.sentences`."""
    position = {id(s): i for i, s in enumerate(sentences)}
    return {
        "label": group.label,
        "source": group.source,
        "date": group.date,
        "date_display": display_date(group.date),
        "sentences": [position[id(s)] for s in group.sentences],
    }


def ask_json(
    composer: AnswerComposer, question: str, k: int | None = None, mode: str | None = None, filters: Filters | None = None
) -> dict:
    answer = composer.run(question, k=k, mode=mode, filters=filters)
    return {
        **answer.to_json(),
        "groups": [_group_json(group, answer.sentences) for group in grouped(answer)],
        "reason": None if answer.passages else _why_empty(composer.searcher, filters, mode),
    }


def timeline_json(
    builder: TimelineBuilder, query: str, k: int | None = None, mode: str | None = None, filters: Filters | None = None
) -> dict:
    timeline = builder.run(query, k=k, mode=mode, filters=filters)
    reason = None if timeline.statements else timeline.unmatched or _why_empty(builder.searcher, filters, mode)
    return {**timeline.to_json(), "reason": reason}


def info_json(index_dir: Path) -> dict:
    """The live generation and its documents, with the Library's hand-set titles, sources and dates applied."""
    live = open_index(index_dir)
    manifest = Manifest.read(live)
    store = Store(live / layout.STORE, readonly=True, overrides=overrides.load(index_dir))
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
