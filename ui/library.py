"""Uploaded briefings: checked, kept in `<index_dir>/library/`, and indexed incrementally.

The library folder is an ordinary corpus root, so `IndexBuilder.run([library])` adds new and
changed uploads, drops files deleted from it, and leaves documents indexed from elsewhere alone.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from index import layout
from index.builder import IndexBuilder, IndexSummary
from index.documents import Rejected
from index.embedding import Embedder, EmbeddingCache
from index.loading import SUPPORTED_SUFFIXES, LoadError, load_file
from sitroom.config import Settings

MAX_UPLOAD_MB = 5
MAX_UPLOAD_BYTES = MAX_UPLOAD_MB * 2**20
UPLOAD_TYPES = sorted(SUPPORTED_SUFFIXES)
_UNSAFE = re.compile(r"[^A-Za-z0-9._ -]+")

Progress = Callable[[int, int], None]


def library_dir(settings: Settings) -> Path:
    return (settings.index_dir / "library").resolve()


def safe_name(name: str) -> str:
    """A plain file name: no folders, no leading dot (the indexer skips hidden files), no odd characters."""
    return _UNSAFE.sub("_", Path(name.replace("\\", "/")).name).strip(" .") or "upload"


def check_upload(name: str, size: int) -> str | None:
    """Why an upload is refused before it is written, or None; content checks are the loader's."""
    suffix = Path(name).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        return f"unsupported file type {suffix or '(none)'}; upload {', '.join(UPLOAD_TYPES)} files"
    if size > MAX_UPLOAD_BYTES:
        return f"{size / 2**20:.1f} MB is over the {MAX_UPLOAD_MB} MB limit"
    if size == 0:
        return "the file is empty"
    return None


@dataclass
class Saved:
    saved: list[Path] = field(default_factory=list)
    replaced: list[Path] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)


def save_uploads(files: Sequence[tuple[str, bytes]], directory: Path) -> Saved:
    """Write each acceptable upload into `directory`; the loader vets it first, so a bad file never lands there."""
    directory.mkdir(parents=True, exist_ok=True)
    out = Saved()
    for name, data in files:
        reason = check_upload(name, len(data))
        target = directory / safe_name(name)
        if reason is None:
            staging = directory / f".upload-{target.name}"  # hidden: never picked up by the indexer
            staging.write_bytes(data)
            try:
                load_file(staging, directory)
            except LoadError as exc:
                reason = str(exc)
                staging.unlink()
            else:
                (out.replaced if target.exists() else out.saved).append(target)
                os.replace(staging, target)
        if reason is not None:
            out.rejected.append(Rejected(path=name, reason=reason))
    return out


class _BuildEmbedder(Embedder):
    """Borrows the loaded model and opens its own embedding cache."""

    def __init__(self, shared: Embedder, index_dir: Path) -> None:
        super().__init__(shared.config, EmbeddingCache(layout.cache_path(index_dir)))
        self.model = shared.model  # a cached_property: assigning it skips loading the model twice
        self.tokenizer = shared.tokenizer


def _build(settings: Settings, shared: Embedder, report: Progress, paths: list[Path], remove: list[str]) -> IndexSummary:
    embedder = _BuildEmbedder(shared, settings.index_dir)
    try:
        return IndexBuilder(settings, embedder=embedder).run(paths, remove=remove, progress=False, report=report)
    finally:
        embedder.cache.close()


def index_library(settings: Settings, shared: Embedder, report: Progress) -> IndexSummary:
    return _build(settings, shared, report, [library_dir(settings)], [])


def library_file(settings: Settings, doc_id: str, root: str) -> Path | None:
    """The uploaded file behind a document, if it came from the library (ids may carry a root prefix)."""
    library = library_dir(settings)
    if Path(root) != library:
        return None
    for name in (doc_id, doc_id.removeprefix(f"{library.name}/")):
        if (library / name).is_file():
            return library / name
    return None


def remove_document(settings: Settings, shared: Embedder, doc_id: str, root: str, report: Progress) -> IndexSummary:
    """Drop the document from the index, and its upload too so the next library build does not bring it back."""
    file = library_file(settings, doc_id, root)
    summary = _build(settings, shared, report, [], [doc_id])
    if file is not None:
        file.unlink(missing_ok=True)
    return summary
