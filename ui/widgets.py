"""Pieces shared by the Ask and Search pages: the retrieval sidebar, filter chips, empty-result notes and passage cards."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import streamlit as st

from retrieval.answer import Answer
from retrieval.narrowing import explain_empty
from retrieval.passages import Filters, Passage
from retrieval.searcher import MODES
from sitroom.escaping import md_escape
from ui import render
from ui.cards import Card, build_cards
from ui.resources import Engine

DOCUMENT_PAGE = "views/document.py"
# Any date a briefing can carry (index.metadata.parse_date's range), so a range wider than the corpus's stays pickable.
EARLIEST, LATEST = date(1901, 1, 1), date(2099, 12, 31)
_MODE_HELP = "hybrid fuses dense (meaning) and BM25 (exact words) rankings; dense or bm25 use one of them"


@dataclass(frozen=True)
class QueryOptions:
    mode: str
    k: int
    filters: Filters


def sidebar_options(engine: Engine) -> QueryOptions:
    """Mode, k and filters; kept for the whole session so Ask and Search share them."""
    docs = engine.searcher.store.documents("doc_id, title, source, date")
    titles = {row["doc_id"]: row["title"] for row in docs}
    per_source = engine.searcher.store.source_counts()
    dates = sorted(date.fromisoformat(row["date"]) for row in docs if row["date"])
    with st.sidebar:
        st.subheader("Retrieval")
        mode = st.radio("Mode", MODES, key="f_mode", horizontal=True, help=_MODE_HELP, persist_state="session")
        k = st.slider("Passages (k)", 1, 50, engine.searcher.settings.retrieval.k, key="f_k", persist_state="session")
        st.subheader("Filters")
        source = st.selectbox(
            "Source", sorted(per_source), index=None, placeholder="Any source", key="f_source", persist_state="session",
            format_func=lambda s: f"{s} ({per_source[s]} document{'s' * (per_source[s] != 1)})",
        )  # fmt: skip
        span = f", from {dates[0]} to {dates[-1]}" if dates else ""
        picked = st.date_input(
            "Date range", value=(), min_value=EARLIEST, max_value=LATEST, disabled=not dates, key="f_dates", persist_state="session",
            help=f"{len(dates)} of {len(docs)} documents state a date{span}; undated ones never match a date filter",
        )  # fmt: skip
        doc = st.selectbox(
            "Document", list(titles), index=None, placeholder="Any document", format_func=lambda d: f"{titles[d][:60]} ({d})",
            key="f_doc", persist_state="session",
        )  # fmt: skip
    since, until = [*picked, None, None][:2]
    filters = Filters(source=source, since=since and since.isoformat(), until=until and until.isoformat(), doc=doc)
    return QueryOptions(mode, k, filters)


# Filter name → (sidebar widget key, its cleared value); the date range is one widget for since and until.
_FILTER_WIDGETS = {"source": ("f_source", None), "since": ("f_dates", ()), "until": ("f_dates", ()), "doc": ("f_doc", None)}


def _clear(*names: str) -> None:
    for name in names:
        key, empty = _FILTER_WIDGETS[name]
        st.session_state[key] = empty


def filter_chips(filters: Filters) -> None:
    """The active filters as chips beside the results; clicking one clears it, "Clear all" clears every one."""
    active = dict(filters.active())
    if not active:
        return
    chips: list[tuple[str, tuple[str, ...]]] = []
    if "since" in active or "until" in active:
        chips.append((f"date: {active.get('since', '…')} – {active.get('until', '…')}", ("since", "until")))
    chips += [(f"{name}: {md_escape(value)}", (name,)) for name, value in active.items() if name in ("source", "doc")]
    with st.container(horizontal=True, key="filter_chips", vertical_alignment="center"):
        st.caption("Filtered by")
        for label, names in chips:
            st.button(label, key=f"chip_{'_'.join(names)}", icon=":material/close:", on_click=_clear, args=names, help="Remove this filter")
        if len(chips) > 1:
            st.button("Clear all", key="chip_all", type="tertiary", on_click=_clear, args=tuple(active))


def explain_no_results(engine: Engine, options: QueryOptions) -> None:
    why = explain_empty(engine.searcher.store, options.filters, options.mode)
    st.info(f"No results: {md_escape(why)}.", icon=":material/filter_alt_off:")


def source_counts(passages: Sequence[Passage]) -> str:
    counts = Counter(p.source or "unknown source" for p in passages)
    return " · ".join(f"{source} {n}" for source, n in counts.most_common())


def document_link(card: Card, label: str = "Open in document") -> None:
    """A link to the Document page that highlights and scrolls to this card's span (and its cited sentences)."""
    orig_start, orig_end = card.orig_span
    params: dict[str, str | list[str]] = {"doc": card.lead.doc, "span": f"{card.start}-{card.end}", "orig": f"{orig_start}-{orig_end}"}
    if card.cited:
        params["sent"] = [f"{s}-{e}" for s, e in card.cited]
    st.page_link(DOCUMENT_PAGE, label=label, icon=":material/article:", query_params=params)


def show_cards(cards: Sequence[Card], query: str, engine: Engine) -> None:
    config = engine.searcher.settings.display
    for card in cards:
        with st.container(border=True):
            st.html(render.card_html(card, query, config))
            document_link(card)


def passage_cards(passages: Sequence[Passage], query: str, engine: Engine, answer: Answer | None = None) -> None:
    """Ranked passages, overlapping ones merged; a cited card carries its citation numbers, is their jump target, and marks the cited sentences."""
    show_cards(build_cards(passages, answer), query, engine)
