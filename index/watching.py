"""`sitroom watch`: keep an index in step with folders as briefings land, change or go.

Filesystem events (watchdog) only mark the index stale; a build runs once the folders have been
quiet for `debounce_seconds`, so a burst of copies costs one build. Builds are incremental (unchanged
documents come from the index and the embedding cache) and run one at a time on the calling thread;
events that arrive during a build trigger one more build after it. A Ctrl-C stops the watch; a build it
interrupts leaves the previous index live, as every build does.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from index.builder import IndexBuilder, IndexSummary
from index.loading import SUPPORTED_SUFFIXES
from sitroom.errors import SitroomError

logger = logging.getLogger(__name__)

OnBuild = Callable[[IndexSummary], None]
OnError = Callable[[str], None]


class _Changes(FileSystemEventHandler):
    """Records when a briefing file under the watched folders last changed; everything else is ignored."""

    def __init__(self, roots: list[Path], index_dir: Path) -> None:
        self.roots = roots
        self.index_dir = index_dir.resolve()
        self.last_change: float | None = None
        self.changed = threading.Event()

    def relevant(self, path: str) -> bool:
        file = Path(path)
        if file.suffix.lower() not in SUPPORTED_SUFFIXES or file.is_relative_to(self.index_dir):
            return False
        root = next((r for r in self.roots if file.is_relative_to(r)), None)
        return root is not None and not any(part.startswith(".") for part in file.relative_to(root).parts)

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.is_directory or event.event_type in ("opened", "closed_no_write"):
            return
        paths = [event.src_path, getattr(event, "dest_path", "")]
        if any(p and self.relevant(str(p)) for p in paths):
            self.last_change = time.monotonic()
            self.changed.set()


class Watcher:
    """Watches `folders` and rebuilds the index of `builder` after each quiet spell; `run` returns the number of builds."""

    def __init__(self, builder: IndexBuilder, folders: list[Path], debounce_seconds: float, on_build: OnBuild, on_error: OnError) -> None:
        missing = [str(f) for f in folders if not f.is_dir()]
        if missing:
            raise SitroomError(f"not a folder: {', '.join(missing)}")
        self.builder = builder
        self.folders = [f.resolve() for f in folders]
        self.debounce = debounce_seconds
        self.on_build, self.on_error = on_build, on_error
        self.changes = _Changes(self.folders, builder.index_dir)
        self.ready = threading.Event()  # set once the first build is done and events are being watched
        self.stop = threading.Event()

    def _build(self) -> bool:
        try:
            self.on_build(self.builder.run(self.folders, progress=False))
            return True
        except SitroomError as exc:  # e.g. an empty folder, or another build holding the lock: the next change retries
            self.on_error(str(exc))
            return False

    def run(self, once: bool = False, timeout: float | None = None) -> int:
        """Build now, then after every quiet spell; `once` stops after the first change-triggered build, `timeout` after that many seconds."""
        observer = Observer()
        for folder in self.folders:
            observer.schedule(self.changes, str(folder), recursive=True)
        observer.start()
        deadline = None if timeout is None else time.monotonic() + timeout
        builds = 0
        try:
            self._build()
            self.ready.set()
            while not self.stop.is_set() and (deadline is None or time.monotonic() < deadline):
                if not self.changes.changed.wait(0.2):
                    continue
                quiet = time.monotonic() - (self.changes.last_change or 0.0)
                if quiet < self.debounce:
                    continue
                self.changes.changed.clear()
                if self._build():
                    builds += 1
                    if once:
                        break
        except KeyboardInterrupt:
            logger.info("watch interrupted after %d builds", builds)
        finally:
            observer.stop()
            observer.join()
        return builds
