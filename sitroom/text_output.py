"""The text output of search, ask, timeline and info, rendered from their JSON objects (sitroom/queries.py).

Rendering the JSON, not the objects behind it, keeps the output of `--server` identical to a local run.
Citations read "title · source · date · headline" ("undated" when no date is known) with the exact
document span after them; an empty result says which filter emptied it.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from index.metadata import display_date
from retrieval.citing import pages_label, source_line

logger = logging.getLogger(__name__)

Json = Mapping[str, Any]
_PREVIEW_CHARS = 400


def _where(item: Json, page_end: int | None = None) -> str:
    """ "doc p. 2 4325-5196": the document, its PDF page(s) if any, and the character span."""
    pages = pages_label(item.get("page"), page_end)
    return " ".join(x for x in (item["doc"], pages, f"{item['start']}-{item['end']}") if x)


def _empty(what: str, data: Json) -> str:
    return f"no {what} match: {data['reason']}" if data.get("reason") else f"no {what} match"


def search_text(data: Json) -> str:
    if not data["results"]:
        return _empty("passages", data)
    lines: list[str] = []
    for p in data["results"]:
        lines.append(
            f"{p['rank']:>2}. [{p['score']:.4f}] {_where(p, p['page_end'])}  {source_line(p['title'], p['source'], p['date'], p['headline'])}"
        )
        lines.append(f"    {p['text'][:_PREVIEW_CHARS]}{'…' if len(p['text']) > _PREVIEW_CHARS else ''}")
        lines += [f"    also in {ref['doc']} {ref['start']}-{ref['end']}" for ref in p["also_in"]]
    return "\n".join(lines)


def ask_text(data: Json) -> str:
    """Bullets grouped by source and date, best group first, each sentence with its [n]; then one line per citation."""
    if data["abstained"]:
        why = data.get("reason") or data.get("abstention")
        return data["answer"]["text"] + (f"\nwhy: {why}" if why else "")
    sentences = data["answer"]["sentences"]
    lines: list[str] = []
    for group in data["groups"]:
        lines.append(group["label"])
        for i in group["sentences"]:
            sentence = sentences[i]
            lines.append(f"  • {sentence['text']} " + " ".join(f"[{n}]" for n in sentence["citations"]))
    lines.append("")
    for c in data["citations"]:
        lines.append(f"[{c['n']}] {source_line(c['title'], c['source'], c['date'], c['headline'])}  ({_where(c, c['page_end'])})")
    return "\n".join(lines)


def timeline_text(data: Json) -> str:
    """One line per statement: date, speaker, the sentence, then its citation (title, document, span)."""
    if not data["statements"]:
        return _empty("statements", data)
    return "\n".join(
        f"{display_date(s['date']):<10}  {s['speaker'] or 'unattributed'}: {s['text']}  [{s['title']} · {_where(s)}]"
        for s in data["statements"]
    )


def info_text(data: Json) -> str:
    manifest = data["manifest"]
    lines = [
        f"index {data['index_dir']} ({data['generation']}), {data['disk_bytes'] / 2**20:.1f} MiB on disk",
        f"model {manifest['model']} ({manifest['backend']}, {manifest['dimension']}d); {manifest['documents']} documents, "
        f"{manifest['chunks']} chunks; updated {manifest['updated']}",
    ]
    lines += [
        f"  {doc['doc_id']}  {doc['n_chunks']:>4} chunks  {display_date(doc['date']):<10}  {doc['source'] or '-'}  {doc['title'][:60]}"
        for doc in data["documents"]
    ]
    return "\n".join(lines)
