"""The model and the index, loaded once per process and reloaded when a build publishes a new generation.

The embedding model is cached on its own (by model and backend), so a new index generation only
reloads the cheap parts (store, FAISS, BM25), not the model. The shared embedder has no embedding
cache: that cache is an SQLite connection, which may only be used by the thread that opened it, and
Streamlit serves each rerun from another thread.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from index import layout, overrides
from index.embedding import Embedder
from retrieval.answer import AnswerComposer
from retrieval.searcher import Searcher
from sitroom.config import EmbeddingConfig, Settings
from sitroom.errors import SitroomError
from sitroom.escaping import md_escape


@dataclass(frozen=True)
class Engine:
    searcher: Searcher
    composer: AnswerComposer


def settings() -> Settings:
    """Read per run, so `SITROOM_INDEX_DIR` (set by `sitroom ui`) is the one source of the index location."""
    return Settings()


@st.cache_resource(show_spinner="Loading the embedding model…")
def embedder(config: EmbeddingConfig) -> Embedder:
    """Loaded eagerly, so the first question is not the one that waits for the model."""
    loaded = Embedder(config)
    _ = loaded.model
    return loaded


@st.cache_resource(show_spinner="Loading the index…", max_entries=1)
def _engine(settings: Settings, generation: str) -> Engine:
    """`generation` is only the cache key: a new one means a build replaced the index on disk."""
    searcher = Searcher(settings, embedder=embedder(settings.embedding))
    searcher.read_ahead()
    return Engine(searcher, AnswerComposer(searcher))


def engine(settings: Settings) -> Engine | None:
    """The loaded index, or None when there is none; keyed on the live generation and the metadata overrides file,
    so rebuilds and metadata edits are picked up."""
    live = layout.current(settings.index_dir)
    if live is None:
        return None
    edited = overrides.path(settings.index_dir)
    return _engine(settings, f"{live}|{edited.stat().st_mtime_ns if edited.exists() else 0}")


def show_missing_index(settings: Settings) -> None:
    st.info(
        f"There is no index at {md_escape(settings.index_dir)} yet.\n\n"
        "Add briefings on the **Library** page, or build an index from a folder, then reload this page:\n\n"
        f"```\nsitroom index --index-dir {settings.index_dir} PATH/TO/BRIEFINGS\n```",
        icon=":material/info:",
    )


def require_engine() -> Engine:
    """The engine, or a clear message (how to create an index, or what is wrong with it) and the page stops."""
    config = settings()
    try:
        with st.spinner("Loading the embedding model and the index (the first start takes a few seconds)…"):
            loaded = engine(config)
    except SitroomError as exc:
        st.error(md_escape(exc), icon=":material/error:")
        st.stop()
    if loaded is None:
        show_missing_index(config)
        st.stop()
    return loaded
