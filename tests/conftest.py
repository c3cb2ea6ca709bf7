"""Shared fixtures: one real model per test session and one index of the real seeds."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from index.builder import IndexBuilder
from index.embedding import Embedder
from sitroom.config import Settings

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    return Embedder()


@pytest.fixture(scope="session")
def seeds_settings(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Settings:
    """A read-only index of the five seeds; tests that modify an index copy the seeds first."""
    settings = Settings(index_dir=tmp_path_factory.mktemp("seeds-index"))
    IndexBuilder(settings, embedder=embedder).run([SEEDS], progress=False)
    return settings


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """A private, writable copy of the seeds."""
    target = tmp_path / "corpus"
    shutil.copytree(SEEDS, target)
    return target
