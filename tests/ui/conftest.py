"""UI fixtures: the session's seeds index (built once, in tests/conftest.py) served to `AppTest` through the environment."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from sitroom.config import INDEX_DIR_ENV, Settings

APP = Path(__file__).resolve().parents[2] / "ui" / "app.py"
TIMEOUT = 180  # the first run in a session loads the model


@pytest.fixture
def app(monkeypatch: pytest.MonkeyPatch) -> Callable[[Path], AppTest]:
    """An `AppTest` of the whole app over the given index directory, after its first run."""

    def start(index_dir: Path) -> AppTest:
        monkeypatch.setenv(INDEX_DIR_ENV, str(index_dir))
        return AppTest.from_file(str(APP), default_timeout=TIMEOUT).run()

    return start


@pytest.fixture
def seeds_index(seeds_settings: Settings) -> Path:
    """The shared read-only index of the five seeds."""
    return seeds_settings.index_dir


@pytest.fixture
def writable_index(seeds_settings: Settings, tmp_path: Path) -> Path:
    """A private copy of the seeds index (with its embedding cache, so re-indexing the seeds costs no model time)."""
    target = tmp_path / "index"
    shutil.copytree(seeds_settings.index_dir, target, symlinks=True)
    return target
