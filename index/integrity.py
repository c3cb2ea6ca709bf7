"""Is an index intact? Sizes and sha256 of every generation file, recorded in its manifest at build time.

Opening an index compares sizes (one stat per file); `sitroom check` and incremental builds (which
read the old generation anyway) compare full hashes. Files that fail to load are reported the same
way. Every finding is an `IndexDamaged`: one line naming the damage and the repair (`--rebuild`).
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from index import layout
from index.manifest import FILENAME, Manifest
from sitroom.errors import IndexDamaged, SitroomError

REQUIRED = (layout.STORE, layout.VECTORS, layout.BM25)
# What reading a damaged file raises: sqlite3 and faiss (RuntimeError) errors, numpy/json parse errors, short reads.
READ_ERRORS = (sqlite3.DatabaseError, RuntimeError, ValueError, KeyError, TypeError, IndexError, EOFError, OSError)


def file_records(generation: Path) -> dict[str, dict[str, object]]:
    """Size and sha256 of every file of a generation but the manifest, by path relative to it."""
    return {
        path.relative_to(generation).as_posix(): {"size": path.stat().st_size, "sha256": _sha256(path)}
        for path in sorted(generation.rglob("*"))
        if path.is_file() and path.name != FILENAME
    }


def problems(generation: Path, manifest: Manifest, full: bool) -> list[str]:
    """What is missing or differs from the manifest's records (sizes; also hashes when `full`)."""
    recorded = {name.split("/")[0] for name in manifest.files}
    required = REQUIRED if manifest.vector_store["backend"] == "faiss" else (layout.STORE,)  # Milvus holds vectors and BM25
    found = [f"{generation / name} is missing" for name in required if name not in recorded and not (generation / name).exists()]
    for name, record in manifest.files.items():
        path = generation / name
        if not isinstance(record, dict) or not isinstance(record.get("size"), int) or not isinstance(record.get("sha256"), str):
            found.append(f"{generation / FILENAME} has a malformed record for {name}")
        elif not path.is_file():
            found.append(f"{path} is missing")
        elif (size := path.stat().st_size) != record["size"]:
            found.append(f"{path} is {size:,} bytes, the manifest records {record['size']:,}")
        elif full and _sha256(path) != record["sha256"]:
            found.append(f"{path} does not match its recorded sha256")
    return found


def verify(generation: Path, manifest: Manifest, full: bool = False) -> None:
    found = problems(generation, manifest, full)
    if found:
        raise IndexDamaged("; ".join(found))


def open_generation(index_dir: Path) -> tuple[Path, Manifest]:
    """The live generation and its manifest, sizes verified; a clear error when there is no index or it is damaged."""
    live = layout.current(index_dir)
    if live is None:
        raise SitroomError(f"no index at {index_dir}; create one with `sitroom index PATH` (or set --index-dir / SITROOM_INDEX_DIR)")
    manifest = Manifest.read(live)
    verify(live, manifest)
    return live, manifest


@contextmanager
def reading(path: Path, manifest: Manifest | None = None, errors: tuple[type[BaseException], ...] = READ_ERRORS) -> Iterator[None]:
    """Report a generation file (or folder) that fails to load, raising one of `errors`, as damage instead of a traceback.

    With the manifest, the files under `path` are hashed to name exactly which one differs from its record.
    """
    try:
        yield
    except errors as exc:
        if isinstance(exc, sqlite3.OperationalError) and "malformed" not in str(exc):
            raise  # locked, read-only or out of disk space: an environment fault, not damage
        inside = f"{path.name}/"
        found = [
            line
            for line in (problems(path.parent, manifest, full=True) if manifest else [])
            if f"/{path.name} " in line or f"/{inside}" in line
        ]
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise IndexDamaged("; ".join(found) or f"{path} cannot be read ({reason[:200]})") from exc


@dataclass
class CheckReport:
    index_dir: str
    generation: str | None = None
    files: int = 0
    bytes: int = 0
    damage: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def healthy(self) -> bool:
        return not self.damage

    def to_json(self) -> dict[str, object]:
        return {**self.__dict__, "healthy": self.healthy}


def check(index_dir: Path) -> CheckReport:
    """Full verification for `sitroom check`: the `current` link, the manifest, every file's sha256, the embedding cache."""
    report = CheckReport(str(index_dir))
    try:
        live = layout.current(index_dir)
        if live is None:
            raise SitroomError(f"no index at {index_dir}; create one with `sitroom index PATH`")
        report.generation = live.name
        manifest = Manifest.read(live)
    except IndexDamaged as exc:
        report.damage.append(exc.damage)
        return report
    report.damage += problems(live, manifest, full=True)
    if not manifest.files:
        report.notes.append("the manifest records no checksums (built by an older sitroom); `sitroom index --rebuild PATH` adds them")
    report.files = len(manifest.files)
    report.bytes = sum(int(r.get("size", 0)) for r in manifest.files.values() if isinstance(r, dict))
    report.damage += cache_problems(layout.cache_path(index_dir), manifest.dimension)
    stale = layout.leftovers(index_dir)
    if stale:
        report.notes.append(
            f"{len(stale)} leftovers of interrupted builds (removed by the next build): " + ", ".join(p.name for p in stale)
        )
    return report


def cache_problems(path: Path, dimension: int) -> list[str]:
    """Damage of the embedding cache (builds repair it by themselves: wrong vectors are dropped, a broken file recreated)."""
    if not path.exists():
        return []
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            wrong = db.execute("SELECT COUNT(*) FROM vectors WHERE length(vec) != ?", (4 * dimension,)).fetchone()[0]
        finally:
            db.close()
    except sqlite3.DatabaseError as exc:
        return [f"embedding cache {path} cannot be read ({exc})"]
    return [f"embedding cache {path} holds {wrong:,} vectors of the wrong length"] if wrong else []


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()
