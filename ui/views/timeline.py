"""Timeline: statements matching a query, ordered by briefing date, each with its speaker and a link to its passage."""

from __future__ import annotations

import html

import streamlit as st

from retrieval.timeline import Statement, Timeline, TimelineBuilder
from sitroom.errors import SitroomError
from sitroom.escaping import md_escape
from ui import render, widgets
from ui.resources import Engine, require_engine


def statement_html(statement: Statement) -> str:
    """One line: date, speaker, the sentence verbatim, then the citation (title, document, span, page)."""
    page = f" · p. {statement.page}" if statement.page else ""
    return (
        f'<div class="sr-timeline"><span class="sr-badge">{html.escape(statement.date or "undated")}</span> '
        f"<b>{html.escape(statement.speaker or 'unattributed')}</b>: {html.escape(statement.text)}"
        f'<div class="sr-meta">{html.escape(statement.title)} · {render.meta_line(statement.source, statement.headline)} · '
        f"{html.escape(statement.doc)} {statement.start}-{statement.end}{page}</div></div>"
    )


def show(timeline: Timeline, engine: Engine, options: widgets.QueryOptions) -> None:
    if not timeline.passages_read:
        widgets.explain_no_results(engine, options)
        return
    if not timeline.statements:
        st.info(f"No statements: {timeline.unmatched}.")
        return
    dated = sum(1 for s in timeline.statements if s.date)
    st.caption(f"{len(timeline.statements)} statements, {dated} dated (undated ones last) · {timeline.timing_ms.get('total', 0):.0f} ms")
    for statement in timeline.statements:
        with st.container(border=True):
            st.html(statement_html(statement))
            st.page_link(
                widgets.DOCUMENT_PAGE, label="Open in document", icon=":material/article:",
                query_params={
                    "doc": statement.doc,
                    "span": f"{statement.passage_start}-{statement.passage_end}",
                    "orig": f"{statement.orig_start}-{statement.orig_end}",
                    "sent": f"{statement.start}-{statement.end}",
                },
            )  # fmt: skip


def main() -> None:
    st.title("Timeline")
    engine = require_engine()
    options = widgets.sidebar_options(engine)
    query = st.text_input("Topic", key="timeline_query", placeholder="Iraq US troops")
    if not query.strip():
        st.caption("Statements about a topic, oldest briefing first, so you can see how a position moved.")
        return
    with st.spinner("Collecting statements…"):
        try:
            timeline = TimelineBuilder(engine.searcher).run(query, mode=options.mode, filters=options.filters)
        except SitroomError as exc:
            st.error(md_escape(exc))
            return
    show(timeline, engine, options)


main()
