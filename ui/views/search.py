"""Search: ranked passages for a query, re-run live as the sidebar mode, k and filters change; sortable and groupable."""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from index.metadata import UNDATED
from retrieval.citing import source_line
from sitroom.errors import SitroomError
from sitroom.escaping import md_escape
from ui import render, widgets
from ui.cards import Card, build_cards
from ui.resources import Engine, require_engine

SORTS = ("relevance", "newest first", "oldest first")


def sorted_cards(cards: list[Card], order: str) -> list[Card]:
    """By rank, or by date (undated cards last, ties by rank)."""
    if order == "relevance":
        return cards
    dated = sorted((c for c in cards if c.lead.date), key=lambda c: (c.lead.date, -c.rank), reverse=order == "newest first")
    return dated + [c for c in cards if not c.lead.date]


def grouped_by_document(cards: Sequence[Card], query: str, engine: Engine) -> None:
    documents: dict[str, list[Card]] = {}
    for card in cards:
        documents.setdefault(card.lead.doc, []).append(card)
    for group in documents.values():
        lead = group[0].lead
        count = f"{len(group)} passage{'s' * (len(group) != 1)}"
        st.html(f'<div class="sr-head">{render.meta_line(source_line(lead.title, lead.source, lead.date), count)}</div>')
        widgets.show_cards(group, query, engine)


def main() -> None:
    st.title("Search passages")
    engine = require_engine()
    options = widgets.sidebar_options(engine)
    query = st.text_input("Query", key="query", placeholder="Kaspersky ban")
    widgets.filter_chips(options.filters)
    if not query.strip():
        st.caption("Ranked passages appear here; narrow them with the filters in the sidebar.")
        return
    try:
        result = engine.searcher.search(query, k=options.k, mode=options.mode, filters=options.filters)
    except SitroomError as exc:
        st.error(md_escape(exc))
        return
    if not result.passages:
        widgets.explain_no_results(engine, options)
        return
    cards = build_cards(result.passages)
    left, middle, right = st.columns([3, 2, 1], vertical_alignment="bottom")
    with left:  # source names come from the documents: escaped HTML, not Markdown
        st.html(
            f'<div class="sr-meta">{len(result.passages)} passages in {len(cards)} cards · {options.mode} · '
            f"{result.timing_ms.get('total', 0):.0f} ms<br>by source: {render.meta_line(widgets.source_counts(result.passages))}</div>"
        )
    order = middle.segmented_control("Sort", SORTS, default="relevance", key="sort", help=f"Undated ({UNDATED}) passages go last")
    by_document = right.toggle("Group by document", key="group_docs")
    cards = sorted_cards(cards, order or "relevance")
    if by_document:
        grouped_by_document(cards, query, engine)
    else:
        widgets.show_cards(cards, query, engine)


main()
