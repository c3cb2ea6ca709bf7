"""Title, source and date set by hand, kept in `INDEX_DIR/overrides.json` outside the generations.

Detection from the text is sometimes wrong (a caption as title, no date); a user's correction must
survive re-indexing, so it lives beside the generations, not in one. Builds apply it to the stored
rows, and readers apply it on top of the live generation (`Store(..., overrides=...)`), so an edit
shows at once without a rebuild. The file is replaced atomically; a damaged file is an error, never
silently dropped (the next save would otherwise erase every earlier correction).
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

from index.metadata import parse_date
from index.store import StoredDocument
from sitroom.errors import SitroomError

FILENAME = "overrides.json"
FIELDS = ("title", "source", "date")

# doc_id → {field: value}; "" clears a source or date (shown as none / undated).
Overrides = dict[str, dict[str, str]]


def path(index_dir: Path) -> Path:
    return index_dir / FILENAME


def load(index_dir: Path) -> Overrides:
    file = path(index_dir)
    if not file.is_file():
        return {}
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SitroomError(f"metadata overrides {file} are unreadable ({exc}); fix or delete the file") from exc
    if not isinstance(data, dict) or not all(isinstance(v, dict) for v in data.values()):
        raise SitroomError(f"metadata overrides {file} are not a JSON object of objects; fix or delete the file")
    return {str(doc): {f: str(v[f]) for f in FIELDS if isinstance(v.get(f), str)} for doc, v in data.items()}


def checked(title: str | None = None, source: str | None = None, date: str | None = None) -> dict[str, str]:
    """The given fields, validated: a title is never empty, a date is ISO after parsing ("" means undated)."""
    out: dict[str, str] = {}
    if title is not None:
        if not title.strip():
            raise SitroomError("a title cannot be empty")
        out["title"] = title.strip()
    if source is not None:
        out["source"] = source.strip()
    if date is not None:
        iso = parse_date(date) if date.strip() else ""
        if iso is None:
            raise SitroomError(f"{date!r} is not a date (use YYYY-MM-DD)")
        out["date"] = iso
    return out


def save(index_dir: Path, doc_id: str, fields: Mapping[str, str]) -> Overrides:
    """Merge `fields` (from `checked`) into the document's overrides and write the file atomically."""
    current = load(index_dir)
    current[doc_id] = {**current.get(doc_id, {}), **fields}
    index_dir.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(prefix=".overrides-", suffix=".json", dir=index_dir)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(current, out, ensure_ascii=False, indent=2, sort_keys=True)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path(index_dir))
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return current


def apply(document: StoredDocument, overrides: Mapping[str, Mapping[str, str]]) -> StoredDocument:
    """The document with its overridden fields; an empty source or date becomes None."""
    fields = overrides.get(document.doc_id)
    if not fields:
        return document
    values = {name: value or None for name, value in fields.items() if name in ("source", "date")}
    if fields.get("title"):
        values["title"] = fields["title"]
    return replace(document, **values)
