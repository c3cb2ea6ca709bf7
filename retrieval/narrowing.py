"""Why a filtered search came back empty: which filter emptied it, and what dropping each one would give.

An analyst who sees nothing cannot tell a bad query from a filter that excludes everything (a
source spelled differently, undated documents under a date filter); this names the culprit, and
lists the sources there are when the source filter itself matches nothing.
"""

from __future__ import annotations

import logging

from index.store import Store
from retrieval.passages import Filters

logger = logging.getLogger(__name__)

_SOURCES_LISTED = 8  # a large corpus has hundreds of sources: name the largest, count the rest


def _count(store: Store, filters: Filters) -> tuple[int, int]:
    return store.count_where(*filters.sql(store.has_article_columns()))


def _passages(counts: tuple[int, int]) -> str:
    chunks, docs = counts
    return f"{chunks} passage{'s' * (chunks != 1)} in {docs} document{'s' * (docs != 1)}"


def known_sources(store: Store, filters: Filters) -> str:
    """ "; sources are A, B, …" when the source filter alone matches nothing (a spelling the index does not use), else ""."""
    if not filters.source or _count(store, Filters(source=filters.source))[0]:
        return ""
    names = list(store.source_counts())
    if not names:
        return "; no document has a source"
    more = f" and {len(names) - _SOURCES_LISTED} more" if len(names) > _SOURCES_LISTED else ""
    return f"; sources are {', '.join(names[:_SOURCES_LISTED])}{more}"


def explain_empty(store: Store, filters: Filters, mode: str) -> str:
    """One sentence for an empty result: the filters that match nothing, with counts without each, or else the query."""
    active = filters.active()
    label = " and ".join(f"{name}={value}" for name, value in active)
    if active and _count(store, filters)[0] == 0:
        if len(active) == 1:
            return f"no passages with {label}; {_passages(_count(store, Filters()))} without it{known_sources(store, filters)}"
        counts = {f"{name}={value}": _count(store, filters.without(name)) for name, value in active}
        emptying = [named for named, (chunks, _) in counts.items() if chunks]
        culprit = f"; the {emptying[0]} filter empties it" if len(emptying) == 1 else ""
        without = "; ".join(f"without {named}: {_passages(found)}" for named, found in counts.items())
        return f"no passages with {label} together{culprit}; {without}{known_sources(store, filters)}"
    scope = f"{_passages(_count(store, filters))} match {label}, but " if active else ""
    if mode == "bm25":
        return f"{scope}none contains a word of the query (bm25 mode matches words; try hybrid or dense)"
    return f"{scope}none matched the query"
