"""Why a filtered search came back empty: which filter emptied it, and what dropping each one would give.

An analyst who sees nothing cannot tell a bad query from a filter that excludes everything (a
source spelled differently, undated documents under a date filter); this names the culprit.
"""

from __future__ import annotations

from index.store import Store
from retrieval.passages import Filters


def _count(store: Store, filters: Filters) -> tuple[int, int]:
    return store.count_where(*filters.sql(store.has_article_columns()))


def _passages(counts: tuple[int, int]) -> str:
    chunks, docs = counts
    return f"{chunks} passage{'s' * (chunks != 1)} in {docs} document{'s' * (docs != 1)}"


def explain_empty(store: Store, filters: Filters, mode: str) -> str:
    """One sentence for an empty result: the filters that match nothing, with counts without each, or else the query."""
    active = filters.active()
    label = " and ".join(f"{name}={value}" for name, value in active)
    if active and _count(store, filters)[0] == 0:
        if len(active) == 1:
            return f"no passages with {label}; {_passages(_count(store, Filters()))} without it"
        without = "; ".join(f"without {name}={value}: {_passages(_count(store, filters.without(name)))}" for name, value in active)
        return f"no passages with {label} together; {without}"
    scope = f"{_passages(_count(store, filters))} match {label}, but " if active else ""
    if mode == "bm25":
        return f"{scope}none contains a word of the query (bm25 mode matches words; try hybrid or dense)"
    return f"{scope}none matched the query"
