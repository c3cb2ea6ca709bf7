"""On-disk layout of an index directory and the atomic generation swap.

    INDEX_DIR/current -> generations/gen-…   (symlink; replaced atomically with os.replace)
    INDEX_DIR/generations/gen-…/{manifest.json, store.sqlite, vectors.faiss, bm25/}
    INDEX_DIR/cache/embeddings.sqlite        (content-hash embedding cache, kept across builds)

A build writes a new generation beside the live one, fsyncs it, and only then flips `current`, so a
crash or Ctrl-C mid-build leaves the previous index loadable. Builds hold `INDEX_DIR/.lock`; each
one removes what killed builds left behind (generations `current` does not point to, stray
`.current-PID` links). Only entries inside INDEX_DIR are ever deleted, wherever `current` points.
"""

from __future__ import annotations

import fcntl
import os
import re
import shutil
import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sitroom.errors import IndexDamaged, SitroomError

STORE = "store.sqlite"
VECTORS = "vectors.faiss"
BM25 = "bm25"
CURRENT = "current"
GENERATIONS = "generations"
LINK_PREFIX = ".current-"
_BUILDING = re.compile(r"^\.tmp-(\d+)-")  # a generation being written by process PID
FAULT_ENV = "SITROOM_FAULT_POINT"


def fault_point(name: str) -> None:
    """Test hook: with `SITROOM_FAULT_POINT=name` in the environment the process kills itself (SIGKILL) here.

    tests/unit/index/faults_test.py kills builds at each point to prove that the previous index stays
    loadable and the next build leaves nothing behind. The points, in build order: embedded,
    store-written, vectors-written, bm25-written, manifest-written, synced, renamed, linked, swapped.
    """
    if os.environ.get(FAULT_ENV) == name:
        os.kill(os.getpid(), signal.SIGKILL)


def generations_dir(index_dir: Path) -> Path:
    return index_dir / GENERATIONS


def current(index_dir: Path) -> Path | None:
    """The live generation, or None before the first build has finished.

    A `current` that is anything but a link to a generation of this index (a real directory, a loop,
    a link to nothing or to somewhere else) is damage, reported with the repair.
    """
    link = index_dir / CURRENT
    if not link.is_symlink():
        if os.path.lexists(link):
            raise IndexDamaged(f"{link} is a {'directory' if link.is_dir() else 'file'}, not a link to a generation")
        return None
    try:
        target = link.resolve(strict=True)
    except FileNotFoundError as exc:
        raise IndexDamaged(f"{link} points to {os.readlink(link)}, which does not exist") from exc
    except (OSError, RuntimeError) as exc:  # RuntimeError: a symlink loop (Python < 3.13)
        raise IndexDamaged(f"{link} is a symlink loop") from exc
    if target.parent != generations_dir(index_dir).resolve() or not target.is_dir():
        raise IndexDamaged(f"{link} points to {target}, not to a generation in {generations_dir(index_dir)}")
    return target


def cache_path(index_dir: Path) -> Path:
    return index_dir / "cache" / "embeddings.sqlite"


def new_generation(index_dir: Path) -> Path:
    """An empty generation directory, named after this process so that no other build removes it meanwhile."""
    generations = generations_dir(index_dir)
    generations.mkdir(parents=True, exist_ok=True)
    path = generations / f".tmp-{os.getpid()}-gen-{time.strftime('%Y%m%dT%H%M%S')}-{time.time_ns() % 10**9:09d}"
    path.mkdir()
    return path


def discard(building: Path) -> None:
    """Remove a generation that will not be published (a failed build's)."""
    shutil.rmtree(building, ignore_errors=True)


def publish(index_dir: Path, building: Path) -> Path:
    """Make `building` the live generation atomically, then remove the old one and any leftovers."""
    sync_tree(building)
    fault_point("synced")
    final = building.with_name(_BUILDING.sub("", building.name))
    building.rename(final)
    _fsync_dir(final.parent)
    fault_point("renamed")
    link = index_dir / CURRENT
    tmp_link = index_dir / f"{LINK_PREFIX}{os.getpid()}"
    try:
        if link.is_dir() and not link.is_symlink():  # damage: a real directory where the link belongs
            link.rename(generations_dir(index_dir) / f".tmp-{os.getpid()}-replaced-current")
        tmp_link.unlink(missing_ok=True)
        tmp_link.symlink_to(final.relative_to(index_dir))
        fault_point("linked")
        os.replace(tmp_link, link)
    except BaseException:
        tmp_link.unlink(missing_ok=True)
        discard(final)
        raise
    _fsync_dir(index_dir)
    fault_point("swapped")
    remove_leftovers(index_dir)
    return final


def leftovers(index_dir: Path) -> list[Path]:
    """Generations `current` does not point to and `.current-PID` links, except those a running build holds."""
    live = current(index_dir)
    generations = generations_dir(index_dir)
    found = [
        entry
        for entry in (sorted(generations.iterdir()) if generations.is_dir() else [])
        if entry.resolve() != live and not _held(_BUILDING.match(entry.name))
    ]
    return found + [link for link in sorted(index_dir.glob(f"{LINK_PREFIX}*")) if not _held(re.fullmatch(r"\.current-(\d+)", link.name))]


def remove_leftovers(index_dir: Path) -> list[Path]:
    """Delete `leftovers`: run under the build lock, so no build of this index is between writing and swapping."""
    found = leftovers(index_dir)
    for entry in found:
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)  # a link is removed, never followed
    return found


def _held(match: re.Match[str] | None) -> bool:
    """Whether the PID captured in a build's file name is another process that is still running."""
    if match is None or int(match.group(1)) == os.getpid():
        return False
    try:
        os.kill(int(match.group(1)), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def sync_tree(root: Path) -> None:
    """fsync every file and directory under `root`, so the swap never publishes data still in the page cache."""
    for folder, _, files in os.walk(root, topdown=False):
        for name in files:
            fd = os.open(os.path.join(folder, name), os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        _fsync_dir(Path(folder))


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextmanager
def build_lock(index_dir: Path) -> Iterator[None]:
    index_dir.mkdir(parents=True, exist_ok=True)
    with open(index_dir / ".lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise SitroomError(f"another `sitroom index` is building {index_dir}; wait for it to finish") from exc
        yield
