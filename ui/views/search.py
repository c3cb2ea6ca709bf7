"""Search: ranked passages for a query, re-run live as the sidebar mode, k and filters change."""

from __future__ import annotations

import streamlit as st

from sitroom.errors import SitroomError
from sitroom.escaping import md_escape
from ui import widgets
from ui.resources import require_engine


def main() -> None:
    st.title("Search passages")
    engine = require_engine()
    options = widgets.sidebar_options(engine)
    query = st.text_input("Query", key="query", placeholder="Kaspersky ban")
    if not query.strip():
        st.caption("Ranked passages appear here; narrow them with the filters in the sidebar.")
        return
    try:
        result = engine.searcher.search(query, k=options.k, mode=options.mode, filters=options.filters)
    except SitroomError as exc:
        st.error(md_escape(exc))
        return
    if not result.passages:
        st.info("No passage matches this query and the filters in the sidebar.")
        return
    st.caption(f"{len(result.passages)} passages · {options.mode} · {result.timing_ms.get('total', 0):.0f} ms")
    widgets.passage_cards(result.passages, query)


main()
