"""The index manifest: what built the index, so loading can say precisely what does not match.

It also records the size and sha256 of every other file of its generation (see index/integrity.py)
and a checksum of its own content, so a damaged manifest is reported as damage rather than read
as a different index.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sitroom.config import DEFAULT_BACKEND
from sitroom.errors import IndexDamaged, SitroomError

FORMAT_VERSION = 1
FILENAME = "manifest.json"
CHECKSUM = "checksum"
# JSON type of each field, checked on read: a manifest garbled into other valid JSON must not load.
_TYPES: dict[str, type | tuple[type, ...]] = {
    "model": str,
    "backend": str,
    "dimension": int,
    "chunking": dict,
    "cleaning": dict,
    "documents": int,
    "chunks": int,
    "created": str,
    "updated": str,
    "format_version": int,
    "roots": list,
    "files": dict,
    "vector_store": dict,
}
_OPTIONAL = {"roots", "files", "vector_store"}  # absent from manifests written before they were recorded


@dataclass
class Manifest:
    model: str
    backend: str
    dimension: int
    chunking: dict[str, object]
    cleaning: dict[str, object]
    documents: int
    chunks: int
    created: str
    updated: str
    format_version: int = FORMAT_VERSION
    roots: list[str] = field(default_factory=list)
    files: dict[str, dict[str, object]] = field(default_factory=dict)  # relative path → {"size", "sha256"}
    # Where the vectors and BM25 live: {"backend": "faiss"} (files here) or the Milvus URI and collection.
    vector_store: dict[str, Any] = field(default_factory=lambda: {"backend": "faiss"})

    def write(self, directory: Path) -> None:
        data = asdict(self)
        data[CHECKSUM] = _digest(data)
        (directory / FILENAME).write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")

    @classmethod
    def read(cls, directory: Path) -> Manifest:
        path = directory / FILENAME
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise IndexDamaged(f"{path} is missing") from exc
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            reason = exc.msg if isinstance(exc, json.JSONDecodeError) else "not UTF-8"
            raise IndexDamaged(f"{path} is not valid JSON ({reason})") from exc
        if not isinstance(data, dict):
            raise IndexDamaged(f"{path} is not a JSON object")
        version = data.get("format_version")
        if version != FORMAT_VERSION:
            raise SitroomError(
                f"index at {directory} has format version {version}, this sitroom reads version {FORMAT_VERSION}; "
                "rebuild it with `sitroom index --rebuild PATH`"
            )
        checksum = data.pop(CHECKSUM, None)
        if checksum is not None and checksum != _digest(data):
            raise IndexDamaged(f"{path} does not match its own checksum")
        for name, kind in _TYPES.items():
            value = data.get(name)
            if (value is None and name not in _OPTIONAL) or (
                value is not None and (not isinstance(value, kind) or isinstance(value, bool))
            ):
                raise IndexDamaged(f"{path} has a missing or malformed {name!r}")
        if not _valid_store(data.get("vector_store", {"backend": "faiss"})):
            raise IndexDamaged(f"{path} has a malformed 'vector_store'")
        return cls(**{key: value for key, value in data.items() if key in _TYPES and value is not None})

    def check_model(self, model: str, backend: str) -> None:
        if self.model == model and self.backend != backend:
            raise SitroomError(
                f"index was built with the {self.backend!r} embedding backend but {backend!r} is configured (the default is "
                f"{DEFAULT_BACKEND!r}); set SITROOM_BACKEND={self.backend} to use this index, or rebuild it with `sitroom index --rebuild PATH`"
            )
        if (self.model, self.backend) != (model, backend):
            raise SitroomError(
                f"index was built with model {self.model!r} ({self.backend}) but {model!r} ({backend}) is configured; "
                f"set SITROOM_MODEL={self.model} SITROOM_BACKEND={self.backend}, or rebuild with `sitroom index --rebuild PATH`"
            )


def _valid_store(entry: dict[str, Any]) -> bool:
    """{"backend": "faiss"}, or Milvus with the collection the generation was built into (its URI None: the index's Lite file)."""
    if entry.get("backend") == "faiss":
        return True
    named = all(isinstance(entry.get(key), str) for key in ("alias", "collection"))
    return entry.get("backend") == "milvus" and named and isinstance(entry.get("uri"), (str, type(None)))


def _digest(data: dict[str, object]) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()
